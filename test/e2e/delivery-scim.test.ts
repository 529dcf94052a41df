import { mkdtempSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { scim } from '../../connectors/scim';
import { ScimFake } from '../../connectors/scim/fake';
import { createLogger } from '../../src/log';
import { Store, type ChangeContext } from '../../src/store';
import { SyncEngine } from '../../src/sync/engine';

const TOKEN = 'downstream-bearer-token-1234';
const ctx = (): ChangeContext => ({ actor: 'idp', requestId: `req-${Math.random()}`, source: 'scim' });

/** The engine driving the outbound SCIM connector (the real HTTP client) against a SCIM server on 127.0.0.1. */
describe('delivery to a downstream SCIM application', () => {
  let fake: ScimFake;
  let store: Store;
  let engine: SyncEngine;

  beforeEach(async () => {
    fake = await ScimFake.start({ bearerToken: TOKEN });
    store = Store.open(join(mkdtempSync(join(tmpdir(), 'e2e-scim-')), 'bridge.db'));
    engine = new SyncEngine({
      store, connectors: [scim], logger: createLogger({ silent: true }), pollMs: 20,
      targets: [{
        name: 'app', connector: 'scim', config: { baseUrl: fake.scimUrl, auth: { type: 'bearer', token: TOKEN } },
        groups: [{ scim: 'Engineering', target: 'Engineering', create: true }],
        deprovision: { mode: 'suspend' },
        delivery: { backoff: { baseMs: 10, maxMs: 50 } },
      }],
    });
    await engine.start();
  });
  afterEach(async () => {
    await engine.stop();
    store.close();
    await fake.stop();
  });

  const settled = async () => {
    const open = store.db.prepare(`SELECT COUNT(*) AS n FROM sync_queue WHERE state = 'inflight' OR (state = 'pending' AND due_at <= ?)`);
    const deadline = Date.now() + 15_000;
    while ((open.get(Date.now() + 2000) as { n: number }).n > 0) {
      if (Date.now() > deadline) throw new Error('deliveries did not settle');
      await new Promise((resolve) => setTimeout(resolve, 10));
    }
  };

  it('a 429 with Retry-After: 0 rests the target a second each time and records the run, not every refusal', async () => {
    fake.failNext(3, { status: 429, retryAfterS: 0, endpoint: 'POST /scim/v2/Users' });
    const ada = store.users.create({ userName: 'ada@example.com', active: true }, ctx()).id;
    await settled();

    expect(fake.calls('POST /scim/v2/Users')).toBe(4);
    expect(fake.users.byKey('ada@example.com')).toBeDefined();
    const rows = store.ledger.forSubject(`user:${ada}`).filter((row) => row.kind.startsWith('delivery.'));
    expect(rows.map((row) => [row.kind, row.reason])).toEqual([
      ['delivery.retry', 'rate limited for 1000 ms'],
      ['delivery.retry', 'rate limited for 1000 ms (2 times in a row)'],
      ['delivery.applied', null],
    ]);
  });

  const memberNames = () => ((fake.groups.byKey('Engineering')!.members ?? []) as Array<{ value: string }>)
    .map((member) => fake.users.get(member.value)?.userName).sort();

  it('a member whose account vanished downstream is re-created; the group keeps the others', async () => {
    const ids = ['ada', 'bob', 'cy'].map((name) => store.users.create({ userName: `${name}@example.com`, active: true }, ctx()).id);
    await settled();
    fake.users.delete(fake.users.byKey('bob@example.com')!.id);
    store.groups.create({ displayName: 'Engineering' }, ids, ctx());
    await settled();

    expect(memberNames()).toEqual(['ada@example.com', 'bob@example.com', 'cy@example.com']);
    expect(fake.calls('POST /scim/v2/Groups')).toBe(1);
    expect(store.queue.list()).toEqual([]);
  });

  it('a member the application refuses (400) is named in the dead letter; the members after it are added', async () => {
    const ids = ['ada', 'bob', 'cy'].map((name) => store.users.create({ userName: `${name}@example.com`, active: true }, ctx()).id);
    await settled();
    fake.failNext(1, { status: 400, endpoint: 'PATCH /scim/v2/Groups/:id' });
    const group = store.groups.create({ displayName: 'Engineering' }, ids, ctx()).id;
    await settled();

    const row = store.queue.get('app', { kind: 'group', id: group })!;
    expect(row.state).toBe('dead');
    expect(row.last_error).toContain(`groups.addMember user ${[...ids].sort()[0]}`);
    expect(memberNames()).toHaveLength(2);
  });

  it('an IdP rename of a mapped group changes nothing downstream: no DELETE, the members stay', async () => {
    const ada = store.users.create({ userName: 'ada@example.com', active: true }, ctx()).id;
    const group = store.groups.create({ displayName: 'Engineering' }, [ada], ctx()).id;
    await settled();
    store.groups.update(group, { displayName: 'Engineering Team' }, {}, ctx());
    await settled();

    expect(fake.calls('DELETE /scim/v2/Groups/:id')).toBe(0);
    expect(memberNames()).toEqual(['ada@example.com']);
  });

  it('creates users and a group with members, honours a 429 Retry-After, then suspends a leaver', async () => {
    fake.failNext(1, { status: 429, retryAfterS: 1, endpoint: 'POST /scim/v2/Users' });
    const started = Date.now();
    const ada = store.users.create({ userName: 'ada@example.com', name: { givenName: 'Ada', familyName: 'Lovelace' }, active: true }, ctx()).id;
    const bob = store.users.create({ userName: 'bob@example.com', active: true }, ctx()).id;
    store.groups.create({ displayName: 'Engineering' }, [ada, bob], ctx());
    await settled();

    expect(Date.now() - started).toBeGreaterThanOrEqual(950); // the target asked for a second's rest
    const remoteAda = fake.users.byKey('ada@example.com')!;
    expect(remoteAda).toMatchObject({ active: true, name: { givenName: 'Ada', familyName: 'Lovelace' } });
    const group = fake.groups.byKey('Engineering')!;
    const members = (group.members as Array<{ value: string }>).map((member) => member.value).sort();
    expect(members).toEqual([remoteAda.id, fake.users.byKey('bob@example.com')!.id].sort());
    expect(fake.users.size).toBe(2);
    expect(store.queue.list({ state: 'dead' })).toEqual([]);

    const resource = { ...(store.users.get(ada)!.resource as Record<string, unknown>), active: false };
    store.users.replace(ada, resource as never, ctx());
    await settled();
    expect(fake.users.byKey('ada@example.com')!.active).toBe(false);
  });
});
