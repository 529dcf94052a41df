import { migrate } from '../../src/store/db';
import { databaseBefore } from '../store/migrated-to';
import { ctx, Harness } from './harness';
import { recordingMemory, type RecordedUpdate } from './recording-connector';

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
    expect(harness.directory().callCounts()).toEqual({ 'users.create': 1 }); // refused as existing: nothing written
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
