import { ENTERPRISE, ERROR_SCHEMA, GROUP_SCHEMA, USER_SCHEMA, counts, createUser, harness, patchOps, scim, userBody } from './helpers';

describe('resource rules the edge enforces', () => {
  it('requires schemas as a non-empty array (RFC 7643 3)', async () => {
    const h = harness();
    const { schemas: _omitted, ...noSchemas } = userBody('s');
    for (const body of [noSchemas, { ...userBody('s'), schemas: USER_SCHEMA }, { ...userBody('s'), schemas: [] }]) {
      const res = await scim(h).post('/Users', body);
      expect([res.status, res.body.scimType]).toEqual([400, 'invalidSyntax']);
    }
    expect((await scim(h).post('/Groups', { displayName: 'g' })).status).toBe(400);
    expect(counts(h.store).users + counts(h.store).groups).toBe(0);
  });

  it('does not claim unknown extensions, and refuses an extension that is not an object', async () => {
    const h = harness();
    const nope = 'urn:ietf:params:scim:schemas:extension:nope:2.0:User';
    const created = await scim(h).post('/Users', { ...userBody('ext'), schemas: [USER_SCHEMA, nope], [nope]: { a: 1 } });
    expect(created.status).toBe(201);
    expect(created.body.schemas).toEqual([USER_SCHEMA]);
    for (const value of ['Engineering', [{ department: 'x' }]]) {
      const res = await scim(h).post('/Users', { ...userBody('ext2'), schemas: [USER_SCHEMA, ENTERPRISE], [ENTERPRISE]: value });
      expect([res.status, res.body.scimType]).toEqual([400, 'invalidValue']);
    }
  });

  it('keeps one primary value per attribute: the last one given wins', async () => {
    const h = harness();
    const created = await scim(h).post('/Users', userBody('p', { emails: [{ value: 'a@x.com', primary: true }, { value: 'b@x.com', primary: true }] }));
    expect(created.body.emails).toEqual([{ value: 'a@x.com', primary: false }, { value: 'b@x.com', primary: true }]);
    const patched = await scim(h).patch(`/Users/${created.body.id}`, patchOps({ op: 'add', path: 'emails', value: [{ value: 'c@x.com', primary: true }] }));
    expect(patched.body.emails.filter((e: { primary?: boolean }) => e.primary).map((e: { value: string }) => e.value)).toEqual(['c@x.com']);
  });

  it('refuses PATCHes of the readOnly groups attribute with 400 mutability', async () => {
    const h = harness();
    const { id } = await createUser(h, 'ro');
    for (const op of [{ op: 'add', path: 'groups', value: [{ value: 'g' }] }, { op: 'replace', value: { groups: [] } }]) {
      const res = await scim(h).patch(`/Users/${id}`, patchOps(op));
      expect([res.status, res.body.scimType]).toEqual([400, 'mutability']);
    }
  });

  it('refuses bodies nested deeper than any SCIM resource, and answers a Bulk operation that is not an object with its own 400', async () => {
    const h = harness();
    let nested = '1';
    for (let i = 0; i < 5000; i++) nested = `{"a":${nested}}`;
    const deep = await scim(h).raw('post', '/Users', `{"schemas":["${USER_SCHEMA}"],"userName":"deep","${ENTERPRISE}":${nested}}`);
    expect([deep.status, deep.body.schemas]).toEqual([400, [ERROR_SCHEMA]]);
    const bulk = await scim(h).post('/Bulk', { schemas: ['urn:ietf:params:scim:api:messages:2.0:BulkRequest'], Operations: [null] });
    expect([bulk.status, bulk.body.Operations[0].status, bulk.body.Operations[0].response.scimType]).toEqual([200, '400', 'invalidSyntax']);
  });

  it('filters with escaped quotes (RFC 7644 3.4.2.2 JSON strings) in GET and in searches', async () => {
    const h = harness();
    const { id } = await createUser(h, 'quote"d');
    const group = await scim(h).post('/Groups', { schemas: [GROUP_SCHEMA], displayName: 'Team "Alpha"' });
    const users = await scim(h).get(`/Users?filter=${encodeURIComponent('userName eq "quote\\"d"')}`);
    expect(users.body.Resources.map((r: { id: string }) => r.id)).toEqual([id]);
    const groups = await scim(h).post('/Groups/.search', { schemas: ['urn:ietf:params:scim:api:messages:2.0:SearchRequest'], filter: 'displayName eq "Team \\"Alpha\\""' });
    expect(groups.body.Resources.map((r: { id: string }) => r.id)).toEqual([group.body.id]);
  });

  it('projects URN-qualified attribute names (RFC 7644 3.10)', async () => {
    const h = harness();
    const { id } = await createUser(h, 'urn', { schemas: [USER_SCHEMA, ENTERPRISE], [ENTERPRISE]: { department: 'Sales', employeeNumber: '7' } });
    const core = await scim(h).get(`/Users/${id}?attributes=${encodeURIComponent(`${USER_SCHEMA}:userName,name.givenName`)}`);
    expect(Object.keys(core.body).sort()).toEqual(['id', 'meta', 'name', 'schemas', 'userName']);
    expect(core.body.name).toEqual({ givenName: 'Given' });
    const ext = await scim(h).get(`/Users/${id}?attributes=${encodeURIComponent(`${ENTERPRISE}:department`)}`);
    expect(ext.body[ENTERPRISE]).toEqual({ department: 'Sales' });
    expect(ext.body.userName).toBeUndefined();
    const without = await scim(h).get(`/Users/${id}?excludedAttributes=${encodeURIComponent(`${ENTERPRISE}:employeeNumber,emails.type,id`)}`);
    expect(without.body[ENTERPRISE]).toEqual({ department: 'Sales' });
    expect(without.body.emails).toEqual([{ value: 'urn@example.com', primary: true }]);
    expect(without.body.id).toBe(id);
  });
});

describe('small RFC details', () => {
  it('accepts PATCH paths qualified with the core schema URN', async () => {
    const h = harness();
    const { id } = await createUser(h, 'urn-path');
    const res = await scim(h).patch(`/Users/${id}`, patchOps({ op: 'replace', path: `${USER_SCHEMA}:name.givenName`, value: 'Q' }, { op: 'Replace', path: `${USER_SCHEMA}:displayName`, value: 'QN' }));
    expect(res.body).toMatchObject({ name: { givenName: 'Q' }, displayName: 'QN' });
  });

  it('reports itemsPerPage equal to the resources returned on /Schemas and /ResourceTypes', async () => {
    const h = harness();
    for (const path of ['/Schemas', '/ResourceTypes']) {
      const res = await scim(h).get(path);
      expect(res.body.itemsPerPage).toBe(res.body.Resources.length);
      expect(res.body.totalResults).toBe(res.body.Resources.length);
    }
  });
});
