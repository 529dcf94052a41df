import { GROUP_SCHEMA, USER_SCHEMA, createUser, harness, scim } from './helpers';

const SEARCH = 'urn:ietf:params:scim:api:messages:2.0:SearchRequest';

describe('lists, filters, sorting and projections', () => {
  it('pages with startIndex/count and reports totalResults and itemsPerPage from SQL', async () => {
    const h = harness({ maxResults: 3 });
    for (let i = 0; i < 7; i++) await createUser(h, `u${i}`);
    const first = await scim(h).get('/Users?sortBy=userName');
    expect(first.body).toMatchObject({ totalResults: 7, startIndex: 1, itemsPerPage: 3 });
    const page = await scim(h).get('/Users?sortBy=userName&startIndex=6&count=10');
    expect(page.body).toMatchObject({ totalResults: 7, startIndex: 6, itemsPerPage: 2 });
    expect(page.body.Resources.map((r: { userName: string }) => r.userName)).toEqual(['u5', 'u6']);
    const beyond = await scim(h).get('/Users?startIndex=50');
    expect(beyond.body).toMatchObject({ totalResults: 7, itemsPerPage: 0, Resources: [] });
    const countOnly = await scim(h).get('/Users?count=0');
    expect(countOnly.body).toMatchObject({ totalResults: 7, itemsPerPage: 0 });
  });

  it('sorts descending and filters with SCIM operators', async () => {
    const h = harness();
    await createUser(h, 'anna', { title: 'dev' });
    await createUser(h, 'bert', { title: 'ops' });
    await createUser(h, 'carl', { title: 'dev', active: false });
    const desc = await scim(h).get('/Users?sortBy=userName&sortOrder=descending');
    expect(desc.body.Resources.map((r: { userName: string }) => r.userName)).toEqual(['carl', 'bert', 'anna']);
    const filtered = await scim(h).get(`/Users?filter=${encodeURIComponent('userName sw "a" or userName ew "rt"')}&sortBy=userName`);
    expect(filtered.body.Resources.map((r: { userName: string }) => r.userName)).toEqual(['anna', 'bert']);
    const inactive = await scim(h).get(`/Users?filter=${encodeURIComponent('active eq false')}`);
    expect(inactive.body.Resources.map((r: { userName: string }) => r.userName)).toEqual(['carl']);
    const byEmail = await scim(h).get(`/Users?filter=${encodeURIComponent('emails[type eq "work" and value co "bert@"]')}`);
    expect(byEmail.body.totalResults).toBe(1);
  });

  it('keeps id, schemas and meta under attributes and excludedAttributes', async () => {
    const h = harness();
    const { id } = await createUser(h, 'proj');
    const only = await scim(h).get(`/Users/${id}?attributes=userName`);
    expect(Object.keys(only.body).sort()).toEqual(['id', 'meta', 'schemas', 'userName']);
    expect(only.body.schemas).toEqual([USER_SCHEMA]);
    const without = await scim(h).get(`/Users?excludedAttributes=emails,name`);
    expect(without.body.Resources[0]).toMatchObject({ id, userName: 'proj', meta: expect.any(Object) });
    expect(without.body.Resources[0].emails).toBeUndefined();
    expect(without.body.Resources[0].name).toBeUndefined();
  });

  it('answers bad filters with 400 invalidFilter and bad paging values with 400 invalidValue', async () => {
    const h = harness();
    const bad = await scim(h).get(`/Users?filter=${encodeURIComponent('userName eq')}`);
    expect(bad.status).toBe(400);
    expect(bad.body).toMatchObject({ status: '400', scimType: 'invalidFilter' });
    for (const filter of ['userName eq "x" and (', 'userName zz "x"', '(((', 'emails[type eq "work"']) {
      const res = await scim(h).get(`/Users?filter=${encodeURIComponent(filter)}`);
      expect([res.status, res.body.scimType]).toEqual([400, 'invalidFilter']);
    }
    const paging = await scim(h).get('/Users?count=ten');
    expect(paging.status).toBe(400);
    expect(paging.body.scimType).toBe('invalidValue');
  });

  it('searches with POST /Users/.search and across types with POST /.search, paging over both', async () => {
    const h = harness();
    await createUser(h, 'sa');
    await createUser(h, 'sb');
    await scim(h).post('/Groups', { schemas: [GROUP_SCHEMA], displayName: 'ga' });
    const search = { schemas: ['urn:ietf:params:scim:api:messages:2.0:SearchRequest'] };
    const users = await scim(h).post('/Users/.search', { ...search, filter: 'userName eq "sb"', attributes: ['userName'] });
    expect(users.status).toBe(200);
    expect(users.body).toMatchObject({ totalResults: 1, Resources: [{ userName: 'sb' }] });
    const all = await scim(h).post('/.search', { ...search, startIndex: 2, count: 2 });
    expect(all.status).toBe(200);
    expect(all.body).toMatchObject({ totalResults: 3, startIndex: 2, itemsPerPage: 2 });
    expect(all.body.Resources.map((r: { meta: { resourceType: string } }) => r.meta.resourceType)).toEqual(['User', 'Group']);
    const groupsOnly = await scim(h).post('/.search', { ...search, filter: 'displayName eq "ga"' });
    expect(groupsOnly.body.totalResults).toBe(1);
  });

  it('takes a 1,000-term filter in a .search body; one past the limit, or nested too deep, is 400 invalidFilter', async () => {
    const h = harness();
    const wanted = await createUser(h, 'wanted');
    await createUser(h, 'other');
    const ids = [...Array.from({ length: 999 }, (_, index) => `id eq "missing-${index}"`), `id eq "${wanted.id}"`].join(' or ');
    expect(ids.length).toBeGreaterThan(16_384);
    const found = await scim(h).post('/Users/.search', { schemas: [SEARCH], filter: ids, attributes: ['userName'] });
    expect(found.status).toBe(200);
    expect(found.body).toMatchObject({ totalResults: 1, Resources: [{ userName: 'wanted' }] });

    const tooLong = `userName eq "${'a'.repeat(65_536)}"`;
    const deep = `${'not ('.repeat(40)}userName pr${')'.repeat(40)}`;
    for (const filter of [tooLong, deep]) {
      const refused = await scim(h).post('/Users/.search', { schemas: [SEARCH], filter });
      expect(refused.status).toBe(400);
      expect(refused.body).toMatchObject({ scimType: 'invalidFilter' });
    }
  });

  it('reads sortOrder in any casing on GET and in a search body, and refuses other values with 400 invalidValue', async () => {
    const h = harness();
    for (const name of ['anna', 'bert', 'carl']) await createUser(h, name);
    const names = (res: { body: { Resources: Array<{ userName: string }> } }) => res.body.Resources.map((r) => r.userName);
    expect(names(await scim(h).get('/Users?sortBy=userName&sortOrder=DESCENDING'))).toEqual(['carl', 'bert', 'anna']);
    expect(names(await scim(h).get('/Users?sortBy=userName&sortOrder=Ascending'))).toEqual(['anna', 'bert', 'carl']);
    const search = await scim(h).post('/Users/.search', { schemas: [SEARCH], sortBy: 'userName', sortOrder: 'Descending' });
    expect(names(search)).toEqual(['carl', 'bert', 'anna']);
    for (const res of [await scim(h).get('/Users?sortOrder=sideways'), await scim(h).post('/.search', { schemas: [SEARCH], sortOrder: 'up' })]) {
      expect(res.body).toMatchObject({ status: '400', scimType: 'invalidValue', detail: expect.stringContaining('ascending') });
    }
  });

  it('caps a count of any size at maxResults and answers a startIndex of any size with an empty page', async () => {
    const h = harness({ maxResults: 2 });
    for (const name of ['p1', 'p2', 'p3']) await createUser(h, name);
    const huge = '9'.repeat(40);
    expect((await scim(h).get(`/Users?count=${huge}`)).body).toMatchObject({ totalResults: 3, itemsPerPage: 2 });
    expect((await scim(h).get(`/Users?startIndex=${huge}`)).body).toMatchObject({ totalResults: 3, itemsPerPage: 0, Resources: [] });
    expect((await scim(h).get(`/Users?startIndex=-${huge}&count=1`)).body).toMatchObject({ startIndex: 1, itemsPerPage: 1 });
    const search = await scim(h).post('/Users/.search', { schemas: [SEARCH], startIndex: 1e300, count: 1e300 });
    expect(search.body).toMatchObject({ totalResults: 3, itemsPerPage: 0 });
    for (const bad of ['1.5', '1e3', 'ten']) expect((await scim(h).get(`/Users?count=${bad}`)).body).toMatchObject({ status: '400', detail: 'count must be an integer' });
    expect((await scim(h).post('/Users/.search', { schemas: [SEARCH], count: 'ten' })).body).toMatchObject({ status: '400', scimType: 'invalidValue' });
  });

  it('answers attribute lists that are not attribute names with a clear 400 that shows no parser internals', async () => {
    const h = harness();
    for (const query of ['attributes=', 'attributes=[[[', 'excludedAttributes=a%20b', 'attributes=name..givenName']) {
      const res = await scim(h).get(`/Users?${query}`);
      expect(res.body).toMatchObject({ status: '400', scimType: 'invalidValue', detail: expect.stringMatching(/attribute name/) });
      expect(res.body.detail).not.toMatch(/token| pr'|Expected/);
    }
    const search = await scim(h).post('/.search', { schemas: [SEARCH], attributes: ['userName', '[x'] });
    expect(search.body).toMatchObject({ status: '400', detail: expect.stringContaining('"[x" is not an attribute name') });
    expect((await scim(h).get('/Users?attributes=members.$ref,urn:ietf:params:scim:schemas:extension:enterprise:2.0:User:manager.value')).status).toBe(200);
  });

  it('serves /ServiceProviderConfig whatever attributes are asked for (only a filter is 403, RFC 7644 4)', async () => {
    const h = harness();
    expect((await scim(h).get('/ServiceProviderConfig?attributes=patch')).body).toMatchObject({ patch: { supported: true } });
    expect((await scim(h).get('/ServiceProviderConfig?excludedAttributes=bulk&count=3')).status).toBe(200);
    expect((await scim(h).get('/ServiceProviderConfig?filter=patch.supported%20eq%20true')).status).toBe(403);
  });

  it('compares a string attribute with a number literal as strings (userName gt 5 is userName gt "5")', async () => {
    const h = harness();
    for (const name of ['4a', '6', 'x1']) await createUser(h, name);
    const res = await scim(h).get(`/Users?filter=${encodeURIComponent('userName gt 5')}&sortBy=userName`);
    expect(res.body.Resources.map((r: { userName: string }) => r.userName)).toEqual(['6', 'x1']);
  });
});
