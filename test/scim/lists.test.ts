import { GROUP_SCHEMA, USER_SCHEMA, createUser, harness, scim } from './helpers';

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
});
