/**
 * Okta provisioning traffic: the "Okta SCIM 2.0 SPEC Test" (Runscope/BlazeMeter) sequence with its
 * headers, then what Okta sends in production (developer.okta.com/docs/reference/scim/scim-20):
 * full PUT updates, deactivation by no-path replace, password sync, group push with PATCH.
 */
import { randomUUID } from 'node:crypto';
import request from 'supertest';
import {
  ERROR_SCHEMA, GROUP_SCHEMA, LIST_RESPONSE, PATCH_OP, USER_SCHEMA,
  counts, expectScim, expectScimError, fileHarness, getWith, patchOps, scim, type FileHarness,
} from './support';

const OKTA_HEADERS = {
  'Accept-Charset': 'utf-8',
  'Content-Type': 'application/scim+json; charset=utf-8',
  Accept: 'application/scim+json',
  'User-Agent': 'Okta SCIM Client 1.0.0',
};

function oktaUser(userName: string, extra: Record<string, unknown> = {}) {
  const [givenName, familyName] = ['Runscope', userName.split('@')[0]];
  return {
    schemas: [USER_SCHEMA],
    userName,
    name: { givenName, familyName },
    emails: [{ primary: true, value: userName, type: 'work' }],
    displayName: `${givenName} ${familyName}`,
    locale: 'en-US',
    externalId: `00u${randomUUID().slice(0, 8)}`,
    groups: [],
    password: 'S3cret-Runscope!',
    active: true,
    ...extra,
  };
}

describe('Okta', () => {
  let h: FileHarness;
  beforeEach(() => (h = fileHarness()));
  afterEach(() => h.close());

  const okta = (method: 'get' | 'post' | 'put' | 'patch' | 'delete', path: string) =>
    request(h.app)[method](`/scim/v2${path}`).set(h.auth).set(OKTA_HEADERS);

  async function createOktaUser(userName: string, extra: Record<string, unknown> = {}): Promise<Record<string, any>> {
    return expectScim(await okta('post', '/Users').send(oktaUser(userName, extra)), 201);
  }

  describe('Okta SCIM 2.0 spec test sequence', () => {
    it('Test Users endpoint: GET /Users?count=1&startIndex=1 returns a ListResponse with one full user', async () => {
      await createOktaUser('first@atko.com');
      await createOktaUser('second@atko.com');
      const list = expectScim(await okta('get', '/Users?count=1&startIndex=1'), 200);
      expect(list).toMatchObject({ schemas: [LIST_RESPONSE], totalResults: 2, itemsPerPage: 1, startIndex: 1 });
      expect(list.Resources).toHaveLength(1);
      const [user] = list.Resources;
      expect(user).toMatchObject({ id: expect.any(String), userName: expect.any(String), active: true, name: { familyName: expect.any(String), givenName: 'Runscope' } });
      expect(user.emails[0].value).toEqual(expect.any(String));
    });

    it('Get Users with a filter that matches nothing: 200 and totalResults 0', async () => {
      const res = expectScim(await okta('get', `/Users?filter=${encodeURIComponent('userName eq "nobody-' + randomUUID() + '@atko.com"')}&startIndex=1&count=100`), 200);
      expect(res).toMatchObject({ schemas: [LIST_RESPONSE], totalResults: 0 });
    });

    it('Test invalid User by ID: a random UUID is 404 with a SCIM error body', async () => {
      const res = await okta('get', `/Users/${randomUUID()}`);
      const body = expectScimError(res, 404);
      expect(body.schemas).toEqual([ERROR_SCHEMA]);
    });

    it('creates a realistic user (password and groups: [] included), reads it, refuses the same user again, and finds it by upper-case userName', async () => {
      const userName = `Runscope${Date.now()}Ruth@atko.com`;
      const created = await createOktaUser(userName);
      expect(created).toMatchObject({ userName, active: true, name: { givenName: 'Runscope' }, emails: [expect.objectContaining({ value: userName })] });
      expect(created).not.toHaveProperty('password');

      const read = expectScim(await okta('get', `/Users/${created.id}`), 200);
      expect(read).toMatchObject({ id: created.id, userName });
      expect(read).not.toHaveProperty('password');

      const before = counts(h.store);
      expectScimError(await okta('post', '/Users').send(oktaUser(userName)), 409, 'uniqueness');
      expectScimError(await okta('post', '/Users').send(oktaUser(userName.toLowerCase())), 409, 'uniqueness');
      expect(counts(h.store)).toEqual(before);

      const upper = expectScim(await okta('get', `/Users?filter=${encodeURIComponent(`userName eq "${userName.toUpperCase()}"`)}`), 200);
      expect(upper).toMatchObject({ totalResults: 1, Resources: [expect.objectContaining({ id: created.id })] });

      // The password Okta sends on create, and the bearer token, reach neither the ledger, the queue nor the logs.
      const stored = JSON.stringify([h.store.db.prepare('SELECT * FROM ledger').all(), h.store.db.prepare('SELECT * FROM users').all()]);
      expect(stored).not.toContain('S3cret-Runscope!');
      expect(h.logLines.join('')).not.toContain('S3cret-Runscope!');
      expect(h.logLines.join('')).not.toContain(h.token);
    });

    it('Verify Groups endpoint: GET /Groups is a ListResponse', async () => {
      await scim(h).post('/Groups', { schemas: [GROUP_SCHEMA], displayName: 'Everyone' });
      const res = expectScim(await okta('get', '/Groups?startIndex=1&count=100'), 200);
      expect(res).toMatchObject({ schemas: [LIST_RESPONSE], totalResults: 1, startIndex: 1, itemsPerPage: 1 });
      expect(res.Resources[0]).toMatchObject({ displayName: 'Everyone', id: expect.any(String) });
    });
  });

  describe('Okta provisioning in production', () => {
    it('finds users with filter=userName eq "…"&startIndex=1&count=100 regardless of case', async () => {
      const user = await createOktaUser('Mixed.Case@atko.com');
      for (const probe of ['Mixed.Case@atko.com', 'mixed.case@atko.com', 'MIXED.CASE@ATKO.COM']) {
        const res = expectScim(await getWith(h, '/Users', { filter: `userName eq "${probe}"`, startIndex: 1, count: 100 }), 200);
        expect(res).toMatchObject({ totalResults: 1, startIndex: 1, itemsPerPage: 1, Resources: [expect.objectContaining({ id: user.id })] });
      }
    });

    it('updates a profile with a full PUT carrying id, password and groups, and GET shows the new state', async () => {
      const user = await createOktaUser('put.me@atko.com');
      const body = { ...oktaUser('put.me@atko.com'), id: user.id, name: { givenName: 'Put', familyName: 'Updated' }, title: 'Engineer', externalId: user.externalId };
      const res = await okta('put', `/Users/${user.id}`).send(body);
      const replaced = expectScim(res, 200);
      expect(replaced).toMatchObject({ id: user.id, name: { givenName: 'Put', familyName: 'Updated' }, title: 'Engineer' });
      expect(replaced).not.toHaveProperty('password');
      expect(res.headers.etag).not.toBe(user.meta.version);
      const stored = expectScim(await okta('get', `/Users/${user.id}`), 200);
      expect(stored).toMatchObject({ name: { givenName: 'Put', familyName: 'Updated' }, title: 'Engineer' });
    });

    it('lets a PUT change only the case of the user\'s own userName', async () => {
      const user = await createOktaUser('case.only@atko.com');
      const replaced = expectScim(await okta('put', `/Users/${user.id}`).send({ ...oktaUser('Case.Only@atko.com'), id: user.id }), 200);
      expect(replaced.userName).toBe('Case.Only@atko.com');
    });

    it('refuses a PUT or PATCH that renames a user onto another user\'s userName in another case (409 uniqueness)', async () => {
      await createOktaUser('taken@atko.com');
      const other = await createOktaUser('other@atko.com');
      const before = counts(h.store);
      expectScimError(await okta('put', `/Users/${other.id}`).send({ ...oktaUser('TAKEN@atko.com'), id: other.id }), 409, 'uniqueness');
      expectScimError(await okta('patch', `/Users/${other.id}`).send(patchOps({ op: 'replace', path: 'userName', value: 'Taken@ATKO.com' })), 409, 'uniqueness');
      expect(counts(h.store)).toEqual(before);
      expect(expectScim(await okta('get', `/Users/${other.id}`), 200).userName).toBe('other@atko.com');
    });

    it('deactivates with a no-path replace {active: false} and reactivates the same way', async () => {
      const user = await createOktaUser('deact@atko.com');
      const off = expectScim(await okta('patch', `/Users/${user.id}`).send({ schemas: [PATCH_OP], Operations: [{ op: 'replace', value: { active: false } }] }), 200);
      expect(off.active).toBe(false);
      expect(expectScim(await okta('get', `/Users/${user.id}`), 200).active).toBe(false);
      const on = expectScim(await okta('patch', `/Users/${user.id}`).send({ schemas: [PATCH_OP], Operations: [{ op: 'replace', value: { active: true } }] }), 200);
      expect(on.active).toBe(true);
    });

    it('deactivates with a full PUT active:false (Okta apps without PATCH)', async () => {
      const user = await createOktaUser('put.deact@atko.com');
      expectScim(await okta('put', `/Users/${user.id}`).send({ ...oktaUser('put.deact@atko.com'), id: user.id, active: false }), 200);
      expect(expectScim(await okta('get', `/Users/${user.id}`), 200).active).toBe(false);
    });

    it('accepts a password sync PATCH, answers 200 without the password, and changes nothing else', async () => {
      const user = await createOktaUser('pw@atko.com');
      const res = await okta('patch', `/Users/${user.id}`).send({ schemas: [PATCH_OP], Operations: [{ op: 'replace', value: { password: 'N3w-Passw0rd!' } }] });
      const body = expectScim(res, 200);
      expect(body).not.toHaveProperty('password');
      expect(JSON.stringify(body)).not.toContain('N3w-Passw0rd!');
      const stored = expectScim(await okta('get', `/Users/${user.id}`), 200);
      expect({ ...stored, meta: undefined }).toEqual({ ...user, meta: undefined });
      expect(JSON.stringify(h.store.db.prepare('SELECT * FROM ledger').all())).not.toContain('N3w-Passw0rd!');
      expect(h.logLines.join('')).not.toContain('N3w-Passw0rd!');
    });

    describe('group push', () => {
      it('creates a pushed group with members given as {value, display}', async () => {
        const ruth = await createOktaUser('ruth@atko.com');
        const res = await okta('post', '/Groups').send({ schemas: [GROUP_SCHEMA], displayName: 'Test SCIMv2', members: [{ value: ruth.id, display: 'ruth@atko.com' }] });
        const group = expectScim(res, 201);
        expect(group.members).toEqual([expect.objectContaining({ value: ruth.id })]);
      });

      it('renames with a no-path replace whose value repeats the id (Okta sends {id, displayName})', async () => {
        const group = expectScim(await okta('post', '/Groups').send({ schemas: [GROUP_SCHEMA], displayName: 'Test SCIMv2', members: [] }), 201);
        const res = await okta('patch', `/Groups/${group.id}`).send({ schemas: [PATCH_OP], Operations: [{ op: 'replace', value: { id: group.id, displayName: 'Test SCIMv2 renamed' } }] });
        expect([200, 204]).toContain(res.status);
        expect(expectScim(await okta('get', `/Groups/${group.id}`), 200).displayName).toBe('Test SCIMv2 renamed');
      });

      it('adds members with {value, display} and removes them with members[value eq "…"]', async () => {
        const a = await createOktaUser('a@atko.com');
        const b = await createOktaUser('b@atko.com');
        const group = expectScim(await okta('post', '/Groups').send({ schemas: [GROUP_SCHEMA], displayName: 'Pushed', members: [] }), 201);
        const add = await okta('patch', `/Groups/${group.id}`).send(patchOps({ op: 'add', path: 'members', value: [{ value: a.id, display: 'a@atko.com' }, { value: b.id, display: 'b@atko.com' }] }));
        expect([200, 204]).toContain(add.status);
        const remove = await okta('patch', `/Groups/${group.id}`).send(patchOps({ op: 'remove', path: `members[value eq "${a.id}"]` }));
        expect([200, 204]).toContain(remove.status);
        const stored = expectScim(await okta('get', `/Groups/${group.id}`), 200);
        expect(stored.members.map((m: { value: string }) => m.value)).toEqual([b.id]);
      });

      it('replaces the whole member list with PATCH replace path members', async () => {
        const [a, b, c] = await Promise.all(['ra@atko.com', 'rb@atko.com', 'rc@atko.com'].map((u) => createOktaUser(u)));
        const group = expectScim(await okta('post', '/Groups').send({ schemas: [GROUP_SCHEMA], displayName: 'Replaced', members: [{ value: a.id }, { value: b.id }] }), 201);
        const res = await okta('patch', `/Groups/${group.id}`).send(patchOps({ op: 'replace', path: 'members', value: [{ value: b.id }, { value: c.id, display: 'rc@atko.com' }] }));
        expect([200, 204]).toContain(res.status);
        const stored = expectScim(await okta('get', `/Groups/${group.id}`), 200);
        expect(stored.members.map((m: { value: string }) => m.value).sort()).toEqual([b.id, c.id].sort());
      });

      it('replaces the whole member list with PUT /Groups/{id}', async () => {
        const a = await createOktaUser('pa@atko.com');
        const b = await createOktaUser('pb@atko.com');
        const group = expectScim(await okta('post', '/Groups').send({ schemas: [GROUP_SCHEMA], displayName: 'PutGroup', members: [{ value: a.id }] }), 201);
        const replaced = expectScim(await okta('put', `/Groups/${group.id}`).send({ schemas: [GROUP_SCHEMA], id: group.id, displayName: 'PutGroup', members: [{ value: b.id, display: 'pb@atko.com' }] }), 200);
        expect(replaced.members.map((m: { value: string }) => m.value)).toEqual([b.id]);
        const stored = expectScim(await okta('get', `/Groups/${group.id}`), 200);
        expect(stored.members.map((m: { value: string }) => m.value)).toEqual([b.id]);
      });

      it('finds a group by displayName with startIndex and count (Okta "link existing group")', async () => {
        const group = expectScim(await okta('post', '/Groups').send({ schemas: [GROUP_SCHEMA], displayName: 'Finance EU' }), 201);
        const res = expectScim(await getWith(h, '/Groups', { filter: 'displayName eq "Finance EU"', startIndex: 1, count: 100 }), 200);
        expect(res).toMatchObject({ totalResults: 1, Resources: [expect.objectContaining({ id: group.id, displayName: 'Finance EU' })] });
      });
    });
  });
});
