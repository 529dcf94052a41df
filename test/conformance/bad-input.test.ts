/**
 * Bad input at the SCIM edge: every request here must get a 4xx SCIM error (or a well-defined 2xx),
 * never a 5xx, never a crash, and never a partial write. State is compared before and after.
 */
import request from 'supertest';
import {
  GROUP_SCHEMA, PATCH_OP, SCIM_JSON, USER_SCHEMA,
  counts, createUser, expectScim, expectScimError, fileHarness, getWith, patchOps, scim, userBody, type FileHarness,
} from './support';

describe('bad input at the SCIM edge', () => {
  let h: FileHarness;
  beforeEach(() => (h = fileHarness({ maxPayloadBytes: 1_048_576 })));
  afterEach(() => h.close());

  const raw = (method: 'post' | 'put' | 'patch', path: string, body: string | Buffer, type = SCIM_JSON) =>
    request(h.app)[method](`/scim/v2${path}`).set(h.auth).set('Content-Type', type).send(body);

  /** Runs a rejected request and checks it left the database exactly as it was. */
  async function rejected(send: () => Promise<request.Response>, status: number, scimType?: string) {
    const before = counts(h.store);
    const res = await send();
    expectScimError(res, status, scimType);
    expect(counts(h.store)).toEqual(before);
    return res;
  }

  it('malformed JSON is 400 invalidSyntax on every write endpoint', async () => {
    const { id } = await createUser(h, 'target');
    for (const text of ['{', '{"userName": }', "{'userName': 'x'}", '{"a":1}{"b":2}', '\u0000', '{"userName":"x",}']) {
      await rejected(() => raw('post', '/Users', text), 400, 'invalidSyntax');
      await rejected(() => raw('put', `/Users/${id}`, text), 400, 'invalidSyntax');
      await rejected(() => raw('patch', `/Users/${id}`, text), 400, 'invalidSyntax');
      await rejected(() => raw('post', '/Bulk', text), 400, 'invalidSyntax');
    }
  });

  it('non-object bodies (array, string, number, null, true) are 400', async () => {
    const { id } = await createUser(h, 'target');
    for (const text of ['[]', '[{"userName":"x"}]', '"userName"', '42', 'null', 'true']) {
      await rejected(() => raw('post', '/Users', text), 400);
      await rejected(() => raw('patch', `/Users/${id}`, text), 400);
      await rejected(() => raw('post', '/Groups', text), 400);
      await rejected(() => raw('post', '/Users/.search', text), 400);
    }
  });

  it('an empty body on POST/PUT/PATCH is 400', async () => {
    const { id } = await createUser(h, 'target');
    await rejected(() => raw('post', '/Users', ''), 400);
    await rejected(() => raw('put', `/Users/${id}`, ''), 400);
    await rejected(() => raw('patch', `/Users/${id}`, ''), 400);
  });

  it('a JSON body sent with a non-JSON Content-Type is refused with a 4xx SCIM error (415 or 400) and writes nothing', async () => {
    for (const type of ['text/plain', 'application/x-www-form-urlencoded', 'application/xml', 'multipart/form-data; boundary=x']) {
      const before = counts(h.store);
      const res = await raw('post', '/Users', JSON.stringify(userBody(`ct-${type.length}`)), type);
      expect([400, 415]).toContain(res.status);
      expectScimError(res, res.status);
      expect(counts(h.store)).toEqual(before);
    }
  });

  it('accepts application/scim+json and application/json with a charset parameter', async () => {
    expectScim(await raw('post', '/Users', JSON.stringify(userBody('charset-a')), 'application/scim+json; charset=utf-8'), 201);
    expectScim(await raw('post', '/Users', JSON.stringify(userBody('charset-b')), 'application/json;charset=UTF-8'), 201);
  });

  it('a charset other than UTF-8 is 415 (not "invalid JSON"), and writes nothing', async () => {
    const res = await raw('post', '/Users', JSON.stringify(userBody('latin')), 'application/scim+json; charset=latin1');
    expectScimError(res, 415);
    expect(res.body.detail).toMatch(/UTF-8.*latin1/);
    await rejected(() => raw('post', '/Users', JSON.stringify(userBody('latin')), 'application/json; charset=iso-8859-1'), 415);
  });

  it('PATCH paths the RFC grammar refuses are 400 invalidPath, and an add or replace without a value is 400 invalidValue', async () => {
    const { id } = await createUser(h, 'paths');
    const patch = (operation: object) => raw('patch', `/Users/${id}`, JSON.stringify({ schemas: ['urn:ietf:params:scim:api:messages:2.0:PatchOp'], Operations: [operation] }));
    await rejected(() => patch({ op: 'replace', path: 'name..givenName', value: 'x' }), 400, 'invalidPath');
    await rejected(() => patch({ op: 'replace', path: 'displayName[value eq "x"]', value: 'y' }), 400, 'invalidPath');
    await rejected(() => patch({ op: 'add', path: 'name[givenName eq "Given"].familyName', value: 'y' }), 400, 'invalidPath');
    await rejected(() => patch({ op: 'replace', path: 'displayName' }), 400, 'invalidValue');
    expectScim(await patch({ op: 'replace', path: 'emails[type eq "work"].value', value: 'ok@example.com' }), 200);
    expectScim(await patch({ op: 'replace', path: 'urn:ietf:params:scim:schemas:extension:enterprise:2.0:User:department', value: 'Eng' }), 200);
  });

  it('a body over maxPayloadBytes is 413 and writes nothing', async () => {
    const huge = JSON.stringify(userBody('huge', { title: 'x'.repeat(1_100_000) }));
    await rejected(() => raw('post', '/Users', huge), 413);
    await rejected(() => raw('post', '/Bulk', JSON.stringify({ schemas: ['urn:ietf:params:scim:api:messages:2.0:BulkRequest'], Operations: [{ method: 'POST', path: '/Users', data: userBody('b', { title: 'y'.repeat(1_100_000) }) }] })), 413);
  });

  const nestedObject = (depth: number) => '{"a":'.repeat(depth) + '1' + '}'.repeat(depth);
  const nestedArray = (depth: number) => '['.repeat(depth) + ']'.repeat(depth);

  it('deeply nested JSON (10,000 levels) in core attributes, PATCH values and search bodies is never a 5xx', async () => {
    const { id } = await createUser(h, 'deep-target');
    for (const deep of [nestedObject(10_000), nestedArray(10_000)]) {
      for (const res of [
        await raw('post', '/Users', `{"schemas":["${USER_SCHEMA}"],"userName":"deep","name":${deep}}`),
        await raw('patch', `/Users/${id}`, `{"schemas":["${PATCH_OP}"],"Operations":[{"op":"replace","value":${deep}}]}`),
        await raw('patch', `/Users/${id}`, `{"schemas":["${PATCH_OP}"],"Operations":[{"op":"replace","path":"title","value":${deep}}]}`),
        await raw('post', '/Users/.search', `{"schemas":["urn:ietf:params:scim:api:messages:2.0:SearchRequest"],"filter":${deep}}`),
        await raw('post', '/Groups', `{"schemas":["${GROUP_SCHEMA}"],"displayName":"deep","members":${deep}}`),
      ]) {
        expect(res.status).toBeLessThan(500);
        if (res.status >= 400) expectScimError(res, res.status);
      }
    }
    expect(expectScim(await scim(h).get(`/Users/${id}`), 200).userName).toBe('deep-target');
  });

  it('deeply nested JSON under an extension URN key is a 400, not a stack-overflow 500', async () => {
    await rejected(() => raw('post', '/Users', `{"schemas":["${USER_SCHEMA}"],"userName":"deep2","urn:ietf:params:scim:schemas:extension:enterprise:2.0:User":${nestedObject(10_000)}}`), 400);
  });

  it('deeply nested filters (1,000 parentheses or not()) are 400 invalidFilter, never a 5xx', async () => {
    for (const filter of ['('.repeat(1000) + 'userName eq "a"' + ')'.repeat(1000), 'not ('.repeat(1000) + 'userName eq "a"' + ')'.repeat(1000)]) {
      const res = await getWith(h, '/Users', { filter });
      if (res.status !== 200) expectScimError(res, 400, 'invalidFilter');
    }
    const long = Array.from({ length: 500 }, (_, i) => `userName eq "u${i}"`).join(' or ');
    const res = await scim(h).post('/Users/.search', { schemas: ['urn:ietf:params:scim:api:messages:2.0:SearchRequest'], filter: long });
    expect(res.status).toBeLessThan(500);
  });

  it('a body that names the other resource\'s schema is 400 invalidSyntax and writes nothing', async () => {
    await rejected(() => scim(h).post('/Users', { ...userBody('group-schema'), schemas: [GROUP_SCHEMA] }), 400, 'invalidSyntax');
    await rejected(() => scim(h).post('/Groups', { schemas: [USER_SCHEMA], displayName: 'x' }), 400, 'invalidSyntax');
  });

  it('a body without a usable schemas array is 400 invalidSyntax (RFC 7643 3: schemas is REQUIRED)', async () => {
    const { id } = await createUser(h, 'schema-target');
    const { schemas: _schemas, ...noSchemas } = userBody('no-schemas');
    await rejected(() => scim(h).post('/Users', noSchemas), 400, 'invalidSyntax');
    await rejected(() => scim(h).post('/Users', { ...userBody('string-schema'), schemas: USER_SCHEMA }), 400, 'invalidSyntax');
    await rejected(() => scim(h).put(`/Users/${id}`, { ...userBody('schema-target', { title: 'changed' }), schemas: [] }), 400, 'invalidSyntax');
  });

  it('never claims a schema it does not implement: an unknown extension is refused (400) or left out of `schemas`', async () => {
    const nope = 'urn:ietf:params:scim:schemas:extension:nope:2.0:User';
    const res = await scim(h).post('/Users', { ...userBody('unknown-ext'), schemas: [USER_SCHEMA, nope], [nope]: { a: 1 } });
    if (res.status === 400) return void expectScimError(res, 400);
    const created = expectScim(res, 201);
    expect(created.schemas).not.toContain(nope);
    expect(expectScim(await scim(h).get(`/Users/${created.id}`), 200).schemas).not.toContain(nope);
  });

  it('wrong attribute types are 400 invalidValue and write nothing', async () => {
    const { id } = await createUser(h, 'types-target');
    const bodies = [
      { ...userBody('x'), userName: 42 },
      { ...userBody('x'), userName: ['a'] },
      { ...userBody('x'), userName: '' },
      { ...userBody('x'), userName: null },
      { ...userBody('x'), active: 'maybe' },
      { ...userBody('x'), name: 'just a string' },
      { ...userBody('x'), emails: 'a@b.c' },
      { ...userBody('x'), emails: [{ value: { nested: true } }] },
    ];
    for (const body of bodies) await rejected(() => scim(h).post('/Users', body), 400);
    await rejected(() => scim(h).patch(`/Users/${id}`, patchOps({ op: 'replace', path: 'active', value: 'maybe' })), 400);
    await rejected(() => scim(h).patch(`/Users/${id}`, patchOps({ op: 'replace', path: 'userName', value: 7 })), 400);
    await rejected(() => scim(h).patch(`/Users/${id}`, patchOps({ op: 'replace', value: null })), 400);
    await rejected(() => scim(h).patch(`/Users/${id}`, patchOps({ op: 'add', path: 'emails', value: 'not-a-list' })), 400);
    await rejected(() => scim(h).patch(`/Users/${id}`, { schemas: [PATCH_OP], Operations: 'replace' }), 400);
    await rejected(() => scim(h).patch(`/Users/${id}`, { schemas: [PATCH_OP], Operations: [null] }), 400);
    await rejected(() => scim(h).patch(`/Users/${id}`, { schemas: [PATCH_OP], Operations: [{ op: 42 }] }), 400);
    expect(expectScim(await scim(h).get(`/Users/${id}`), 200).userName).toBe('types-target');
  });

  it('an extension value that is not an object is 400 invalidValue, not silently dropped', async () => {
    const ext = 'urn:ietf:params:scim:schemas:extension:enterprise:2.0:User';
    await rejected(() => scim(h).post('/Users', { ...userBody('ext-string'), schemas: [USER_SCHEMA, ext], [ext]: 'Engineering' }), 400, 'invalidValue');
    await rejected(() => scim(h).post('/Users', { ...userBody('ext-array'), schemas: [USER_SCHEMA, ext], [ext]: [{ department: 'Engineering' }] }), 400, 'invalidValue');
  });

  it('a null item in a multi-valued attribute is refused with 400 invalidValue (or dropped), never stored', async () => {
    for (const [attribute, value] of [['emails', [null]], ['phoneNumbers', [{ type: 'work', value: '1' }, null]], ['addresses', [null]]] as const) {
      const res = await scim(h).post('/Users', userBody(`null-${attribute}`, { [attribute]: value }));
      if (res.status === 400) {
        expectScimError(res, 400, 'invalidValue');
        continue;
      }
      const created = expectScim(res, 201);
      const stored = expectScim(await scim(h).get(`/Users/${created.id}`), 200);
      expect({ attribute, items: stored[attribute] ?? [] }).toEqual({ attribute, items: (stored[attribute] ?? []).filter((item: unknown) => item !== null) });
    }
  });

  it('invalid filters are 400 invalidFilter on GET and on .search', async () => {
    const filters = [
      'userName eq', 'userName xx "a"', '(userName eq "a"', 'userName eq "a")', 'userName eq "a" and', 'and', '"x" true', 'eq',
      'emails[type eq "work"', 'emails[type eq "work"]]', 'userName eq "unterminated', 'userName eq a b c', 'userName gt', '[]', 'not',
      'userName eq "a" or or userName eq "b"', 'emails[value eq "x"].value.extra eq "y"', 'userName eq @', 'userName  pr  extra',
    ];
    for (const filter of filters) {
      const res = await getWith(h, '/Users', { filter });
      expect({ filter, status: res.status, scimType: res.body.scimType }).toEqual({ filter, status: 400, scimType: 'invalidFilter' });
      expectScimError(res, 400);
      const search = await scim(h).post('/Users/.search', { schemas: ['urn:ietf:params:scim:api:messages:2.0:SearchRequest'], filter });
      expect({ filter, status: search.status }).toEqual({ filter, status: 400 });
    }
  });

  it('SQL-shaped filter values, sortBy and attribute names match nothing and change nothing', async () => {
    const { id } = await createUser(h, 'victim');
    for (const filter of [`userName eq "x' OR '1'='1"`, 'userName eq "x\\" OR 1=1 --"', 'userName co "%\' OR 1=1; DROP TABLE users; --"']) {
      const res = await getWith(h, '/Users', { filter });
      expect({ filter, status: res.status < 500 }).toEqual({ filter, status: true });
      if (res.status === 200) expect(res.body.totalResults).toBe(0);
    }
    for (const query of <Array<Record<string, string>>>[{ sortBy: 'userName; DROP TABLE users' }, { sortBy: 'userName" DESC, (SELECT 1)--' }, { attributes: 'userName FROM users; --' }, { filter: 'userName; DROP TABLE users pr' }]) {
      const res = await getWith(h, '/Users', query);
      expect({ query, status: res.status < 500 }).toEqual({ query, status: true });
    }
    expect(expectScim(await scim(h).get(`/Users/${id}`), 200).userName).toBe('victim');
    expect(counts(h.store).users).toBe(1);
  });

  it('invalid paging and projection parameters are 400, never 5xx', async () => {
    for (const query of <Array<Record<string, string>>>[{ startIndex: 'abc' }, { count: 'ten' }, { count: '1e3' }, { startIndex: '1.5' }, { count: '1.0' }]) {
      const res = await getWith(h, '/Users', query);
      expectScimError(res, 400);
    }
    for (const query of <Array<Record<string, string>>>[{ attributes: ',,,' }, { attributes: 'name..givenName' }, { excludedAttributes: '"' }, { sortOrder: 'sideways' }, { sortBy: '' }]) {
      const res = await getWith(h, '/Users', query);
      expect({ query, status: res.status < 500 }).toEqual({ query, status: true });
      if (res.status >= 400) expectScimError(res, res.status);
    }
  });

  it('10,000-element arrays (emails, members, Operations) get an answer under 500 and leave no partial write', async () => {
    const { id } = await createUser(h, 'array-target');
    const emails = Array.from({ length: 10_000 }, (_, i) => ({ value: `u${i}@x.io`, type: 'work' }));
    const manyEmails = await scim(h).post('/Users', userBody('many-emails', { emails }));
    expect(manyEmails.status).toBeLessThan(500);
    if (manyEmails.status === 201) expect(expectScim(await scim(h).get(`/Users/${manyEmails.body.id}`), 200).emails).toHaveLength(10_000);

    const before = counts(h.store);
    const members = Array.from({ length: 10_000 }, (_, i) => ({ value: `missing-${i}` }));
    await rejected(() => scim(h).post('/Groups', { schemas: [GROUP_SCHEMA], displayName: 'huge', members: [{ value: id }, ...members] }), 400, 'invalidValue');
    expect(counts(h.store)).toEqual(before);

    const ops = Array.from({ length: 10_000 }, (_, i) => ({ op: 'replace', path: 'title', value: `t${i}` }));
    const patched = await scim(h).patch(`/Users/${id}`, { schemas: [PATCH_OP], Operations: ops });
    expect(patched.status).toBeLessThan(500);
    if (patched.status === 200) expect(expectScim(await scim(h).get(`/Users/${id}`), 200).title).toBe('t9999');
  });

  it('round-trips unicode exactly (emoji, combining marks, RTL, astral planes) and finds it by filter', async () => {
    const names = ['zoë@exämple.com', 'josé\u0301@ex.com', 'مستخدم@مثال.مصر', '𝔘𝔫𝔦𝔠𝔬𝔡𝔢🎉@x.io', '用户@例子.中国'];
    for (const userName of names) {
      const created = expectScim(await scim(h).post('/Users', userBody(userName, { displayName: `${userName} 👩‍💻` })), 201);
      expect(created.userName).toBe(userName);
      const found = expectScim(await getWith(h, '/Users', { filter: `userName eq "${userName}"` }), 200);
      expect(found.Resources.map((r: { id: string }) => r.id)).toEqual([created.id]);
      expect(found.Resources[0].displayName).toBe(`${userName} 👩‍💻`);
    }
  });

  // SQLite's NOCASE folds ASCII only: userName is compared in its own case-folded column.
  it('treats userName as case-insensitive beyond ASCII (RFC 7643 caseExact=false): "Änne" then "ÄNNE" is 409', async () => {
    await createUser(h, 'änne@example.com');
    await rejected(() => scim(h).post('/Users', userBody('ÄNNE@example.com')), 409, 'uniqueness');
    const found = expectScim(await getWith(h, '/Users', { filter: 'userName eq "ÄNNE@example.com"' }), 200);
    expect(found.totalResults).toBe(1);
  });

  it('null bytes and control characters in values never cause a 5xx; what is accepted reads back unchanged', async () => {
    for (const userName of ['nul\u0000byte', 'tab\there', 'line\nbreak', '\u202Eevil', '\uFEFFbom']) {
      const res = await scim(h).post('/Users', userBody(userName));
      expect(res.status).toBeLessThan(500);
      if (res.status === 201) {
        expect(expectScim(await scim(h).get(`/Users/${res.body.id}`), 200).userName).toBe(userName);
        expect(counts(h.store).users).toBeGreaterThan(0);
      } else {
        expectScimError(res, 400);
      }
    }
    const res = await getWith(h, '/Users', { filter: 'userName eq "nul\u0000byte"' });
    expect(res.status).toBeLessThan(500);
  });

  it('lone UTF-16 surrogates and invalid UTF-8 bytes never cause a 5xx', async () => {
    const invalidUtf8 = Buffer.concat([Buffer.from(`{"schemas":["${USER_SCHEMA}"],"userName":"bad`), Buffer.from([0xff, 0xfe, 0xc3]), Buffer.from('"}')]);
    const a = await raw('post', '/Users', invalidUtf8);
    expect(a.status).toBeLessThan(500);
    const b = await raw('post', '/Users', `{"schemas":["${USER_SCHEMA}"],"userName":"lone\\ud800surrogate"}`);
    expect(b.status).toBeLessThan(500);
  });

  it('prototype-pollution keys are inert: no 5xx, nothing polluted', async () => {
    const { id } = await createUser(h, 'proto-target');
    const bodies = [
      `{"schemas":["${USER_SCHEMA}"],"userName":"proto1","__proto__":{"polluted":true}}`,
      `{"schemas":["${USER_SCHEMA}"],"userName":"proto2","constructor":{"prototype":{"polluted":true}}}`,
      `{"schemas":["${USER_SCHEMA}"],"userName":"proto3","name":{"__proto__":{"polluted":true}}}`,
    ];
    for (const body of bodies) expect((await raw('post', '/Users', body)).status).toBeLessThan(500);
    const patch = await raw('patch', `/Users/${id}`, `{"schemas":["${PATCH_OP}"],"Operations":[{"op":"add","path":"__proto__.polluted","value":true},{"op":"replace","value":{"__proto__":{"polluted":true}}}]}`);
    expect(patch.status).toBeLessThan(500);
    expect(({} as Record<string, unknown>).polluted).toBeUndefined();
  });

  it('ids that are not ids (traversal, encoded slashes, very long, quotes) are 404, never 5xx', async () => {
    for (const id of ['..%2F..%2Fetc%2Fpasswd', '%00', 'a'.repeat(5000), '%22%20or%201%3D1', 'x%2Fy', '%E0%A4%A']) {
      const res = await request(h.app).get(`/scim/v2/Users/${id}`).set(h.auth);
      expect({ id: id.slice(0, 20), status: res.status }).toEqual({ id: id.slice(0, 20), status: 404 });
      expectScimError(res, 404);
    }
  });

  it('twenty concurrent creates of one userName in different cases: exactly one 201, the rest 409 uniqueness', async () => {
    const results = await Promise.all(
      Array.from({ length: 20 }, (_, i) => scim(h).post('/Users', userBody(i % 2 ? 'RACE@example.com' : 'race@example.com'))),
    );
    const statuses = results.map((r) => r.status).sort();
    expect(statuses.filter((s) => s === 201)).toHaveLength(1);
    expect(statuses.filter((s) => s === 409)).toHaveLength(19);
    expect(counts(h.store).users).toBe(1);
  });

  it('Bulk operations with bad shapes are reported per operation or rejected whole, never a 5xx', async () => {
    const BULK = 'urn:ietf:params:scim:api:messages:2.0:BulkRequest';
    const bodies = [
      { schemas: [BULK] },
      { schemas: [BULK], Operations: 'x' },
      { schemas: [BULK], Operations: [42, 'x'] },
      { schemas: [BULK], Operations: [{ method: 'TRACE', path: '/Users' }] },
      { schemas: [BULK], Operations: [{ method: 'POST' }] },
      { schemas: [BULK], Operations: [{ method: 'POST', path: '/Users' }] },
      { schemas: [BULK], Operations: [{ method: 'POST', path: '/Nope', bulkId: 'n', data: {} }] },
      { schemas: [BULK], Operations: [{ method: 'POST', path: '/Users', bulkId: 'dup', data: userBody('d1') }, { method: 'POST', path: '/Users', bulkId: 'dup', data: userBody('d2') }] },
      { schemas: [BULK], Operations: [{ method: 'PATCH', path: '/Users/bulkId:missing', data: patchOps({ op: 'replace', path: 'title', value: 'x' }) }] },
      { schemas: [BULK], failOnErrors: 'many', Operations: [] },
      { schemas: [BULK], Operations: [{ method: 'POST', path: '/Bulk', bulkId: 'nested', data: { schemas: [BULK], Operations: [] } }] },
    ];
    for (const body of bodies) {
      const res = await scim(h).post('/Bulk', body);
      expect({ body: JSON.stringify(body).slice(0, 120), status: res.status < 500 }).toEqual({ body: JSON.stringify(body).slice(0, 120), status: true });
      if (res.status >= 400) expectScimError(res, res.status);
      else for (const op of res.body.Operations ?? []) expect(Number(op.status)).toBeLessThan(500);
    }
  });

  it('a Bulk request whose Operations contain null is a 400, not a 500', async () => {
    const res = await scim(h).post('/Bulk', { schemas: ['urn:ietf:params:scim:api:messages:2.0:BulkRequest'], Operations: [null, { method: 'POST', path: '/Users', bulkId: 'u', data: userBody('after-null') }] });
    expect(res.status).toBeLessThan(500);
    if (res.status >= 400) expectScimError(res, res.status);
    else expect(res.body.Operations[0].status).toBe('400');
  });

  it('headers with garbage (If-Match, If-None-Match, Authorization) never cause a 5xx', async () => {
    const { id } = await createUser(h, 'header-target');
    for (const value of ['', '*', 'W/', '"', 'W/"abc"', 'x'.repeat(4000), '"1", W/"2", *']) {
      expect((await scim(h).get(`/Users/${id}`).set('If-None-Match', value)).status).toBeLessThan(500);
      expect((await scim(h).patch(`/Users/${id}`, patchOps({ op: 'replace', path: 'title', value: 't' })).set('If-Match', value)).status).toBeLessThan(500);
    }
    for (const value of ['Bearer', 'Bearer ', 'bearer  x y', 'Bearer \u00ff', `Bearer ${'x'.repeat(8000)}`]) {
      const res = await request(h.app).get('/scim/v2/Users').set('Authorization', value);
      expectScimError(res, 401);
    }
    const guessed = 'scb_guessed-token-that-must-not-be-logged';
    expectScimError(await request(h.app).get('/scim/v2/Users').set('Authorization', `Bearer ${guessed}`), 401);
    expect(h.logLines.join('')).not.toContain(guessed);
    expect(h.logLines.join('')).not.toContain(h.token);
  });
});
