/**
 * Microsoft Entra ID provisioning traffic, in the order the provisioning service sends it, with the
 * request bodies from Microsoft's "Develop a SCIM endpoint / SCIM protocol compliance" documentation
 * (learn.microsoft.com/entra/identity/app-provisioning/use-scim-to-provision-users-and-groups).
 */
import { randomUUID } from 'node:crypto';
import request from 'supertest';
import {
  ENTERPRISE, GROUP_SCHEMA, LIST_RESPONSE, USER_SCHEMA,
  counts, expectScim, expectScimError, fileHarness, getWith, patchOps, scim, type FileHarness,
} from './support';

const ADSCIM_GROUP = 'http://schemas.microsoft.com/2006/11/ResourceManagement/ADSCIM/Group';

/** The documented Entra "Create User" request body. */
function entraUser(userName: string, externalId: string = randomUUID()) {
  return {
    schemas: [USER_SCHEMA, ENTERPRISE],
    externalId,
    userName,
    active: true,
    emails: [{ primary: true, type: 'work', value: `${userName.split('@')[0]}@contoso.com` }],
    meta: { resourceType: 'User' },
    name: { formatted: 'givenName familyName', familyName: 'familyName', givenName: 'givenName' },
    roles: [],
  };
}

describe('Microsoft Entra ID provisioning sequence', () => {
  let h: FileHarness;
  beforeEach(() => (h = fileHarness()));
  afterEach(() => h.close());

  async function createEntraUser(userName: string, externalId?: string): Promise<Record<string, any>> {
    return expectScim(await scim(h).post('/Users', entraUser(userName, externalId)), 201);
  }

  it('looks the user up by userName, finds nothing, creates it (201 + Location + ETag), then finds it', async () => {
    const userName = `Test_User_${randomUUID()}@contoso.com`;
    const none = expectScim(await getWith(h, '/Users', { filter: `userName eq "${userName}"` }), 200);
    expect(none).toMatchObject({ schemas: [LIST_RESPONSE], totalResults: 0, startIndex: 1, itemsPerPage: 0 });
    expect(none.Resources ?? []).toEqual([]);

    const res = await scim(h).post('/Users', entraUser(userName, 'ext-1'));
    const created = expectScim(res, 201);
    expect(created).toMatchObject({ userName, externalId: 'ext-1', active: true, name: { familyName: 'familyName', givenName: 'givenName' } });
    expect(created.id).toEqual(expect.any(String));
    expect(created.meta).toMatchObject({ resourceType: 'User', version: expect.any(String), created: expect.any(String), lastModified: expect.any(String) });
    expect(created.meta.location).toMatch(new RegExp(`/scim/v2/Users/${created.id}$`));
    expect(res.headers.location).toBe(created.meta.location);
    expect(res.headers.etag).toBe(created.meta.version);

    const found = expectScim(await getWith(h, '/Users', { filter: `userName eq "${userName}"` }), 200);
    expect(found).toMatchObject({ totalResults: 1, itemsPerPage: 1, startIndex: 1 });
    expect(found.Resources[0]).toMatchObject({ id: created.id, userName });
    const byId = expectScim(await scim(h).get(`/Users/${created.id}`), 200);
    expect(byId).toMatchObject({ id: created.id, userName, externalId: 'ext-1' });
  });

  it('ignores the aadOptscim062020 feature flag that admins append to the tenant URL, on reads and writes', async () => {
    const created = await request(h.app).post('/scim/v2/Users?aadOptscim062020').set(h.auth).set('Content-Type', 'application/scim+json').send(entraUser('flag@contoso.com'));
    expectScim(created, 201);
    const found = await request(h.app).get(`/scim/v2/Users?aadOptscim062020&filter=${encodeURIComponent('userName eq "flag@contoso.com"')}`).set(h.auth);
    expect(expectScim(found, 200).totalResults).toBe(1);
    const patched = await request(h.app).patch(`/scim/v2/Users/${created.body.id}?aadOptscim062020`).set(h.auth).set('Content-Type', 'application/scim+json')
      .send(patchOps({ op: 'Replace', path: 'active', value: false }));
    expect(expectScim(patched, 200).active).toBe(false);
  });

  it('reads filters whose spaces are encoded as + (form encoding)', async () => {
    const user = await createEntraUser('plus.space@contoso.com');
    const found = await request(h.app).get('/scim/v2/Users?filter=userName+eq+%22plus.space%40contoso.com%22').set(h.auth);
    expect(expectScim(found, 200).Resources.map((r: { id: string }) => r.id)).toEqual([user.id]);
  });

  it('matches on externalId and on emails[type eq "work"].value', async () => {
    const user = await createEntraUser('matcher@contoso.com', 'ext-match');
    const byExternalId = expectScim(await getWith(h, '/Users', { filter: 'externalId eq "ext-match"' }), 200);
    expect(byExternalId.Resources.map((r: { id: string }) => r.id)).toEqual([user.id]);
    const byWorkEmail = expectScim(await getWith(h, '/Users', { filter: 'emails[type eq "work"].value eq "matcher@contoso.com"' }), 200);
    expect(byWorkEmail.Resources.map((r: { id: string }) => r.id)).toEqual([user.id]);
    const byOtherType = expectScim(await getWith(h, '/Users', { filter: 'emails[type eq "home"].value eq "matcher@contoso.com"' }), 200);
    expect(byOtherType.totalResults).toBe(0);
  });

  it('updates multi-valued properties: Replace emails[type eq "work"].value and name.familyName', async () => {
    const user = await createEntraUser('multi@contoso.com');
    const res = await scim(h).patch(`/Users/${user.id}`, patchOps(
      { op: 'Replace', path: 'emails[type eq "work"].value', value: 'updatedEmail@microsoft.com' },
      { op: 'Replace', path: 'name.familyName', value: 'updatedFamilyName' },
    ));
    const patched = expectScim(res, 200);
    expect(patched.emails).toEqual([expect.objectContaining({ type: 'work', value: 'updatedEmail@microsoft.com', primary: true })]);
    expect(patched.name).toMatchObject({ familyName: 'updatedFamilyName', givenName: 'givenName' });
    expect(res.headers.etag).not.toBe(user.meta.version);
    const stored = expectScim(await scim(h).get(`/Users/${user.id}`), 200);
    expect(stored.emails).toHaveLength(1);
    expect(stored.emails[0].value).toBe('updatedEmail@microsoft.com');
  });

  it('treats an Add on emails[type eq "work"].value like a Replace of the existing work email', async () => {
    const user = await createEntraUser('add-email@contoso.com');
    expectScim(await scim(h).patch(`/Users/${user.id}`, patchOps(
      { op: 'Replace', path: 'title', value: 'tester' },
      { op: 'Add', path: 'emails[type eq "work"].value', value: 'new-work@contoso.com' },
    )), 200);
    const stored = expectScim(await scim(h).get(`/Users/${user.id}`), 200);
    expect(stored.title).toBe('tester');
    expect(stored.emails.filter((e: { type: string }) => e.type === 'work').map((e: { value: string }) => e.value)).toEqual(['new-work@contoso.com']);
  });

  it('sets mobile and work phones through typed filter paths when the user has none yet', async () => {
    const user = await createEntraUser('phones@contoso.com');
    expectScim(await scim(h).patch(`/Users/${user.id}`, patchOps(
      { op: 'Add', path: 'phoneNumbers[type eq "mobile"].value', value: '+1 555 0100' },
      { op: 'Add', path: 'phoneNumbers[type eq "work"].value', value: '+1 555 0101' },
    )), 200);
    const stored = expectScim(await scim(h).get(`/Users/${user.id}`), 200);
    expect(stored.phoneNumbers).toEqual(expect.arrayContaining([
      expect.objectContaining({ type: 'mobile', value: '+1 555 0100' }),
      expect.objectContaining({ type: 'work', value: '+1 555 0101' }),
    ]));
    expect(stored.phoneNumbers).toHaveLength(2);
  });

  it('builds ONE work address from several addresses[type eq "work"].<sub> ops in one PATCH', async () => {
    const user = await createEntraUser('address@contoso.com');
    expectScim(await scim(h).patch(`/Users/${user.id}`, patchOps(
      { op: 'Add', path: 'addresses[type eq "work"].streetAddress', value: '1 Main St' },
      { op: 'Add', path: 'addresses[type eq "work"].locality', value: 'Redmond' },
      { op: 'Add', path: 'addresses[type eq "work"].postalCode', value: '98052' },
    )), 200);
    const stored = expectScim(await scim(h).get(`/Users/${user.id}`), 200);
    expect(stored.addresses).toEqual([expect.objectContaining({ type: 'work', streetAddress: '1 Main St', locality: 'Redmond', postalCode: '98052' })]);
  });

  it('patches a user that has no emails and no name (typed-filter removes are no-ops, sub-attribute replaces create the parent)', async () => {
    const bare = expectScim(await scim(h).post('/Users', { schemas: [USER_SCHEMA], userName: 'bare@contoso.com' }), 201);
    for (const op of [{ op: 'Remove', path: 'emails[type eq "work"]' }, { op: 'Remove', path: 'emails[type eq "work"].value' }, { op: 'Remove', path: 'name.familyName' }]) {
      expectScim(await scim(h).patch(`/Users/${bare.id}`, patchOps(op)), 200);
    }
    expectScim(await scim(h).patch(`/Users/${bare.id}`, patchOps({ op: 'Replace', path: 'name.givenName', value: 'Given' })), 200);
    const stored = expectScim(await scim(h).get(`/Users/${bare.id}`), 200);
    expect(stored.name).toEqual({ givenName: 'Given' });
    expect(stored).not.toHaveProperty('emails');
    expect(expectScim(await getWith(h, '/Users', { filter: 'emails[type eq "work"].value eq "x" or name.givenName eq "given"' }), 200).totalResults).toBe(1);
  });

  it('accepts app roles and typed values the way Entra sends them: "True" primaries, any type vocabulary or casing', async () => {
    const user = expectScim(await scim(h).post('/Users', {
      ...entraUser('roles@contoso.com'),
      emails: [{ primary: 'True', type: 'Work', value: 'roles@contoso.com' }],
      phoneNumbers: [{ type: 'Mobile', value: '+1 555 0199', primary: 'false' }],
    }), 201);
    expect(user.emails).toEqual([expect.objectContaining({ primary: true, value: 'roles@contoso.com' })]);
    expectScim(await scim(h).patch(`/Users/${user.id}`, patchOps({
      op: 'Add', path: 'roles', value: [{ primary: 'True', type: 'WindowsAzureActiveDirectoryRole', value: 'Admin', display: 'Admin' }],
    })), 200);
    const stored = expectScim(await scim(h).get(`/Users/${user.id}`), 200);
    expect(stored.roles).toEqual([expect.objectContaining({ primary: true, type: 'WindowsAzureActiveDirectoryRole', value: 'Admin' })]);
    expect(stored.phoneNumbers).toEqual([expect.objectContaining({ primary: false, value: '+1 555 0199' })]);
    expect(expectScim(await getWith(h, '/Users', { filter: 'emails[type eq "work"].value eq "roles@contoso.com"' }), 200).totalResults).toBe(1);
  });

  it('updates a single-valued property: Replace userName', async () => {
    const user = await createEntraUser('before@contoso.com');
    const patched = expectScim(await scim(h).patch(`/Users/${user.id}`, patchOps({ op: 'Replace', path: 'userName', value: '5b50642d@testuser.com' })), 200);
    expect(patched.userName).toBe('5b50642d@testuser.com');
    const old = expectScim(await getWith(h, '/Users', { filter: 'userName eq "before@contoso.com"' }), 200);
    expect(old.totalResults).toBe(0);
  });

  it('applies enterprise extension attributes sent as URN paths and as URN keys of a no-path Replace', async () => {
    const manager = await createEntraUser('manager@contoso.com');
    const user = await createEntraUser('report@contoso.com');
    expectScim(await scim(h).patch(`/Users/${user.id}`, patchOps(
      { op: 'Add', path: `${ENTERPRISE}:employeeNumber`, value: '701984' },
      { op: 'Replace', path: `${ENTERPRISE}:manager`, value: manager.id },
      { op: 'Replace', value: { [`${ENTERPRISE}:department`]: 'Tour Operations', 'name.givenName': 'Barbara', displayName: 'Babs Jensen' } },
    )), 200);
    const stored = expectScim(await scim(h).get(`/Users/${user.id}`), 200);
    expect(stored[ENTERPRISE]).toMatchObject({ employeeNumber: '701984', department: 'Tour Operations', manager: { value: manager.id } });
    expect(stored.name.givenName).toBe('Barbara');
    expect(stored.displayName).toBe('Babs Jensen');
    expect(stored.schemas).toEqual(expect.arrayContaining([USER_SCHEMA, ENTERPRISE]));
  });

  it('removes the manager with a Remove on the URN path', async () => {
    const manager = await createEntraUser('mgr2@contoso.com');
    const user = expectScim(await scim(h).post('/Users', { ...entraUser('rep2@contoso.com'), [ENTERPRISE]: { manager: manager.id, department: 'X' } }), 201);
    expect(user[ENTERPRISE].manager).toMatchObject({ value: manager.id });
    expectScim(await scim(h).patch(`/Users/${user.id}`, patchOps({ op: 'Remove', path: `${ENTERPRISE}:manager` })), 200);
    const stored = expectScim(await scim(h).get(`/Users/${user.id}`), 200);
    expect(stored[ENTERPRISE]?.manager).toBeUndefined();
    expect(stored[ENTERPRISE].department).toBe('X');
  });

  it('removes the manager with a Remove that names the old manager in a value array, and with a null Replace', async () => {
    const manager = await createEntraUser('mgr3@contoso.com');
    const user = expectScim(await scim(h).post('/Users', { ...entraUser('rep3@contoso.com'), [ENTERPRISE]: { manager: manager.id, department: 'X' } }), 201);
    expectScim(await scim(h).patch(`/Users/${user.id}`, patchOps({ op: 'Remove', path: `${ENTERPRISE}:manager`, value: [{ value: manager.id }] })), 200);
    expect(expectScim(await scim(h).get(`/Users/${user.id}`), 200)[ENTERPRISE]?.manager).toBeUndefined();
    expectScim(await scim(h).patch(`/Users/${user.id}`, patchOps({ op: 'Replace', path: `${ENTERPRISE}:manager`, value: manager.id })), 200);
    expectScim(await scim(h).patch(`/Users/${user.id}`, patchOps({ op: 'Replace', path: `${ENTERPRISE}:manager`, value: null })), 200);
    const stored = expectScim(await scim(h).get(`/Users/${user.id}`), 200);
    expect(stored[ENTERPRISE]?.manager).toBeUndefined();
    expect(stored[ENTERPRISE].department).toBe('X');
  });

  it('disables with Replace active "False" and keeps the inactive user readable and findable', async () => {
    const user = await createEntraUser('leaver@contoso.com');
    const patched = expectScim(await scim(h).patch(`/Users/${user.id}`, patchOps({ op: 'Replace', path: 'active', value: 'False' })), 200);
    expect(patched.active).toBe(false);
    expect(expectScim(await scim(h).get(`/Users/${user.id}`), 200).active).toBe(false);
    const found = expectScim(await getWith(h, '/Users', { filter: 'userName eq "leaver@contoso.com"' }), 200);
    expect(found.Resources).toEqual([expect.objectContaining({ id: user.id, active: false })]);
    // Re-enable, as Entra does when the user is re-assigned.
    expectScim(await scim(h).patch(`/Users/${user.id}`, patchOps({ op: 'Replace', path: 'active', value: true })), 200);
    expect(expectScim(await scim(h).get(`/Users/${user.id}`), 200).active).toBe(true);
  });

  it('deletes with 204 and an empty body; the user is 404 afterwards, and so is a second delete', async () => {
    const user = await createEntraUser('gone@contoso.com');
    const res = await scim(h).delete(`/Users/${user.id}`);
    expect(res.status).toBe(204);
    expect(res.text ?? '').toBe('');
    expectScimError(await scim(h).get(`/Users/${user.id}`), 404);
    expectScimError(await scim(h).delete(`/Users/${user.id}`), 404);
  });

  it('probes random ids with 404 SCIM errors on every method', async () => {
    const id = randomUUID();
    expectScimError(await scim(h).get(`/Users/${id}`), 404);
    expectScimError(await scim(h).patch(`/Users/${id}`, patchOps({ op: 'Replace', path: 'active', value: false })), 404);
    expectScimError(await scim(h).get(`/Groups/${id}?excludedAttributes=members`), 404);
    expectScimError(await scim(h).patch(`/Groups/${id}`, patchOps({ op: 'Add', path: 'members', value: [{ value: randomUUID() }] })), 404);
  });

  it('pages users with a small count, without duplicates or omissions', async () => {
    const ids = new Set<string>();
    for (let i = 0; i < 7; i++) ids.add((await createEntraUser(`page${i}@contoso.com`)).id);
    const seen: string[] = [];
    for (let startIndex = 1; startIndex <= 7; startIndex += 3) {
      const page = expectScim(await getWith(h, '/Users', { startIndex, count: 3 }), 200);
      expect(page).toMatchObject({ totalResults: 7, startIndex, itemsPerPage: Math.min(3, 8 - startIndex) });
      seen.push(...page.Resources.map((r: { id: string }) => r.id));
    }
    expect(seen.sort()).toEqual([...ids].sort());
  });

  describe('groups', () => {
    it('creates a group with the documented body (including the ADSCIM schema URN) and reads it without members', async () => {
      const body = { schemas: [GROUP_SCHEMA, ADSCIM_GROUP], externalId: '8aa1a0c0-c4c3-4bc0-b4a5-2ef676900159', displayName: 'displayName', meta: { resourceType: 'Group' } };
      const res = await scim(h).post('/Groups', body);
      const group = expectScim(res, 201);
      expect(group).toMatchObject({ displayName: 'displayName', externalId: '8aa1a0c0-c4c3-4bc0-b4a5-2ef676900159', meta: { resourceType: 'Group' } });
      expect(expectScim(await scim(h).get(`/Groups/${group.id}`), 200).displayName).toBe('displayName');
    });

    it('creates a group with members: [] and finds it by displayName with excludedAttributes=members', async () => {
      const group = expectScim(await scim(h).post('/Groups', { schemas: [GROUP_SCHEMA], externalId: 'g-ext', displayName: 'Org Admin', members: [], meta: { resourceType: 'Group' } }), 201);
      const byId = expectScim(await getWith(h, `/Groups/${group.id}`, { excludedAttributes: 'members' }), 200);
      expect(byId).toMatchObject({ id: group.id, displayName: 'Org Admin', schemas: [GROUP_SCHEMA], meta: expect.objectContaining({ resourceType: 'Group' }) });
      expect(byId).not.toHaveProperty('members');
      const found = expectScim(await getWith(h, '/Groups', { excludedAttributes: 'members', filter: 'displayName eq "Org Admin"' }), 200);
      expect(found).toMatchObject({ totalResults: 1, Resources: [expect.objectContaining({ id: group.id })] });
      const byExternalId = expectScim(await getWith(h, '/Groups', { filter: 'externalId eq "g-ext"' }), 200);
      expect(byExternalId.totalResults).toBe(1);
    });

    it('patches displayName, adds members with $ref null, removes them by value array and by value filter', async () => {
      const alice = await createEntraUser('alice@contoso.com');
      const bob = await createEntraUser('bob@contoso.com');
      const group = expectScim(await scim(h).post('/Groups', { schemas: [GROUP_SCHEMA], displayName: 'Team' }), 201);

      const rename = await scim(h).patch(`/Groups/${group.id}`, patchOps({ op: 'Replace', path: 'displayName', value: '1879db59-3bdf-4490-ad68-ab880a269474updatedDisplayName' }));
      expect([200, 204]).toContain(rename.status);
      const add = await scim(h).patch(`/Groups/${group.id}`, patchOps({ op: 'Add', path: 'members', value: [{ $ref: null, value: alice.id }, { $ref: null, value: bob.id }] }));
      expect([200, 204]).toContain(add.status);
      let stored = expectScim(await scim(h).get(`/Groups/${group.id}`), 200);
      expect(stored.displayName).toBe('1879db59-3bdf-4490-ad68-ab880a269474updatedDisplayName');
      expect(stored.members.map((m: { value: string }) => m.value).sort()).toEqual([alice.id, bob.id].sort());
      const aliceView = expectScim(await scim(h).get(`/Users/${alice.id}`), 200);
      expect(aliceView.groups).toEqual([expect.objectContaining({ value: group.id })]);

      expect([200, 204]).toContain((await scim(h).patch(`/Groups/${group.id}`, patchOps({ op: 'Remove', path: 'members', value: [{ $ref: null, value: alice.id }] }))).status);
      stored = expectScim(await scim(h).get(`/Groups/${group.id}`), 200);
      expect(stored.members.map((m: { value: string }) => m.value)).toEqual([bob.id]);

      expect([200, 204]).toContain((await scim(h).patch(`/Groups/${group.id}`, patchOps({ op: 'Remove', path: `members[value eq "${bob.id}"]` }))).status);
      stored = expectScim(await scim(h).get(`/Groups/${group.id}`), 200);
      expect(stored.members ?? []).toEqual([]);
    });

    it('adding a member twice keeps one membership; removing an absent one is not an error', async () => {
      const alice = await createEntraUser('twice@contoso.com');
      const group = expectScim(await scim(h).post('/Groups', { schemas: [GROUP_SCHEMA], displayName: 'Twice' }), 201);
      for (let i = 0; i < 2; i++) {
        expect([200, 204]).toContain((await scim(h).patch(`/Groups/${group.id}`, patchOps({ op: 'Add', path: 'members', value: [{ value: alice.id }] }))).status);
      }
      expect(counts(h.store).memberships).toBe(1);
      for (let i = 0; i < 2; i++) {
        expect([200, 204]).toContain((await scim(h).patch(`/Groups/${group.id}`, patchOps({ op: 'Remove', path: 'members', value: [{ value: alice.id }] }))).status);
      }
      expect(counts(h.store).memberships).toBe(0);
    });

    it('deletes a group with 204, after which it is 404 and its members no longer list it', async () => {
      const alice = await createEntraUser('member@contoso.com');
      const group = expectScim(await scim(h).post('/Groups', { schemas: [GROUP_SCHEMA], displayName: 'Doomed', members: [{ value: alice.id }] }), 201);
      expect((await scim(h).delete(`/Groups/${group.id}`)).status).toBe(204);
      expectScimError(await scim(h).get(`/Groups/${group.id}`), 404);
      const aliceView = expectScim(await scim(h).get(`/Users/${alice.id}`), 200);
      expect(aliceView.groups ?? []).toEqual([]);
    });
  });
});
