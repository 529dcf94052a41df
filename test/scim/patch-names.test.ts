import { IDENTITY_SCHEMA_ID } from '../../src/lifecycle/identity';
import { ENTERPRISE, GROUP_SCHEMA, USER_SCHEMA, createUser, harness, patchOps, scim } from './helpers';

/** RFC 7643 2.1: attribute names and schema URIs are case-insensitive, in paths, value filters and no-path keys. */
describe('PATCH attribute names in any casing', () => {
  it('patches User paths named in other casings: core, sub-attributes, value filters and extensions', async () => {
    const h = harness();
    const { id } = await createUser(h, 'casing', { schemas: [USER_SCHEMA, ENTERPRISE], [ENTERPRISE]: { department: 'Old' } });
    const res = await scim(h).patch(`/Users/${id}`, patchOps(
      { op: 'replace', path: 'Active', value: false },
      { op: 'replace', path: 'USERNAME', value: 'Casing2' },
      { op: 'replace', path: 'TITLE', value: 'Lead' },
      { op: 'replace', path: 'Name.GivenName', value: 'Given2' },
      { op: 'replace', path: 'Emails[Type EQ "work"].Value', value: 'new@example.com' },
      { op: 'replace', path: 'URN:IETF:PARAMS:SCIM:SCHEMAS:EXTENSION:ENTERPRISE:2.0:USER:Department', value: 'New' },
      { op: 'add', path: `${IDENTITY_SCHEMA_ID.toUpperCase()}:Purpose`, value: 'testing' },
    ));
    expect(res.status).toBe(200);
    expect(res.body).toMatchObject({
      active: false,
      userName: 'Casing2',
      title: 'Lead',
      name: { givenName: 'Given2' },
      emails: [{ value: 'new@example.com', type: 'work' }],
      [ENTERPRISE]: { department: 'New' },
      [IDENTITY_SCHEMA_ID]: { purpose: 'testing' },
    });
  });

  it('patches no-path values whose keys use other casings, dotted paths and schema URNs (core included)', async () => {
    const h = harness();
    const { id } = await createUser(h, 'nopath');
    const res = await scim(h).patch(`/Users/${id}`, patchOps({
      op: 'replace',
      value: {
        Active: false,
        'name.GivenName': 'Q',
        'urn:ietf:params:scim:schemas:core:2.0:User:title': 'Core URN',
        [`${ENTERPRISE}:Department`]: 'Dept',
        [ENTERPRISE.toUpperCase()]: { CostCenter: 'CC' },
      },
    }));
    expect(res.status).toBe(200);
    expect(res.body).toMatchObject({ active: false, name: { givenName: 'Q' }, title: 'Core URN', [ENTERPRISE]: { department: 'Dept', costCenter: 'CC' } });
  });

  it('patches Group displayName and members named in other casings', async () => {
    const h = harness();
    const [a, b] = [await createUser(h, 'ga'), await createUser(h, 'gb')];
    const group = (await scim(h).post('/Groups', { schemas: [GROUP_SCHEMA], displayName: 'g' })).body;
    const patched = await scim(h).patch(`/Groups/${group.id}`, patchOps(
      { op: 'replace', path: 'DisplayName', value: 'Renamed' },
      { op: 'add', path: 'Members', value: [{ Value: a.id }, { Value: b.id }] },
      { op: 'remove', path: `MEMBERS[VALUE eq "${a.id}"]` },
    ));
    expect(patched.status).toBe(204);
    const read = (await scim(h).get(`/Groups/${group.id}`)).body;
    expect(read.displayName).toBe('Renamed');
    expect(read.members.map((m: { value: string }) => m.value)).toEqual([b.id]);
  });

  it('leaves the case of filter literals alone', async () => {
    const h = harness();
    const { id } = await createUser(h, 'literal', { emails: [{ value: 'a@example.com', type: 'Work And Play' }] });
    const res = await scim(h).patch(`/Users/${id}`, patchOps({ op: 'replace', path: 'emails[type eq "Work And Play"].value', value: 'b@example.com' }));
    expect(res.body.emails).toEqual([{ value: 'b@example.com', type: 'Work And Play' }]);
  });
});
