import { IDENTITY_SCHEMA_ID } from '../../src/lifecycle/identity';
import { ENTERPRISE, ERROR_SCHEMA, GROUP_SCHEMA, USER_SCHEMA, counts, createUser, harness, patchOps, scim } from './helpers';

describe('PATCH per RFC 7644 3.5.2', () => {
  it('matches value filters as each sub-attribute\'s caseExact says (3.4.2.2: an email\'s value and type are caseless)', async () => {
    const h = harness();
    const { id } = await createUser(h, 'caseless', {
      emails: [{ value: 'Mixed@Case.com', type: 'work', primary: true }, { value: 'Other@Case.com', type: 'home' }],
    });
    const replaced = await scim(h).patch(`/Users/${id}`, patchOps(
      { op: 'replace', path: 'emails[value eq "mixed@case.com"].display', value: 'Work mail' },
      { op: 'replace', path: 'EMAILS[TYPE eq "Home"].DISPLAY', value: 'Home mail' },
    ));
    expect(replaced.status).toBe(200);
    expect(replaced.body.emails).toEqual([
      { value: 'Mixed@Case.com', type: 'work', primary: true, display: 'Work mail' },
      { value: 'Other@Case.com', type: 'home', display: 'Home mail' },
    ]);
    const removed = await scim(h).patch(`/Users/${id}`, patchOps({ op: 'remove', path: 'emails[value eq "OTHER@case.COM"]' }));
    expect(removed.body.emails.map((email: { value: string }) => email.value)).toEqual(['Mixed@Case.com']);
    const none = await scim(h).patch(`/Users/${id}`, patchOps({ op: 'replace', path: 'emails[value eq "nobody@case.com"].display', value: 'x' }));
    expect([none.status, none.body.scimType]).toEqual([400, 'noTarget']);
  });

  it('replaces only the given sub-attributes of a complex attribute named by path (3.5.2.3)', async () => {
    const h = harness();
    const { id } = await createUser(h, 'complex', { name: { givenName: 'Grace', familyName: 'Hopper', middleName: 'Brewster' } });
    const res = await scim(h).patch(`/Users/${id}`, patchOps({ op: 'replace', path: 'name', value: { honorificPrefix: 'Dr', givenName: 'G.' } }));
    expect(res.status).toBe(200);
    expect(res.body.name).toEqual({ honorificPrefix: 'Dr', givenName: 'G.', familyName: 'Hopper', middleName: 'Brewster' });
    expect((await scim(h).get(`/Users/${id}`)).body.name).toEqual(res.body.name);
  });

  it('removes a whole extension by its URN (enterprise and identity), dropping it from schemas', async () => {
    const h = harness();
    const { id } = await createUser(h, 'ext', {
      schemas: [USER_SCHEMA, ENTERPRISE, IDENTITY_SCHEMA_ID],
      [ENTERPRISE]: { department: 'Eng', manager: { value: 'm-1' } },
      [IDENTITY_SCHEMA_ID]: { identityType: 'human', purpose: 'staff' },
    });
    const res = await scim(h).patch(`/Users/${id}`, patchOps({ op: 'Remove', path: ENTERPRISE }, { op: 'remove', path: IDENTITY_SCHEMA_ID.toUpperCase() }));
    expect([res.status, res.body.detail]).toEqual([200, undefined]);
    expect(res.body[ENTERPRISE]).toBeUndefined();
    expect(res.body[IDENTITY_SCHEMA_ID]).toBeUndefined();
    expect(res.body.schemas).toEqual([USER_SCHEMA]);
    expect((await scim(h).get(`/Users/${id}`)).body[ENTERPRISE]).toBeUndefined();
    const again = await scim(h).patch(`/Users/${id}`, patchOps({ op: 'remove', path: ENTERPRISE }));
    expect(again.headers.etag).toBe(res.headers.etag);
  });

  it('changes nothing (same version, no ledger row) when an add brings a value the attribute already holds', async () => {
    const h = harness();
    const { id, version } = await createUser(h, 'dup');
    const rows = counts(h.store).ledger;
    const res = await scim(h).patch(`/Users/${id}`, patchOps(
      { op: 'add', path: 'emails', value: [{ value: 'dup@example.com', type: 'work' }] },
      { op: 'add', value: { emails: [{ value: 'dup@example.com', type: 'work', primary: true }] } },
    ));
    expect(res.status).toBe(200);
    expect(res.body.emails).toEqual([{ value: 'dup@example.com', type: 'work', primary: true }]);
    expect(res.headers.etag).toBe(version);
    expect(counts(h.store).ledger).toBe(rows);
    const other = await scim(h).patch(`/Users/${id}`, patchOps({ op: 'add', path: 'emails', value: [{ value: 'dup@example.com', type: 'home' }] }));
    expect(other.body.emails).toHaveLength(2);
  });

  it('refuses readOnly attributes with 400 mutability: meta by path or key, groups, a different id', async () => {
    const h = harness();
    const { id } = await createUser(h, 'ro');
    const group = (await scim(h).post('/Groups', { schemas: [GROUP_SCHEMA], displayName: 'ro' })).body;
    const before = counts(h.store);
    for (const [path, operation] of [
      [`/Users/${id}`, { op: 'replace', path: 'meta.created', value: '2020-01-01T00:00:00Z' }],
      [`/Users/${id}`, { op: 'replace', path: 'META', value: {} }],
      [`/Users/${id}`, { op: 'replace', value: { title: 'x', meta: { created: '2020-01-01T00:00:00Z' } } }],
      [`/Users/${id}`, { op: 'add', path: 'groups', value: [{ value: group.id }] }],
      [`/Users/${id}`, { op: 'replace', path: 'id', value: 'other' }],
      [`/Users/${id}`, { op: 'replace', value: { id: 'other' } }],
      [`/Groups/${group.id}`, { op: 'replace', path: 'meta.lastModified', value: '2020-01-01T00:00:00Z' }],
    ] as const) {
      const res = await scim(h).patch(path, patchOps(operation));
      expect([path, operation, res.status, res.body.scimType]).toEqual([path, operation, 400, 'mutability']);
    }
    expect(counts(h.store)).toEqual(before);
    const same = await scim(h).patch(`/Groups/${group.id}`, patchOps({ op: 'replace', value: { id: group.id, displayName: 'renamed' } }));
    expect(same.status).toBe(204);
  });

  it('answers an unparseable value filter in a path with 400 invalidFilter, not noTarget', async () => {
    const h = harness();
    const { id } = await createUser(h, 'vf');
    for (const path of ['emails[type xx "a"].value', 'emails[type eq].value', 'emails[(type eq "a"].value']) {
      const res = await scim(h).patch(`/Users/${id}`, patchOps({ op: 'replace', path, value: 'x' }));
      expect(res.body).toMatchObject({ schemas: [ERROR_SCHEMA], status: '400', scimType: 'invalidFilter' });
    }
  });
});

describe('PATCH with null (RFC 7643 2.5: unassigned)', () => {
  const DEPARTMENT = `${ENTERPRISE}:department`;
  const MANAGER = `${ENTERPRISE}:manager`;
  const withEnterprise = (enterprise: Record<string, unknown>) => ({ schemas: [USER_SCHEMA, ENTERPRISE], title: 'Lead', [ENTERPRISE]: enterprise });

  it.each([
    ['a path', { op: 'replace', path: DEPARTMENT, value: null }],
    ['a no-path URN key', { op: 'replace', value: { [DEPARTMENT]: null } }],
    ['a key of the extension object', { op: 'Replace', value: { [ENTERPRISE]: { department: null } } }],
    ['an add by path', { op: 'add', path: DEPARTMENT, value: null }],
  ])('clears an extension attribute given as %s, and an emptied extension leaves the resource and its schemas', async (_form, operation) => {
    const h = harness();
    for (const enterprise of [{ department: 'Eng' }, undefined]) {
      const { id } = await createUser(h, `dept-${Math.random()}`, enterprise ? withEnterprise(enterprise) : {});
      const res = await scim(h).patch(`/Users/${id}`, patchOps(operation));
      expect([res.status, res.body.detail]).toEqual([200, undefined]);
      expect(res.body[ENTERPRISE]).toBeUndefined();
      expect(res.body.schemas).toEqual([USER_SCHEMA]);
      expect(h.store.users.get(id)!.resource).not.toHaveProperty([ENTERPRISE]);
    }
  });

  it.each([
    ['a null URN key', { op: 'replace', value: { [MANAGER]: null } }],
    ['an empty URN key', { op: 'replace', value: { [MANAGER]: '' } }],
    ['an empty manager in the extension object', { op: 'replace', value: { [ENTERPRISE]: { manager: '' } } }],
    ['a path with an empty value', { op: 'replace', path: MANAGER, value: { value: '' } }],
    ['a path with a null value', { op: 'replace', path: MANAGER, value: { value: null } }],
    ['a path with an empty id string', { op: 'replace', path: MANAGER, value: '' }],
  ])('removes the manager given as %s, keeping the rest of the extension', async (_form, operation) => {
    const h = harness();
    const { id } = await createUser(h, 'managed', withEnterprise({ department: 'Eng', manager: { value: 'm-1' } }));
    const res = await scim(h).patch(`/Users/${id}`, patchOps(operation));
    expect(res.status).toBe(200);
    expect(res.body[ENTERPRISE]).toEqual({ department: 'Eng' });
  });

  it('clears core attributes the same way and applies the rest of a no-path value', async () => {
    const h = harness();
    const { id } = await createUser(h, 'core', withEnterprise({ department: 'Eng' }));
    const res = await scim(h).patch(`/Users/${id}`, patchOps(
      { op: 'replace', value: { title: null, name: { givenName: null }, displayName: 'Core User', [ENTERPRISE]: { department: 'Ops', costCenter: null } } },
      { op: 'replace', path: 'emails', value: null },
    ));
    expect(res.status).toBe(200);
    expect(res.body).toMatchObject({ displayName: 'Core User', name: { familyName: 'Family' }, [ENTERPRISE]: { department: 'Ops' } });
    expect(res.body.name.givenName).toBeUndefined();
    expect(res.body.title).toBeUndefined();
    expect(res.body.emails).toBeUndefined();
  });

  it('adds nothing for an add of null to a multi-valued attribute (null is the empty array)', async () => {
    const h = harness();
    const { id, version } = await createUser(h, 'multi');
    const res = await scim(h).patch(`/Users/${id}`, patchOps({ op: 'add', path: 'emails', value: null }, { op: 'add', value: { phoneNumbers: null } }));
    expect(res.status).toBe(200);
    expect(res.headers.etag).toBe(version);
    expect(res.body.emails).toEqual([{ value: 'multi@example.com', type: 'work', primary: true }]);
  });

  it('refuses to clear a required attribute', async () => {
    const h = harness();
    const { id } = await createUser(h, 'required');
    const res = await scim(h).patch(`/Users/${id}`, patchOps({ op: 'replace', path: 'userName', value: null }));
    expect(res.status).toBe(400);
    expect(res.body.detail).toMatch(/userName/);
  });
});
