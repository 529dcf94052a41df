/**
 * IdPs send requests in parallel (Entra runs several provisioning threads; Okta pushes group members
 * concurrently). Writes in one event-loop turn share a transaction in the store, so these tests check
 * that parallel writes stay independent: each answer matches what was stored, a rejected write takes
 * nothing with it, and If-Match lets exactly one of several racing writers win.
 */
import {
  GROUP_SCHEMA, counts, createUser, expectScim, fileHarness, getWith, patchOps, scim, userBody, type FileHarness,
} from './support';

describe('parallel SCIM writes', () => {
  let h: FileHarness;
  beforeEach(() => (h = fileHarness()));
  afterEach(() => h.close());

  const ledgerRows = () => (h.store.db.prepare('SELECT COUNT(*) AS n FROM ledger').get() as { n: number }).n;

  it('mixes accepted and rejected creates in one burst: every 201 is stored and ledgered, every 409/400 left nothing', async () => {
    const ledgerBefore = ledgerRows();
    const bodies = [
      ...Array.from({ length: 20 }, (_, i) => userBody(`unique-${i}`)),
      ...Array.from({ length: 10 }, (_, i) => userBody(i % 2 ? 'DUP@x.com' : 'dup@x.com')),
      ...Array.from({ length: 5 }, () => ({ ...userBody('bad'), active: 'maybe' })),
    ];
    const results = await Promise.all(bodies.map((body) => scim(h).post('/Users', body)));
    const created = results.filter((r) => r.status === 201);
    expect(created).toHaveLength(21);
    expect(results.filter((r) => r.status === 409)).toHaveLength(9);
    expect(results.filter((r) => r.status === 400)).toHaveLength(5);
    expect(counts(h.store).users).toBe(21);
    expect(ledgerRows() - ledgerBefore).toBe(21);
    for (const res of created) {
      const stored = expectScim(await scim(h).get(`/Users/${res.body.id}`), 200);
      expect(stored.userName).toBe(res.body.userName);
      expect(stored.meta.version).toBe(res.body.meta.version);
    }
  });

  it('lets exactly one of ten PATCHes carrying the same If-Match win; the others get 412', async () => {
    const { id, version } = await createUser(h, 'racer');
    const results = await Promise.all(
      Array.from({ length: 10 }, (_, i) => scim(h).patch(`/Users/${id}`, patchOps({ op: 'replace', path: 'title', value: `t${i}` })).set('If-Match', version)),
    );
    const winners = results.filter((r) => r.status === 200);
    expect(winners).toHaveLength(1);
    expect(results.filter((r) => r.status === 412)).toHaveLength(9);
    const stored = expectScim(await scim(h).get(`/Users/${id}`), 200);
    expect(stored.title).toBe(winners[0].body.title);
    expect(stored.meta.version).toBe(winners[0].body.meta.version);
  });

  it('applies twenty unconditional PATCHes of one user one after another: every answer has its own version', async () => {
    const { id } = await createUser(h, 'serial');
    const results = await Promise.all(
      Array.from({ length: 20 }, (_, i) => scim(h).patch(`/Users/${id}`, patchOps({ op: 'add', path: 'emails', value: [{ type: 'other', value: `e${i}@x.com` }] }))),
    );
    expect(results.map((r) => r.status)).toEqual(Array(20).fill(200));
    expect(new Set(results.map((r) => r.body.meta.version)).size).toBe(20);
    const stored = expectScim(await scim(h).get(`/Users/${id}`), 200);
    expect(stored.emails).toHaveLength(21);
  });

  it('adds fifty members to one group in parallel PATCHes (Okta/Entra membership push) without losing any', async () => {
    const users = await Promise.all(Array.from({ length: 50 }, (_, i) => createUser(h, `member-${i}`)));
    const group = expectScim(await scim(h).post('/Groups', { schemas: [GROUP_SCHEMA], displayName: 'Parallel' }), 201);
    const results = await Promise.all(users.map((u) => scim(h).patch(`/Groups/${group.id}`, patchOps({ op: 'Add', path: 'members', value: [{ value: u.id }] }))));
    expect(results.every((r) => r.status === 200 || r.status === 204)).toBe(true);
    const stored = expectScim(await scim(h).get(`/Groups/${group.id}`), 200);
    expect(stored.members.map((m: { value: string }) => m.value).sort()).toEqual(users.map((u) => u.id).sort());
  });

  it('deletes a user while a group PATCH adds it: never a 5xx, and no membership points at a deleted user', async () => {
    for (let round = 0; round < 5; round++) {
      const user = await createUser(h, `doomed-${round}`);
      const group = expectScim(await scim(h).post('/Groups', { schemas: [GROUP_SCHEMA], displayName: `G${round}` }), 201);
      const [add, del] = await Promise.all([
        scim(h).patch(`/Groups/${group.id}`, patchOps({ op: 'Add', path: 'members', value: [{ value: user.id }] })),
        scim(h).delete(`/Users/${user.id}`),
      ]);
      expect(add.status).toBeLessThan(500);
      expect(del.status).toBe(204);
      const stored = expectScim(await getWith(h, `/Groups/${group.id}`, {}), 200);
      expect((stored.members ?? []).map((m: { value: string }) => m.value)).not.toContain(user.id);
    }
  });

  it('answers a racing DELETE and PATCH of one user with 204 and 200-or-404, never a 5xx', async () => {
    for (let round = 0; round < 5; round++) {
      const { id } = await createUser(h, `race-${round}`);
      const [patch, del] = await Promise.all([
        scim(h).patch(`/Users/${id}`, patchOps({ op: 'replace', path: 'active', value: false })),
        scim(h).delete(`/Users/${id}`),
      ]);
      expect([200, 404]).toContain(patch.status);
      expect(del.status).toBe(204);
      expect((await scim(h).get(`/Users/${id}`)).status).toBe(404);
    }
  });
});
