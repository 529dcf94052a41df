import { IDENTITY_SCHEMA_ID } from '../../src/lifecycle/identity';
import request from 'supertest';
import { ENTERPRISE, ERROR_SCHEMA, GROUP_SCHEMA, SCIM_JSON, USER_SCHEMA, counts, harness, scim, userBody } from './helpers';

const BULK = 'urn:ietf:params:scim:api:messages:2.0:BulkRequest';

describe('discovery endpoints', () => {
  it('tells the truth in /ServiceProviderConfig', async () => {
    const h = harness({ maxBulkOperations: 50, maxPayloadBytes: 200_000, maxResults: 25 });
    const res = await scim(h).get('/ServiceProviderConfig');
    expect(res.status).toBe(200);
    expect(res.headers['content-type']).toContain(SCIM_JSON);
    expect(res.body).toMatchObject({
      patch: { supported: true },
      bulk: { supported: true, maxOperations: 50, maxPayloadSize: 200_000 },
      filter: { supported: true, maxResults: 25 },
      sort: { supported: true },
      etag: { supported: true },
      changePassword: { supported: false },
    });
    expect(res.body.authenticationSchemes).toHaveLength(1);
    expect(res.body.authenticationSchemes[0].type).toBe('oauthbearertoken');
  });

  it('lists Users (with the enterprise and identity extensions) and Groups in /ResourceTypes and /Schemas', async () => {
    const h = harness();
    const types = await scim(h).get('/ResourceTypes');
    const byName = Object.fromEntries(types.body.Resources.map((r: { name: string }) => [r.name, r]));
    expect(byName.User).toMatchObject({ endpoint: '/Users', schema: USER_SCHEMA, schemaExtensions: [{ schema: ENTERPRISE, required: false }, { schema: IDENTITY_SCHEMA_ID, required: false }] });
    expect(byName.Group).toMatchObject({ endpoint: '/Groups', schema: GROUP_SCHEMA });
    const schemas = await scim(h).get('/Schemas');
    expect(schemas.body.Resources.map((s: { id: string }) => s.id)).toEqual(expect.arrayContaining([USER_SCHEMA, GROUP_SCHEMA, ENTERPRISE, IDENTITY_SCHEMA_ID]));
  });

  it('lists the schemas of the discovery resources too (RFC 7643 7, 8.7.2), and none as a resource type', async () => {
    const h = harness();
    const core = (name: string) => `urn:ietf:params:scim:schemas:core:2.0:${name}`;
    const schemas = (await scim(h).get('/Schemas')).body;
    const ids = schemas.Resources.map((s: { id: string }) => s.id);
    expect(ids).toEqual(expect.arrayContaining([core('ServiceProviderConfig'), core('ResourceType'), core('Schema')]));
    expect(schemas.totalResults).toBe(ids.length);
    const schema = await scim(h).get(`/Schemas/${core('Schema')}`);
    expect(schema.status).toBe(200);
    expect(schema.body).toMatchObject({ id: core('Schema'), name: 'Schema', meta: { resourceType: 'Schema' } });
    const attributes = schema.body.attributes.find((a: { name: string }) => a.name === 'attributes');
    expect(attributes).toMatchObject({ type: 'complex', multiValued: true, mutability: 'readOnly' });
    expect(attributes.subAttributes.map((a: { name: string }) => a.name)).toEqual(expect.arrayContaining(['name', 'type', 'mutability', 'returned', 'subAttributes']));
    const config = await scim(h).get(`/Schemas/${core('ServiceProviderConfig')}`);
    expect(config.body.attributes.map((a: { name: string }) => a.name)).toEqual(expect.arrayContaining(['patch', 'bulk', 'filter', 'etag']));
    const types = (await scim(h).get('/ResourceTypes')).body.Resources.map((r: { name: string }) => r.name);
    expect(types.sort()).toEqual(['Group', 'User']);
  });

  it('requires a token for every SCIM endpoint', async () => {
    const h = harness();
    const res = await request(h.app).get('/scim/v2/Users');
    expect(res.status).toBe(401);
    expect(res.body).toMatchObject({ schemas: [ERROR_SCHEMA], status: '401' });
  });
});

describe('/Bulk', () => {
  it('applies operations with bulkId references, each in its own transaction', async () => {
    const h = harness();
    const res = await scim(h).post('/Bulk', {
      schemas: [BULK],
      Operations: [
        { method: 'POST', path: '/Users', bulkId: 'u1', data: userBody('bulk1') },
        { method: 'POST', path: '/Groups', bulkId: 'g1', data: { schemas: [GROUP_SCHEMA], displayName: 'BG', members: [{ value: 'bulkId:u1' }] } },
      ],
    });
    expect(res.status).toBe(200);
    expect(res.body.Operations.map((o: { status: string }) => o.status)).toEqual(['201', '201']);
    const groupId = res.body.Operations[1].location.split('/').pop();
    const group = await scim(h).get(`/Groups/${groupId}`);
    expect(group.body.members).toHaveLength(1);
    expect(h.store.ledger.verify()).toMatchObject({ ok: true, rows: 2 });
  });

  it('normalises IdP shapes inside bulk operations too', async () => {
    const h = harness();
    const created = await scim(h).post('/Users', userBody('bn'));
    const res = await scim(h).post('/Bulk', {
      schemas: [BULK],
      Operations: [{ method: 'PATCH', path: `/Users/${created.body.id}`, data: { schemas: ['urn:ietf:params:scim:api:messages:2.0:PatchOp'], Operations: [{ op: 'Replace', path: 'active', value: 'False' }] } }],
    });
    expect(res.body.Operations[0].status).toBe('200');
    expect((await scim(h).get(`/Users/${created.body.id}`)).body.active).toBe(false);
  });

  it('stops after failOnErrors and reports each failure as a SCIM error', async () => {
    const h = harness();
    const res = await scim(h).post('/Bulk', {
      schemas: [BULK],
      failOnErrors: 1,
      Operations: [
        { method: 'POST', path: '/Users', bulkId: 'a', data: userBody('dup') },
        { method: 'POST', path: '/Users', bulkId: 'b', data: userBody('DUP') },
        { method: 'POST', path: '/Users', bulkId: 'c', data: userBody('never') },
      ],
    });
    expect(res.status).toBe(200);
    expect(res.body.Operations).toHaveLength(2);
    expect(res.body.Operations[1]).toMatchObject({ status: '409', response: { scimType: 'uniqueness' } });
    expect(counts(h.store).users).toBe(1);
  });

  it('refuses more than maxOperations with 413 tooMany and writes nothing', async () => {
    const h = harness({ maxBulkOperations: 2 });
    const before = counts(h.store);
    const Operations = [1, 2, 3].map((i) => ({ method: 'POST', path: '/Users', bulkId: `b${i}`, data: userBody(`b${i}`) }));
    const res = await scim(h).post('/Bulk', { schemas: [BULK], Operations });
    expect(res.status).toBe(413);
    expect(res.body).toMatchObject({ schemas: [ERROR_SCHEMA], status: '413', scimType: 'tooMany', detail: expect.stringContaining('maxOperations is 2') });
    expect(counts(h.store)).toEqual(before);
  });
});

describe('server.baseUrl', () => {
  it('makes every meta.location and Location header absolute, discovery endpoints included', async () => {
    const h = harness({}, { baseUrl: 'https://bridge.example.com/' });
    const created = await scim(h).post('/Users', userBody('located'));
    expect(created.headers.location).toBe(`https://bridge.example.com/scim/v2/Users/${created.body.id}`);
    expect(created.body.meta.location).toBe(created.headers.location);
    expect((await scim(h).get('/ServiceProviderConfig')).body.meta.location).toBe('https://bridge.example.com/scim/v2/ServiceProviderConfig');
    expect((await scim(h).get('/ResourceTypes/User')).body.meta.location).toBe('https://bridge.example.com/scim/v2/ResourceTypes/User');
    const schemas = (await scim(h).get('/Schemas')).body.Resources as Array<{ meta: { location: string } }>;
    expect(schemas.length).toBeGreaterThan(0);
    for (const schema of schemas) expect(schema.meta.location).toMatch(/^https:\/\/bridge\.example\.com\/scim\/v2\/Schemas\/urn:/);
  });
});

describe('locations without server.baseUrl', () => {
  it('start with the origin the request reached, so a client can GET them as given', async () => {
    const h = harness();
    const created = await scim(h).post('/Users', userBody('hosted')).set('Host', 'bridge.internal:8080');
    expect(created.headers.location).toBe(`http://bridge.internal:8080/scim/v2/Users/${created.body.id}`);
    expect(created.body.meta.location).toBe(created.headers.location);
    const config = await scim(h).get('/ServiceProviderConfig').set('Host', '[::1]:8080');
    expect(config.body.meta.location).toBe('http://[::1]:8080/scim/v2/ServiceProviderConfig');
  });

  it('stay relative rather than echo a Host header that is not a plain host', async () => {
    const h = harness();
    const created = await scim(h).post('/Users', userBody('odd-host')).set('Host', 'evil.example/<x>');
    expect(created.status).toBe(201);
    expect(created.body.meta.location).toBe(`/scim/v2/Users/${created.body.id}`);
  });
});

describe('/Me', () => {
  it('is not offered: 501 as a SCIM error, not logged as a server fault', async () => {
    const h = harness();
    const res = await scim(h).get('/Me');
    expect(res.status).toBe(501);
    expect(res.body).toMatchObject({ schemas: [ERROR_SCHEMA], status: '501', detail: expect.stringMatching(/^Endpoint Not Implemented/) });
    expect((await scim(h).delete('/Me')).status).toBe(501);
    expect(h.logLines.filter((line) => line.includes('"level":"error"'))).toEqual([]);
  });
});
