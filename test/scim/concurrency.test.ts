import { openDatabase } from '../../src/store/db';
import { Store } from '../../src/store';
import { GROUP_SCHEMA, createUser, harness, patchOps, scim, userBody } from './helpers';

describe('concurrent writes (group commit)', () => {
  it('commits writes queued together, each atomic: a failing one rolls back alone', async () => {
    const store = new Store(openDatabase(':memory:'));
    const ctx = { actor: 't', requestId: 'r', source: 'scim' as const };
    const body = (userName: string) => ({ schemas: ['urn:ietf:params:scim:schemas:core:2.0:User'], userName });
    const results = await Promise.allSettled([
      store.batched(() => store.users.create(body('one'), ctx)),
      store.batched(() => store.users.create(body('ONE'), ctx)),
      store.batched(() => {
        store.users.create(body('half-written'), ctx);
        throw new Error('fails after its insert');
      }),
      store.batched(() => store.users.create(body('two'), ctx)),
    ]);
    expect(results.map((r) => r.status)).toEqual(['fulfilled', 'rejected', 'rejected', 'fulfilled']);
    const names = (store.db.prepare('SELECT user_name FROM users ORDER BY user_name').all() as Array<{ user_name: string }>).map((r) => r.user_name);
    expect(names).toEqual(['one', 'two']);
    expect(store.ledger.verify()).toEqual({ ok: true, rows: 2 });
  });

  it('answers many simultaneous POSTs, each acknowledged write present in store and ledger', async () => {
    const h = harness();
    const responses = await Promise.all(Array.from({ length: 40 }, (_, i) => scim(h).post('/Users', userBody(`c${i % 30}`))));
    const created = responses.filter((r) => r.status === 201);
    expect(created).toHaveLength(30);
    expect(responses.filter((r) => r.status === 409)).toHaveLength(10);
    for (const res of created) expect(h.store.users.get(res.body.id)).toBeDefined();
    expect(h.store.ledger.verify()).toEqual({ ok: true, rows: 30 });
  });

  it('applies simultaneous PATCHes to one user one after another (a lost race is retried, not refused)', async () => {
    const h = harness();
    const { id } = await createUser(h, 'hot');
    const responses = await Promise.all(
      Array.from({ length: 12 }, (_, i) => scim(h).patch(`/Users/${id}`, patchOps({ op: 'add', path: 'phoneNumbers', value: [{ value: `+1 555 ${i}`, type: 'work' }] }))),
    );
    expect(responses.map((r) => r.status)).toEqual(Array(12).fill(200));
    const final = await scim(h).get(`/Users/${id}`);
    expect(final.body.phoneNumbers).toHaveLength(12);
    expect(final.body.meta.version).toBe('W/"13"');
  });

  it('applies simultaneous member PATCHes to one group without conflicts', async () => {
    const h = harness();
    const users = await Promise.all(Array.from({ length: 10 }, (_, i) => createUser(h, `m${i}`)));
    const group = await scim(h).post('/Groups', { schemas: [GROUP_SCHEMA], displayName: 'busy' });
    const responses = await Promise.all(users.map((u) => scim(h).patch(`/Groups/${group.body.id}`, patchOps({ op: 'Add', path: 'members', value: [{ value: u.id }] }))));
    expect(responses.map((r) => r.status)).toEqual(Array(10).fill(204));
    expect(h.store.groups.members(group.body.id)).toHaveLength(10);
  });
});
