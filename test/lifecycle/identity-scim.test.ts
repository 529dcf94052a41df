import { IDENTITY_SCHEMA_ID } from '../../src/lifecycle/identity';
import { USER_SCHEMA, harness, scim, userBody } from '../scim/helpers';

const contractor = { identityType: 'contractor', sponsor: 'bob', expiresAt: '2026-09-01T00:00:00.000Z' };

describe('identity extension over SCIM', () => {
  it('publishes the identity types as canonicalValues and still accepts them in any case', async () => {
    const h = harness();
    const schema = await scim(h).get(`/Schemas/${IDENTITY_SCHEMA_ID}`);
    expect(schema.body.attributes.find((a: { name: string }) => a.name === 'identityType')).toMatchObject({ canonicalValues: ['human', 'contractor', 'service'], caseExact: false });
    const created = await scim(h).post('/Users', { ...userBody('bot'), schemas: [USER_SCHEMA, IDENTITY_SCHEMA_ID], [IDENTITY_SCHEMA_ID]: { identityType: 'Service', owner: 'bob', purpose: 'ci' } });
    expect(created.status).toBe(201);
  });

  it('keeps the stored lifecycle fields when an IdP PUTs the user without the extension (Okta does)', async () => {
    const h = harness();
    const created = await scim(h).post('/Users', { ...userBody('temp'), schemas: [USER_SCHEMA, IDENTITY_SCHEMA_ID], [IDENTITY_SCHEMA_ID]: contractor });
    const put = await scim(h).put(`/Users/${created.body.id}`, userBody('temp', { displayName: 'Temp Worker' }));
    expect(put.status).toBe(200);
    expect(put.body).toMatchObject({ displayName: 'Temp Worker', [IDENTITY_SCHEMA_ID]: contractor });
    expect(put.body.schemas).toContain(IDENTITY_SCHEMA_ID);
    expect(h.store.users.get(created.body.id)!.resource[IDENTITY_SCHEMA_ID]).toEqual(contractor);

    const replaced = await scim(h).put(`/Users/${created.body.id}`, { ...userBody('temp'), schemas: [USER_SCHEMA, IDENTITY_SCHEMA_ID], [IDENTITY_SCHEMA_ID]: { identityType: 'human' } });
    expect(replaced.body[IDENTITY_SCHEMA_ID]).toEqual({ identityType: 'human' });
  });
});
