import { GROUP_SCHEMA, createUser, harness, patchOps, scim, userBody } from './helpers';

describe('SCIM writes in the ledger and the sync queue', () => {
  it('records actor, request id and before/after, and queues the subject for every routed target', async () => {
    const h = harness();
    h.store.changes.routeWith(() => ['github', 'google']);
    const created = await scim(h).post('/Users', userBody('q1')).set('X-Request-Id', 'req-create-1');
    const id = created.body.id;
    await scim(h).patch(`/Users/${id}`, patchOps({ op: 'replace', path: 'title', value: 'CTO' })).set('X-Request-Id', 'req-patch-1');
    const rows = h.store.ledger.forSubject(`user:${id}`);
    expect(rows.map((r) => [r.kind, r.actor, r.source, r.request_id])).toEqual([
      ['user.created', 'okta', 'scim', 'req-create-1'],
      ['user.updated', 'okta', 'scim', 'req-patch-1'],
    ]);
    expect(JSON.parse(rows[1].before!).title).toBeUndefined();
    expect(JSON.parse(rows[1].after!)).toMatchObject({ id, title: 'CTO' });
    expect(h.store.queue.get('github', { kind: 'user', id })).toMatchObject({ state: 'pending', request_id: 'req-patch-1' });
    expect(h.store.queue.get('google', { kind: 'user', id })).toBeDefined();
    expect(h.store.ledger.verify().ok).toBe(true);
  });

  it('queues the users added to and removed from a group (alsoAffects)', async () => {
    const h = harness();
    const [a, b] = [await createUser(h, 'a'), await createUser(h, 'b')];
    const group = await scim(h).post('/Groups', { schemas: [GROUP_SCHEMA], displayName: 'G', members: [{ value: a.id }] });
    h.store.changes.routeWith(() => ['t']);
    await scim(h).patch(`/Groups/${group.body.id}`, patchOps({ op: 'add', path: 'members', value: [{ value: b.id }] }, { op: 'remove', path: 'members', value: [{ value: a.id }] }));
    const queued = h.store.queue.list({ target: 't' }).map((item) => `${item.subject_kind}:${item.subject_id}`).sort();
    expect(queued).toEqual([`group:${group.body.id}`, `user:${a.id}`, `user:${b.id}`].sort());
  });

  it('writes nothing to the ledger or queue for a rejected request', async () => {
    const h = harness();
    h.store.changes.routeWith(() => ['t']);
    await createUser(h, 'taken');
    const before = h.store.ledger.verify().rows;
    const res = await scim(h).post('/Users', userBody('TAKEN'));
    expect(res.status).toBe(409);
    expect(h.store.ledger.verify().rows).toBe(before);
    expect(h.store.queue.list({ target: 't' })).toHaveLength(1);
  });
});
