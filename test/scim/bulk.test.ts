import { ENTERPRISE, ERROR_SCHEMA, GROUP_SCHEMA, PATCH_OP, counts, createUser, harness, patchOps, scim, userBody, type Harness } from './helpers';

const BULK = 'urn:ietf:params:scim:api:messages:2.0:BulkRequest';

interface BulkResult {
  method: string;
  bulkId?: string;
  location?: string;
  version?: string;
  status: string;
  response?: { schemas: string[]; status: string; scimType?: string; detail: string };
}

async function bulk(h: Harness, Operations: unknown[], extra: Record<string, unknown> = {}, requestId = 'bulk-1'): Promise<BulkResult[]> {
  const res = await scim(h).post('/Bulk', { schemas: [BULK], Operations, ...extra }).set('X-Request-Id', requestId);
  expect(res.status).toBe(200);
  return res.body.Operations;
}

const byBulkId = (results: BulkResult[]) => Object.fromEntries(results.map((result) => [result.bulkId, result]));
const idOf = (result: BulkResult) => result.location!.split('/').pop()!;
const group = (displayName: string, members: string[] = []) => ({ schemas: [GROUP_SCHEMA], displayName, members: members.map((value) => ({ value })) });
const memberIds = async (h: Harness, groupId: string) => ((await scim(h).get(`/Groups/${groupId}`)).body.members ?? []).map((m: { value: string }) => m.value).sort();
const ledgerKinds = (h: Harness, requestId = 'bulk-1') => h.store.ledger.forRequest(requestId).map((row) => `${row.kind} ${String(row.subject).split(':')[0]}`);

describe('/Bulk bulkId references (RFC 7644 3.7.2)', () => {
  it('resolves a forward reference by creating the referenced resource first, once', async () => {
    const h = harness();
    const results = byBulkId(await bulk(h, [
      { method: 'POST', path: '/Groups', bulkId: 'g', data: group('Forward', ['bulkId:u']) },
      { method: 'POST', path: '/Users', bulkId: 'u', data: userBody('forward-user') },
    ]));
    expect([results.g.status, results.u.status]).toEqual(['201', '201']);
    expect(counts(h.store)).toMatchObject({ users: 1, groups: 1, memberships: 1 });
    expect(await memberIds(h, idOf(results.g))).toEqual([idOf(results.u)]);
    expect(ledgerKinds(h)).toEqual(['user.created user', 'group.created group']);
  });

  it('answers a user that names a later user as manager 201, with the manager set and no stray write', async () => {
    const h = harness();
    const results = byBulkId(await bulk(h, [
      { method: 'POST', path: '/Users', bulkId: 'a', data: userBody('report', { schemas: [userBody('x').schemas[0], ENTERPRISE], [ENTERPRISE]: { manager: { value: 'bulkId:b' } } }) },
      { method: 'POST', path: '/Users', bulkId: 'b', data: userBody('manager') },
    ]));
    expect([results.a.status, results.b.status]).toEqual(['201', '201']);
    const report = await scim(h).get(`/Users/${idOf(results.a)}`);
    expect(report.body[ENTERPRISE].manager.value).toBe(idOf(results.b));
    expect(counts(h.store).users).toBe(2);
    expect(ledgerKinds(h)).toEqual(['user.created user', 'user.created user']);
  });

  it('substitutes every bulkId an operation names, in POST and PATCH data', async () => {
    const h = harness();
    const existing = (await scim(h).post('/Groups', group('Existing'))).body.id;
    const results = await bulk(h, [
      { method: 'POST', path: '/Users', bulkId: 'u1', data: userBody('multi-1') },
      { method: 'POST', path: '/Users', bulkId: 'u2', data: userBody('multi-2') },
      { method: 'POST', path: '/Groups', bulkId: 'g', data: group('Both', ['bulkId:u1', 'bulkId:u2']) },
      { method: 'PATCH', path: `/Groups/${existing}`, data: patchOps({ op: 'add', path: 'members', value: [{ value: 'bulkId:u1' }, { value: 'bulkId:u2' }] }) },
    ]);
    expect(results.map((result) => result.status)).toEqual(['201', '201', '201', '204']);
    const users = [idOf(results[0]), idOf(results[1])].sort();
    expect(await memberIds(h, idOf(results[2]))).toEqual(users);
    expect(await memberIds(h, existing)).toEqual(users);
  });

  it('resolves bulkIds in an operation path and in a value filter of a PATCH path', async () => {
    const h = harness();
    const results = await bulk(h, [
      { method: 'PATCH', path: '/Groups/bulkId:g', data: patchOps(
        { op: 'add', path: 'members', value: [{ value: 'bulkId:u1' }, { value: 'bulkId:u2' }] },
        { op: 'remove', path: 'members[value eq "bulkId:u2"]' },
      ) },
      { method: 'POST', path: '/Groups', bulkId: 'g', data: group('Path') },
      { method: 'POST', path: '/Users', bulkId: 'u1', data: userBody('path-1') },
      { method: 'POST', path: '/Users', bulkId: 'u2', data: userBody('path-2') },
    ]);
    expect(results.map((result) => result.status)).toEqual(['204', '201', '201', '201']);
    const groupId = idOf(results[1]);
    expect(results[0].location).toBe(results[1].location);
    expect(await memberIds(h, groupId)).toEqual([idOf(results[2])]);
    expect(counts(h.store).groups).toBe(1);
  });

  it('answers references that form a cycle with 409 for each operation in it, and writes nothing', async () => {
    const h = harness();
    const managedBy = (userName: string, bulkId: string) =>
      userBody(userName, { schemas: [userBody('x').schemas[0], ENTERPRISE], [ENTERPRISE]: { manager: { value: `bulkId:${bulkId}` } } });
    const results = await bulk(h, [
      { method: 'POST', path: '/Users', bulkId: 'a', data: managedBy('cycle-a', 'b') },
      { method: 'POST', path: '/Users', bulkId: 'b', data: managedBy('cycle-b', 'a') },
      { method: 'POST', path: '/Users', bulkId: 'self', data: managedBy('cycle-self', 'self') },
      { method: 'POST', path: '/Users', bulkId: 'fine', data: userBody('not-in-a-cycle') },
    ]);
    expect(results.map((result) => result.status)).toEqual(['409', '409', '409', '201']);
    expect(results[0].response).toMatchObject({ schemas: [ERROR_SCHEMA], status: '409', detail: expect.stringContaining('cycle (a → b → a)') });
    expect(results[2].response?.detail).toContain('cycle (self → self)');
    expect(counts(h.store)).toMatchObject({ users: 1, ledger: 1 });
  });

  it('fails an operation whose referenced POST failed (409) or does not exist (400), without writing it', async () => {
    const h = harness();
    await createUser(h, 'taken');
    const results = await bulk(h, [
      { method: 'POST', path: '/Groups', bulkId: 'g', data: group('Needs u', ['bulkId:u']) },
      { method: 'POST', path: '/Users', bulkId: 'u', data: userBody('TAKEN') },
      { method: 'POST', path: '/Groups', bulkId: 'h', data: group('Needs nobody', ['bulkId:nobody']) },
    ]);
    expect(results.map((result) => [result.bulkId, result.status, result.response?.scimType])).toEqual([
      ['g', '409', undefined],
      ['u', '409', 'uniqueness'],
      ['h', '400', 'invalidValue'],
    ]);
    expect(results[0].response?.detail).toContain("bulkId 'u' (operation 2) failed");
    expect(counts(h.store)).toMatchObject({ users: 1, groups: 0 });
  });
});

describe('/Bulk operations', () => {
  it("honours each operation's version as If-Match and reports the new version", async () => {
    const h = harness();
    const { id, version } = await createUser(h, 'versioned');
    const stale = await bulk(h, [
      { method: 'PUT', path: `/Users/${id}`, version: 'W/"42"', data: userBody('versioned', { title: 'stale' }) },
      { method: 'DELETE', path: `/Users/${id}`, version: 'W/"42"' },
    ]);
    expect(stale.map((result) => result.status)).toEqual(['412', '412']);
    const fresh = await bulk(h, [
      { method: 'PUT', path: `/Users/${id}`, version, data: userBody('versioned', { title: 'fresh' }) },
      { method: 'POST', path: '/Users', bulkId: 'n', data: userBody('new-one') },
    ], {}, 'bulk-2');
    expect(fresh.map((result) => result.status)).toEqual(['200', '201']);
    const [put, post] = await Promise.all(fresh.map((result) => scim(h).get(`/Users/${idOf(result)}`)));
    expect(fresh[0]).toMatchObject({ location: expect.stringMatching(new RegExp(`/Users/${id}$`)), version: put.headers.etag });
    expect(fresh[1].version).toBe(post.headers.etag);
    expect(put.body.title).toBe('fresh');
    const deleted = await bulk(h, [{ method: 'DELETE', path: `/Users/${id}`, version: put.headers.etag }], {}, 'bulk-3');
    expect(deleted).toEqual([{ method: 'DELETE', location: expect.stringContaining(id), status: '204' }]);
  });

  it('reports an invalid operation in its own result and carries on with the others', async () => {
    const h = harness();
    const results = await bulk(h, [
      { method: 'GET', path: '/Users' },
      { method: 'POST', path: '/Users', data: userBody('no-bulk-id') },
      { method: 'POST', path: '/Users/abc', bulkId: 'x', data: userBody('at-an-id') },
      { method: 'PATCH', path: '/Users' , data: patchOps() },
      { method: 'PUT', path: '/Widgets/1', data: {} },
      { method: 'PATCH', path: '/Users/x', data: 'not an object' },
      { method: 'POST', path: '/Users', bulkId: 'ok', data: userBody('valid') },
      { method: 'POST', path: '/Users', bulkId: 'ok', data: userBody('same-bulk-id') },
      { method: 'DELETE', path: '/Users/bad"id' },
    ]);
    expect(results.map((result) => result.status)).toEqual(['400', '400', '400', '400', '400', '400', '201', '400', '404']);
    for (const result of results.filter((r) => r.status !== '201')) expect(result.response).toMatchObject({ schemas: [ERROR_SCHEMA], detail: expect.any(String) });
    expect(counts(h.store).users).toBe(1);
  });

  it('stops once failOnErrors errors occurred, even when the failing POST ran early for a forward reference', async () => {
    const h = harness();
    await createUser(h, 'taken');
    const results = await bulk(h, [
      { method: 'POST', path: '/Groups', bulkId: 'g', data: group('Waits', ['bulkId:u']) },
      { method: 'POST', path: '/Users', bulkId: 'other', data: userBody('never-run') },
      { method: 'POST', path: '/Users', bulkId: 'u', data: userBody('taken') },
    ], { failOnErrors: 1 });
    expect(results.map((result) => [result.bulkId, result.status])).toEqual([['u', '409']]);
    expect(counts(h.store)).toMatchObject({ users: 1, groups: 0 });
  });

  it('refuses a malformed BulkRequest as a whole with a SCIM error', async () => {
    const h = harness();
    const post = (body: unknown) => scim(h).post('/Bulk', body);
    expect((await post({ schemas: ['urn:wrong'], Operations: [{}] })).body).toMatchObject({ status: '400', scimType: 'invalidSyntax' });
    expect((await post({ schemas: [BULK], Operations: [] })).body).toMatchObject({ status: '400', scimType: 'invalidValue' });
    expect((await post({ schemas: [BULK], Operations: [{}], failOnErrors: -1 })).body).toMatchObject({ status: '400', scimType: 'invalidSyntax' });
    expect((await post([1, 2])).body).toMatchObject({ status: '400' });
    const get = await scim(h).get('/Bulk');
    expect(get.status).toBe(405);
    expect(get.headers.allow).toBe('POST');
  });

  it('normalises IdP PatchOps inside operations and writes one ledger row per change with the request id', async () => {
    const h = harness();
    const { id } = await createUser(h, 'norm');
    const results = await bulk(h, [
      { method: 'PATCH', path: `/Users/${id}`, data: { schemas: [PATCH_OP], Operations: [{ op: 'Replace', path: 'Active', value: 'False' }] } },
    ]);
    expect(results[0].status).toBe('200');
    expect((await scim(h).get(`/Users/${id}`)).body.active).toBe(false);
    expect(ledgerKinds(h)).toEqual(['user.deactivated user']);
  });
});
