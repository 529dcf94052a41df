import { migrate } from '../../src/store/db';
import { databaseBefore } from '../store/migrated-to';
import { ctx, Harness } from './harness';
import { memory } from '../../connectors/memory';
import type { AnyConnectorDefinition, Connector } from '../../connectors/sdk';
import { recordingMemory, type RecordedUpdate } from './recording-connector';

/** The memory connector whose groups.create never conflicts, like a SCIM server that allows two groups of one displayName. */
function duplicateGroupNamesAccepted(): AnyConnectorDefinition {
  let copies = 0;
  return {
    ...memory,
    create(config, env): Connector {
      const connector = memory.create(config, env);
      const groups = connector.groups!;
      const create: typeof groups.create = async (group, ctx) => {
        const created = await groups.create({ ...group, key: copies++ === 0 ? group.key : `${group.key}#${copies}` }, ctx);
        return { ...created, key: group.key };
      };
      return { ...connector, groups: { ...groups, create } };
    },
  };
}

const DAY = 86_400_000;
const engineering = { scim: 'Engineering', target: 'eng', create: true };

describe('a remote account belongs to one subject per target', () => {
  let harness: Harness;
  afterEach(() => harness.close());

  const link = (id: string) => harness.store.links.get('app', { kind: 'user', id });

  it('a rehire adopts the account of the deleted user it replaces; the old scheduled delete never removes it', async () => {
    const updates: RecordedUpdate[] = [];
    harness = await Harness.start([{ deprovision: { mode: 'suspend-then-delete', deleteAfterDays: 1 }, groups: [engineering] }], { connectors: [recordingMemory(updates)] });
    const alice = harness.createUser('alice');
    const eng = harness.createGroup('Engineering', [alice]);
    await harness.settle();
    const account = harness.remoteUser('alice')!;
    harness.store.users.delete(alice, ctx());
    await harness.settle();
    expect(harness.remoteUser('alice')!.active).toBe(false);
    expect(harness.directory().allGroups()[0].memberIds).toEqual([]);

    const rehired = harness.createUser('alice');
    harness.store.groups.update(eng, undefined, { add: [rehired] }, ctx());
    await harness.settle();
    expect(link(rehired)?.remote_id).toBe(account.id);
    expect(link(alice)).toBeUndefined();
    expect(harness.remoteUser('alice')!.active).toBe(true);
    expect(updates.filter((update) => update.kind === 'user').map((update) => update.changes.scimId)).toEqual([rehired]);
    expect(harness.ledgerKinds(`user:${rehired}`)).toContain('link.transferred');

    harness.clock.advance(2 * DAY); // the old user's delete would be due now
    await harness.settle();
    expect(harness.directory().calls('users.delete')).toBe(0);
    expect(harness.remoteUser('alice')).toMatchObject({ id: account.id, active: true });
    expect(harness.directory().allGroups()[0].memberIds).toEqual([account.id]);
    expect(harness.store.queue.list()).toEqual([]);
    expect(harness.store.db.prepare('SELECT id FROM users WHERE id = ?').get(alice)).toBeUndefined(); // tombstone purged
  });

  it('two live users that map to one account: the second is dead-lettered naming both, the account untouched', async () => {
    harness = await Harness.start([{ userKey: 'displayName' }]);
    const ada = harness.createUser('ada', { displayName: 'Shared Name' } as never);
    await harness.settle();
    const before = harness.remoteUser('Shared Name')!;
    harness.directory().resetCounts();

    const bob = harness.createUser('bob', { displayName: 'Shared Name' } as never);
    await harness.settle();
    const row = harness.store.queue.get('app', { kind: 'user', id: bob })!;
    expect(row.state).toBe('dead');
    expect(row.last_error).toContain(`already belongs to user ${ada}`);
    expect(link(ada)?.remote_id).toBe(before.id);
    expect(link(bob)).toBeUndefined();
    expect(harness.remoteUser('Shared Name')).toEqual(before);
    expect(harness.directory().callCounts()).toEqual({}); // the key is held by a live user: refused before any call
  });

  it('two live groups that map to one team key conflict even on a target that would accept a duplicate name', async () => {
    harness = await Harness.start([{ groups: [engineering] }], { connectors: [duplicateGroupNamesAccepted()] });
    const first = harness.createGroup('Engineering', []);
    await harness.settle();
    const second = harness.createGroup('ENGINEERING', []); // the mapping names groups case-insensitively
    await harness.settle();
    expect(harness.directory().allGroups()).toHaveLength(1);
    expect(harness.store.links.get('app', { kind: 'group', id: first })?.remote_key).toBe('eng');
    const row = harness.store.queue.get('app', { kind: 'group', id: second })!;
    expect(row.state).toBe('dead');
    expect(row.last_error).toContain(`already belongs to group ${first}`);
  });

  it('the migration keeps the newest of two links to one remote account, then refuses a second', () => {
    const db = databaseBefore(8);
    const insert = db.prepare(`INSERT INTO links VALUES ('app', 'user', ?, 'remote-1', 'alice', '{}', ?)`);
    insert.run('old-alice', '2026-01-01T00:00:00Z');
    insert.run('new-alice', '2026-02-01T00:00:00Z');
    migrate(db);
    expect(db.prepare('SELECT subject_id FROM links').pluck().all()).toEqual(['new-alice']);
    expect(() => insert.run('third', '2026-03-01T00:00:00Z')).toThrow(/UNIQUE/);
  });
});
