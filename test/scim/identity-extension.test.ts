import { IDENTITY_SCHEMA_ID } from '../../src/lifecycle/identity';
import { PATCH_OP, USER_SCHEMA, harness, scim, userBody } from './helpers';

const service = (owner?: string, purpose?: string) => ({
  ...userBody('etl-bot'),
  schemas: [USER_SCHEMA, IDENTITY_SCHEMA_ID],
  [IDENTITY_SCHEMA_ID]: { identityType: 'service', ...(owner ? { owner } : {}), ...(purpose ? { purpose } : {}), expiresAt: '2027-01-01T00:00:00Z' },
});

describe('identity-lifecycle extension', () => {
  it('is published in /Schemas and on the User resource type', async () => {
    const h = harness();
    const schema = await scim(h).get(`/Schemas/${IDENTITY_SCHEMA_ID}`);
    expect(schema.status).toBe(200);
    expect(schema.body.attributes.map((a: { name: string }) => a.name)).toEqual(['identityType', 'owner', 'sponsor', 'purpose', 'expiresAt']);
    const type = await scim(h).get('/ResourceTypes/User');
    expect(type.body.schemaExtensions).toEqual(expect.arrayContaining([{ schema: IDENTITY_SCHEMA_ID, required: false }]));
  });

  it('stores a service identity with owner, purpose and expiry and returns it', async () => {
    const h = harness();
    const created = await scim(h).post('/Users', service('dana', 'nightly ETL'));
    expect(created.status).toBe(201);
    expect(created.body[IDENTITY_SCHEMA_ID]).toMatchObject({ identityType: 'service', owner: 'dana', purpose: 'nightly ETL' });
    expect(created.body.schemas).toContain(IDENTITY_SCHEMA_ID);
    const found = await scim(h).get(`/Users?filter=${encodeURIComponent(`${IDENTITY_SCHEMA_ID}:identityType eq "service"`)}`);
    expect(found.body.totalResults).toBe(1);
  });

  it('refuses a service identity without an owner and a contractor without sponsor or expiry', async () => {
    const h = harness();
    const ownerless = await scim(h).post('/Users', service(undefined, 'ci'));
    expect(ownerless.status).toBe(400);
    expect(ownerless.body).toMatchObject({ scimType: 'invalidValue', detail: 'a service identity requires owner' });
    const contractor = await scim(h).post('/Users', { ...userBody('temp'), schemas: [USER_SCHEMA, IDENTITY_SCHEMA_ID], [IDENTITY_SCHEMA_ID]: { identityType: 'contractor' } });
    expect(contractor.status).toBe(400);
    expect(contractor.body.detail).toBe('a contractor identity requires sponsor and expiresAt');
    expect(h.store.db.prepare('SELECT COUNT(*) AS n FROM users').get()).toEqual({ n: 0 });
  });

  it('lets an IdP set the fields with a URN-keyed PATCH, and keeps the rules on PATCH', async () => {
    const h = harness();
    const created = await scim(h).post('/Users', userBody('contractor1'));
    const patched = await scim(h).patch(`/Users/${created.body.id}`, {
      schemas: [PATCH_OP],
      Operations: [{ op: 'Add', value: { [`${IDENTITY_SCHEMA_ID}:identityType`]: 'contractor', [`${IDENTITY_SCHEMA_ID}:sponsor`]: 'bob', [`${IDENTITY_SCHEMA_ID}:expiresAt`]: '2027-03-01T00:00:00Z' } }],
    });
    expect(patched.status).toBe(200);
    expect(patched.body[IDENTITY_SCHEMA_ID]).toMatchObject({ identityType: 'contractor', sponsor: 'bob' });
    const broken = await scim(h).patch(`/Users/${created.body.id}`, { schemas: [PATCH_OP], Operations: [{ op: 'remove', path: `${IDENTITY_SCHEMA_ID}:sponsor` }] });
    expect(broken.status).toBe(400);
    expect(broken.body.detail).toMatch(/requires sponsor/);
  });
});
