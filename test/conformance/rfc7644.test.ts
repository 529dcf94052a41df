/**
 * RFC 7644 (protocol) and RFC 7643 (schema) rules that independent conformance suites check,
 * each test naming the section it pins.
 */
import { randomUUID } from 'node:crypto';
import request from 'supertest';
import { Tokens } from '../../src/store/tokens';
import {
  ENTERPRISE, GROUP_SCHEMA, LIST_RESPONSE, PATCH_OP, SCIM_JSON, USER_SCHEMA,
  counts, createUser, expectScim, expectScimError, fileHarness, getWith, patchOps, scim, userBody, type FileHarness,
} from './support';

const SEARCH_REQUEST = 'urn:ietf:params:scim:api:messages:2.0:SearchRequest';
const BULK_REQUEST = 'urn:ietf:params:scim:api:messages:2.0:BulkRequest';
const BULK_RESPONSE = 'urn:ietf:params:scim:api:messages:2.0:BulkResponse';

describe('RFC 7644 conformance', () => {
  let h: FileHarness;
  beforeEach(() => (h = fileHarness({ maxBulkOperations: 10, maxResults: 50 })));
  afterEach(() => h.close());

  const ids = (list: { Resources?: Array<{ id: string }> }) => (list.Resources ?? []).map((r) => r.id);

  describe('discovery (RFC 7644 4, RFC 7643 5-7)', () => {
    it('/ServiceProviderConfig states what is supported, with the advertised limits', async () => {
      const config = expectScim(await scim(h).get('/ServiceProviderConfig'), 200);
      expect(config.schemas).toEqual(['urn:ietf:params:scim:schemas:core:2.0:ServiceProviderConfig']);
      expect(config).toMatchObject({
        patch: { supported: true },
        bulk: { supported: true, maxOperations: 10, maxPayloadSize: expect.any(Number) },
        filter: { supported: true, maxResults: 50 },
        changePassword: { supported: false },
        sort: { supported: true },
        etag: { supported: true },
      });
    });

    it('/ServiceProviderConfig lists the bearer-token authentication scheme it enforces (RFC 7643 5: required)', async () => {
      const config = expectScim(await scim(h).get('/ServiceProviderConfig'), 200);
      expect(config.authenticationSchemes).toEqual([expect.objectContaining({ type: 'oauthbearertoken', name: expect.any(String), description: expect.any(String) })]);
    });

    it('/ResourceTypes lists User (with the enterprise extension) and Group, and each is readable by name', async () => {
      const list = expectScim(await scim(h).get('/ResourceTypes'), 200);
      expect(list.schemas).toEqual([LIST_RESPONSE]);
      const byName = Object.fromEntries(list.Resources.map((r: { name: string }) => [r.name, r]));
      expect(byName.User).toMatchObject({ endpoint: '/Users', schema: USER_SCHEMA, schemaExtensions: expect.arrayContaining([expect.objectContaining({ schema: ENTERPRISE })]) });
      expect(byName.Group).toMatchObject({ endpoint: '/Groups', schema: GROUP_SCHEMA });
      const user = expectScim(await scim(h).get('/ResourceTypes/User'), 200);
      expect(user).toMatchObject({ id: 'User', name: 'User', schemas: ['urn:ietf:params:scim:schemas:core:2.0:ResourceType'] });
    });

    it('reports itemsPerPage and totalResults that match the Resources in /ResourceTypes and /Schemas (3.4.2)', async () => {
      for (const path of ['/ResourceTypes', '/Schemas']) {
        const list = expectScim(await scim(h).get(path), 200);
        expect({ path, itemsPerPage: list.itemsPerPage, totalResults: list.totalResults }).toEqual({ path, itemsPerPage: list.Resources.length, totalResults: list.Resources.length });
      }
    });

    it('gives every discovery resource its meta.resourceType and meta.location (RFC 7643 6, 7)', async () => {
      const config = expectScim(await scim(h).get('/ServiceProviderConfig'), 200);
      expect(config.meta).toMatchObject({ resourceType: 'ServiceProviderConfig', location: expect.stringMatching(/\/ServiceProviderConfig$/) });
      for (const [path, type] of [['/ResourceTypes', 'ResourceType'], ['/Schemas', 'Schema']]) {
        const list = expectScim(await scim(h).get(path), 200);
        for (const resource of list.Resources) expect(resource.meta).toMatchObject({ resourceType: type, location: expect.stringContaining(`${path}/${resource.id}`) });
      }
    });

    it('/Schemas lists User, Group and the enterprise extension; /Schemas/{urn} answers one with its attributes', async () => {
      const list = expectScim(await scim(h).get('/Schemas'), 200);
      expect(list.Resources.map((s: { id: string }) => s.id)).toEqual(expect.arrayContaining([USER_SCHEMA, GROUP_SCHEMA, ENTERPRISE]));
      const user = expectScim(await scim(h).get(`/Schemas/${USER_SCHEMA}`), 200);
      const userName = user.attributes.find((a: { name: string }) => a.name === 'userName');
      expect(userName).toMatchObject({ type: 'string', required: true, caseExact: false, uniqueness: 'server' });
      expectScimError(await scim(h).get('/Schemas/urn:ietf:params:scim:schemas:core:2.0:Nope'), 404);
    });
  });

  describe('creating, replacing and deleting (RFC 7644 3.3, 3.5.1, 3.6)', () => {
    it('answers POST /Users with 201 and a Location header equal to meta.location (3.3: SHALL)', async () => {
      const res = await scim(h).post('/Users', userBody('located'));
      const created = expectScim(res, 201);
      expect(res.headers.location).toBe(created.meta.location);
    });

    it('answers POST /Groups with 201 and a Location header equal to meta.location (3.3: SHALL)', async () => {
      const res = await scim(h).post('/Groups', { schemas: [GROUP_SCHEMA], displayName: 'located' });
      const created = expectScim(res, 201);
      expect(res.headers.location).toBe(created.meta.location);
    });

    it('ignores client-supplied id and meta on POST and PUT (readOnly)', async () => {
      const created = expectScim(await scim(h).post('/Users', userBody('ro', { id: 'client-chosen', meta: { version: 'W/"999"', created: '2000-01-01T00:00:00Z' } })), 201);
      expect(created.id).not.toBe('client-chosen');
      expect(created.meta.version).not.toBe('W/"999"');
      const replaced = expectScim(await scim(h).put(`/Users/${created.id}`, userBody('ro', { id: 'other', title: 'T' })), 200);
      expect(replaced).toMatchObject({ id: created.id, title: 'T' });
      expectScimError(await scim(h).get('/Users/client-chosen'), 404);
    });

    it('PUT replaces: attributes left out of the body are cleared', async () => {
      const { id } = await createUser(h, 'replace-me', { title: 'Old title', nickName: 'nick' });
      const replaced = expectScim(await scim(h).put(`/Users/${id}`, userBody('replace-me')), 200);
      expect(replaced).not.toHaveProperty('title');
      expect(replaced).not.toHaveProperty('nickName');
      const stored = expectScim(await scim(h).get(`/Users/${id}`), 200);
      expect(stored).not.toHaveProperty('title');
    });

    it('answers PUT on an unknown id with 404 and creates nothing', async () => {
      const before = counts(h.store);
      expectScimError(await scim(h).put(`/Users/${randomUUID()}`, userBody('ghost')), 404);
      expect(counts(h.store)).toEqual(before);
    });

    it('makes deleted users and groups invisible to every read and 404 to every write, and frees their names', async () => {
      const alice = await createUser(h, 'deleted-alice');
      const bob = await createUser(h, 'kept-bob');
      const group = expectScim(await scim(h).post('/Groups', { schemas: [GROUP_SCHEMA], displayName: 'Kept', members: [{ value: alice.id }, { value: bob.id }] }), 201);
      const doomed = expectScim(await scim(h).post('/Groups', { schemas: [GROUP_SCHEMA], displayName: 'Doomed' }), 201);
      expect((await scim(h).delete(`/Users/${alice.id}`)).status).toBe(204);
      expect((await scim(h).delete(`/Groups/${doomed.id}`)).status).toBe(204);

      const everything = expectScim(await scim(h).post('/.search', { schemas: [SEARCH_REQUEST] }), 200);
      expect(ids(everything).sort()).toEqual([bob.id, group.id].sort());
      expect(expectScim(await getWith(h, '/Users', { filter: 'userName eq "deleted-alice"' }), 200).totalResults).toBe(0);
      expect(expectScim(await getWith(h, '/Groups', { filter: `members[value eq "${alice.id}"]` }), 200).totalResults).toBe(0);
      expect(expectScim(await getWith(h, '/Groups', { filter: 'displayName eq "Doomed"' }), 200).totalResults).toBe(0);
      expect(expectScim(await scim(h).get(`/Groups/${group.id}`), 200).members.map((m: { value: string }) => m.value)).toEqual([bob.id]);

      expectScimError(await scim(h).put(`/Users/${alice.id}`, userBody('deleted-alice')), 404);
      expectScimError(await scim(h).patch(`/Groups/${doomed.id}`, patchOps({ op: 'add', path: 'members', value: [{ value: bob.id }] })), 404);
      expectScim(await scim(h).post('/Users', userBody('deleted-alice')), 201);
      expectScim(await scim(h).post('/Groups', { schemas: [GROUP_SCHEMA], displayName: 'Doomed' }), 201);
    });

    it('answers DELETE with 204 and no body', async () => {
      const { id } = await createUser(h, 'delete-me');
      const res = await scim(h).delete(`/Users/${id}`);
      expect(res.status).toBe(204);
      expect(res.text ?? '').toBe('');
    });

    it('treats attribute names case-insensitively in bodies (RFC 7643 2.1)', async () => {
      const created = expectScim(await scim(h).post('/Users', { schemas: [USER_SCHEMA], USERNAME: 'shouty', Name: { GivenName: 'G' }, Active: true }), 201);
      expect(created).toMatchObject({ userName: 'shouty', name: { givenName: 'G' }, active: true });
    });
  });

  describe('PATCH (RFC 7644 3.5.2)', () => {
    it('answers an invalid path with 400 invalidPath and writes nothing', async () => {
      const { id } = await createUser(h, 'patch-paths');
      const before = counts(h.store);
      expectScimError(await scim(h).patch(`/Users/${id}`, patchOps({ op: 'replace', path: 'noSuchAttribute', value: 'x' })), 400, 'invalidPath');
      expectScimError(await scim(h).patch(`/Users/${id}`, patchOps({ op: 'replace', path: 'emails[type eq "work"', value: 'x' })), 400);
      expect(counts(h.store)).toEqual(before);
    });

    it('answers a remove without a path with 400 noTarget (3.5.2.2)', async () => {
      const { id } = await createUser(h, 'remove-nopath');
      const before = counts(h.store);
      expectScimError(await scim(h).patch(`/Users/${id}`, patchOps({ op: 'remove' })), 400, 'noTarget');
      expect(counts(h.store)).toEqual(before);
    });

    it('answers an unknown op with 400 and writes nothing', async () => {
      const { id } = await createUser(h, 'bad-op');
      const before = counts(h.store);
      const res = await scim(h).patch(`/Users/${id}`, patchOps({ op: 'merge', path: 'title', value: 'x' }));
      expectScimError(res, 400);
      expect(counts(h.store)).toEqual(before);
    });

    it('answers a PatchOp without the PatchOp schema with 400 invalidSyntax', async () => {
      const { id } = await createUser(h, 'no-schema');
      expectScimError(await scim(h).patch(`/Users/${id}`, { Operations: [{ op: 'replace', path: 'title', value: 'x' }] }), 400, 'invalidSyntax');
    });

    it('applies all operations or none: a bad second op leaves the first unapplied (3.5.2: atomic)', async () => {
      const { id } = await createUser(h, 'atomic');
      const before = counts(h.store);
      expectScimError(await scim(h).patch(`/Users/${id}`, patchOps(
        { op: 'replace', path: 'title', value: 'applied?' },
        { op: 'replace', path: 'noSuchAttribute', value: 'x' },
      )), 400);
      expect(expectScim(await scim(h).get(`/Users/${id}`), 200)).not.toHaveProperty('title');
      expect(counts(h.store)).toEqual(before);
    });

    it('refuses to change a readOnly attribute with a path (id) with 400 mutability', async () => {
      const { id } = await createUser(h, 'ro-patch');
      const res = await scim(h).patch(`/Users/${id}`, patchOps({ op: 'replace', path: 'id', value: 'new-id' }));
      expectScimError(res, 400, 'mutability');
      expectScim(await scim(h).get(`/Users/${id}`), 200);
    });

    it('refuses a PATCH of the readOnly groups attribute of a User with 400 mutability (3.5.2)', async () => {
      const { id } = await createUser(h, 'ro-groups');
      const group = expectScim(await scim(h).post('/Groups', { schemas: [GROUP_SCHEMA], displayName: 'RO' }), 201);
      const before = counts(h.store);
      expectScimError(await scim(h).patch(`/Users/${id}`, patchOps({ op: 'add', path: 'groups', value: [{ value: group.id }] })), 400, 'mutability');
      expect(counts(h.store)).toEqual(before);
    });

    it('answers a replace whose value filter matches nothing (no typed path to retarget) with 400 noTarget', async () => {
      const { id } = await createUser(h, 'no-target', { emails: [{ type: 'work', value: 'w@x.com', primary: false }] });
      expectScimError(await scim(h).patch(`/Users/${id}`, patchOps({ op: 'replace', path: 'emails[primary eq true].value', value: 'p@x.com' })), 400, 'noTarget');
    });

    it('keeps at most one primary value: adding a new primary email clears primary on the old one (RFC 7643 2.4, RFC 7644 3.5.2)', async () => {
      const { id } = await createUser(h, 'primaries', { emails: [{ type: 'work', value: 'old@x.com', primary: true }] });
      const patched = expectScim(await scim(h).patch(`/Users/${id}`, patchOps({ op: 'add', path: 'emails', value: [{ type: 'home', value: 'new@x.com', primary: true }] })), 200);
      expect(patched.emails.filter((e: { primary?: boolean }) => e.primary === true).map((e: { value: string }) => e.value)).toEqual(['new@x.com']);
    });

    it('refuses (400) or normalises a body with two primary emails, never storing two (RFC 7643 2.4: MUST appear no more than once)', async () => {
      const res = await scim(h).post('/Users', userBody('two-primaries', { emails: [{ value: 'a@x.com', primary: true }, { value: 'b@x.com', primary: true }] }));
      if (res.status === 400) return void expectScimError(res, 400, 'invalidValue');
      const created = expectScim(res, 201);
      expect(created.emails.filter((e: { primary?: boolean }) => e.primary === true)).toHaveLength(1);
    });

    it('accepts PATCH paths qualified with the core schema URN (3.10 attrPath = [URI ":"] ATTRNAME)', async () => {
      const { id } = await createUser(h, 'urn-path');
      expectScim(await scim(h).patch(`/Users/${id}`, patchOps(
        { op: 'replace', path: `${USER_SCHEMA}:name.givenName`, value: 'Qualified' },
        { op: 'replace', path: `${USER_SCHEMA}:displayName`, value: 'Qualified Name' },
      )), 200);
      const stored = expectScim(await scim(h).get(`/Users/${id}`), 200);
      expect(stored).toMatchObject({ name: { givenName: 'Qualified' }, displayName: 'Qualified Name' });
    });

    it('answers a group PATCH that carries attributes= with 200 and the projected group (3.5.2: MUST)', async () => {
      const group = expectScim(await scim(h).post('/Groups', { schemas: [GROUP_SCHEMA], displayName: 'before' }), 201);
      const res = await request(h.app).patch(`/scim/v2/Groups/${group.id}?attributes=displayName`).set(h.auth).set('Content-Type', SCIM_JSON)
        .send(patchOps({ op: 'replace', path: 'displayName', value: 'after' }));
      const body = expectScim(res, 200);
      expect(body).toMatchObject({ id: group.id, displayName: 'after' });
      expect(body).not.toHaveProperty('members');
    });

    it('removes one value of a multi-valued attribute by filter and keeps the others', async () => {
      const { id } = await createUser(h, 'multi', { emails: [{ type: 'work', value: 'w@x.com', primary: true }, { type: 'home', value: 'h@x.com' }] });
      const patched = expectScim(await scim(h).patch(`/Users/${id}`, patchOps({ op: 'remove', path: 'emails[type eq "home"]' })), 200);
      expect(patched.emails).toEqual([expect.objectContaining({ type: 'work', value: 'w@x.com' })]);
    });
  });

  describe('listing: paging, sorting, projection (RFC 7644 3.4.2)', () => {
    async function seed(n: number): Promise<string[]> {
      const created: string[] = [];
      for (let i = 0; i < n; i++) created.push((await createUser(h, `user${String(i).padStart(2, '0')}`)).id);
      return created;
    }

    it('pages every user exactly once with count 2, with correct totalResults/itemsPerPage/startIndex on each page', async () => {
      const all = await seed(11);
      const seen: string[] = [];
      for (let startIndex = 1; startIndex <= 11; startIndex += 2) {
        const page = expectScim(await getWith(h, '/Users', { startIndex, count: 2 }), 200);
        expect(page).toMatchObject({ schemas: [LIST_RESPONSE], totalResults: 11, startIndex, itemsPerPage: startIndex === 11 ? 1 : 2 });
        seen.push(...ids(page));
      }
      expect(seen).toHaveLength(11);
      expect(new Set(seen)).toEqual(new Set(all));
      const beyond = expectScim(await getWith(h, '/Users', { startIndex: 12, count: 2 }), 200);
      expect(beyond).toMatchObject({ totalResults: 11, itemsPerPage: 0 });
      expect(beyond.Resources ?? []).toEqual([]);
    });

    it('pages a filtered and sorted list without duplicates', async () => {
      await seed(9);
      const seen: string[] = [];
      for (let startIndex = 1; startIndex <= 9; startIndex += 4) {
        const page = expectScim(await getWith(h, '/Users', { filter: 'userName sw "user"', sortBy: 'userName', sortOrder: 'descending', startIndex, count: 4 }), 200);
        expect(page.totalResults).toBe(9);
        seen.push(...page.Resources.map((r: { userName: string }) => r.userName));
      }
      expect(seen).toEqual([...Array(9).keys()].map((i) => `user${String(8 - i).padStart(2, '0')}`));
    });

    it('pages without duplicates or omissions when sorting by an attribute with ties and missing values', async () => {
      const all = await seed(9);
      for (const [i, id] of all.entries()) {
        if (i % 3 === 0) continue;
        expectScim(await scim(h).patch(`/Users/${id}`, patchOps({ op: 'replace', path: 'title', value: i % 2 ? 'Same' : 'Other' })), 200);
      }
      for (const sortBy of ['active', 'title', 'name.familyName', 'meta.created']) {
        for (const sortOrder of ['ascending', 'descending']) {
          const seen: string[] = [];
          for (let startIndex = 1; startIndex <= 9; startIndex += 2) {
            const page = expectScim(await getWith(h, '/Users', { sortBy, sortOrder, startIndex, count: 2 }), 200);
            seen.push(...ids(page));
          }
          expect({ sortBy, sortOrder, seen: [...seen].sort() }).toEqual({ sortBy, sortOrder, seen: [...all].sort() });
        }
      }
    });

    it('replaces the member list with an empty one: {op:"replace", path:"members", value:[]}', async () => {
      const { id } = await createUser(h, 'member-to-clear');
      const group = expectScim(await scim(h).post('/Groups', { schemas: [GROUP_SCHEMA], displayName: 'Clear me', members: [{ value: id }] }), 201);
      const res = await scim(h).patch(`/Groups/${group.id}`, patchOps({ op: 'replace', path: 'members', value: [] }));
      expect([200, 204]).toContain(res.status);
      expect(expectScim(await scim(h).get(`/Groups/${group.id}`), 200).members ?? []).toEqual([]);
    });

    it('count=0 returns only totalResults (3.4.2.4)', async () => {
      await seed(3);
      const page = expectScim(await getWith(h, '/Users', { count: 0 }), 200);
      expect(page).toMatchObject({ totalResults: 3, itemsPerPage: 0 });
      expect(page.Resources ?? []).toEqual([]);
    });

    it('interprets startIndex < 1 as 1 and a negative count as 0 (3.4.2.4)', async () => {
      await seed(3);
      const zero = expectScim(await getWith(h, '/Users', { startIndex: 0, count: 2 }), 200);
      expect(zero).toMatchObject({ startIndex: 1, itemsPerPage: 2 });
      const negative = expectScim(await getWith(h, '/Users', { count: -5 }), 200);
      expect(negative).toMatchObject({ totalResults: 3, itemsPerPage: 0 });
    });

    it('caps count at filter.maxResults', async () => {
      for (let i = 0; i < 55; i++) h.store.users.create({ schemas: [USER_SCHEMA], userName: `bulk${i}` } as never, { actor: 't', requestId: `r${i}`, source: 'scim' } as never);
      const page = expectScim(await getWith(h, '/Users', { count: 1000 }), 200);
      expect(page).toMatchObject({ totalResults: 55, itemsPerPage: 50 });
    });

    it('treats filter attribute names and operators case-insensitively (3.4.2.2)', async () => {
      const { id } = await createUser(h, 'CaseFilter');
      for (const filter of ['USERNAME EQ "casefilter"', 'username Eq "CASEFILTER"', 'userName co "seFil"', 'userName sw "case"', 'userName ew "FILTER"']) {
        expect(ids(expectScim(await getWith(h, '/Users', { filter }), 200))).toEqual([id]);
      }
    });

    it('evaluates complex filters: and/or/not, grouping, value paths, pr, dates', async () => {
      const a = await createUser(h, 'alpha', { title: 'Boss', emails: [{ type: 'work', value: 'alpha@corp.com' }] });
      const b = await createUser(h, 'beta', { active: false, emails: [{ type: 'home', value: 'beta@home.net' }] });
      const q = await createUser(h, 'quote"d');
      const run = async (filter: string) => ids(expectScim(await getWith(h, '/Users', { filter }), 200)).sort();
      expect(await run('title pr')).toEqual([a.id]);
      expect(await run('not (title pr)')).toEqual([b.id, q.id].sort());
      expect(await run('emails[type eq "work" and value co "@corp"]')).toEqual([a.id]);
      expect(await run('active eq false or userName eq "alpha"')).toEqual([a.id, b.id].sort());
      expect(await run('(userName eq "alpha" or userName eq "beta") and active eq true')).toEqual([a.id]);
      expect(await run('emails.value ew "home.net"')).toEqual([b.id]);
      expect(await run('meta.lastModified gt "2000-01-01T00:00:00Z"')).toHaveLength(3);
      expect(await run('meta.created lt "2000-01-01T00:00:00Z"')).toEqual([]);
      expect(await run('userName sw "quote"')).toEqual([q.id]);
    });

    it('matches a value containing an escaped quote (userName eq "quote\\"d")', async () => {
      const q = await createUser(h, 'quote"d');
      const group = expectScim(await scim(h).post('/Groups', { schemas: [GROUP_SCHEMA], displayName: 'Team "Alpha"' }), 201);
      expect(ids(expectScim(await getWith(h, '/Users', { filter: 'userName eq "quote\\"d"' }), 200))).toEqual([q.id]);
      expect(ids(expectScim(await getWith(h, '/Groups', { filter: 'displayName eq "Team \\"Alpha\\""' }), 200))).toEqual([group.id]);
    });

    it('treats % _ and \\ in co/sw/ew values as literal characters, not SQL wildcards', async () => {
      const named = Object.fromEntries(await Promise.all(['abc', 'a_c', 'a%c', 'a\\c'].map(async (n) => [n, (await createUser(h, n)).id])));
      const run = async (filter: string) => ids(expectScim(await getWith(h, '/Users', { filter }), 200));
      expect(await run('userName sw "a_c"')).toEqual([named.a_c]);
      expect(await run('userName co "%"')).toEqual([named['a%c']]);
      expect(await run('userName co "_"')).toEqual([named.a_c]);
      expect(await run('userName ew "\\\\c"')).toEqual([named['a\\c']]);
    });

    it('filters groups by member (members[value eq "…"]) and by displayName', async () => {
      const a = await createUser(h, 'gm-a');
      const b = await createUser(h, 'gm-b');
      const g = expectScim(await scim(h).post('/Groups', { schemas: [GROUP_SCHEMA], displayName: 'With A', members: [{ value: a.id }] }), 201);
      expectScim(await scim(h).post('/Groups', { schemas: [GROUP_SCHEMA], displayName: 'With B', members: [{ value: b.id }] }), 201);
      expect(ids(expectScim(await getWith(h, '/Groups', { filter: `members[value eq "${a.id}"]` }), 200))).toEqual([g.id]);
      expect(ids(expectScim(await getWith(h, '/Groups', { filter: `members.value eq "${a.id}"`, excludedAttributes: 'members' }), 200))).toEqual([g.id]);
    });

    it('answers a filter on an attribute the schema does not define without a 5xx (400 invalidFilter or no match)', async () => {
      await createUser(h, 'unknown-attr');
      const res = await getWith(h, '/Users', { filter: 'favouriteColour eq "blue"' });
      if (res.status === 400) expectScimError(res, 400, 'invalidFilter');
      else expect(expectScim(res, 200).totalResults).toBe(0);
    });

    it('answers sortBy on an unknown attribute without a 5xx (400 invalidValue, or the list unsorted)', async () => {
      await seed(2);
      const res = await getWith(h, '/Users', { sortBy: 'favouriteColour' });
      if (res.status === 400) expectScimError(res, 400);
      else expect(expectScim(res, 200).totalResults).toBe(2);
    });

    it('returns only the requested attributes plus id, schemas and meta, and never an excluded one (3.9)', async () => {
      const { id } = await createUser(h, 'projected', { title: 'T' });
      const only = expectScim(await getWith(h, `/Users/${id}`, { attributes: 'userName,name.givenName' }), 200);
      expect(Object.keys(only).sort()).toEqual(['id', 'meta', 'name', 'schemas', 'userName']);
      expect(only.name).toEqual({ givenName: 'Given' });
      const listed = expectScim(await getWith(h, '/Users', { attributes: 'userName', filter: 'userName eq "projected"' }), 200);
      expect(Object.keys(listed.Resources[0]).sort()).toEqual(['id', 'meta', 'schemas', 'userName']);
      const without = expectScim(await getWith(h, `/Users/${id}`, { excludedAttributes: 'emails,title' }), 200);
      expect(without).not.toHaveProperty('emails');
      expect(without).not.toHaveProperty('title');
      expect(without.userName).toBe('projected');
      const keepsId = expectScim(await getWith(h, `/Users/${id}`, { excludedAttributes: 'id,meta,schemas' }), 200);
      expect(keepsId).toMatchObject({ id, schemas: expect.any(Array), meta: expect.any(Object) });
    });

    it('accepts fully qualified (URN-prefixed) attribute names in attributes= (3.10)', async () => {
      const { id } = await createUser(h, 'urn-attrs', { schemas: [USER_SCHEMA, ENTERPRISE], [ENTERPRISE]: { department: 'Sales', employeeNumber: '7' } });
      const core = expectScim(await getWith(h, `/Users/${id}`, { attributes: `${USER_SCHEMA}:userName` }), 200);
      expect(core.userName).toBe('urn-attrs');
      expect(core).not.toHaveProperty('emails');
      const ext = expectScim(await getWith(h, `/Users/${id}`, { attributes: `${ENTERPRISE}:department` }), 200);
      expect(ext[ENTERPRISE]).toEqual({ department: 'Sales' });
      expect(ext).not.toHaveProperty('userName');
    });

    it('excludes a whole extension with excludedAttributes=<extension URN>', async () => {
      const { id } = await createUser(h, 'urn-excluded', { schemas: [USER_SCHEMA, ENTERPRISE], [ENTERPRISE]: { department: 'Sales' } });
      const res = expectScim(await getWith(h, `/Users/${id}`, { excludedAttributes: ENTERPRISE }), 200);
      expect(res).not.toHaveProperty(ENTERPRISE);
      expect(res.userName).toBe('urn-excluded');
    });

    it('filters on extension attributes by their URN and on core attributes by their fully qualified name', async () => {
      const { id } = await createUser(h, 'urn-filter', { schemas: [USER_SCHEMA, ENTERPRISE], [ENTERPRISE]: { employeeNumber: '701984' } });
      await createUser(h, 'other');
      expect(ids(expectScim(await getWith(h, '/Users', { filter: `${ENTERPRISE}:employeeNumber eq "701984"` }), 200))).toEqual([id]);
      expect(ids(expectScim(await getWith(h, '/Users', { filter: `${USER_SCHEMA}:userName eq "URN-FILTER"` }), 200))).toEqual([id]);
    });

    it('compares caseExact=false attributes case-insensitively and caseExact=true ones exactly (RFC 7643 2.1)', async () => {
      const { id } = await createUser(h, 'cases', { externalId: 'Ext-1', emails: [{ type: 'work', value: 'Cases@Corp.com' }] });
      const group = expectScim(await scim(h).post('/Groups', { schemas: [GROUP_SCHEMA], displayName: 'Org Admin' }), 201);
      expect(ids(expectScim(await getWith(h, '/Users', { filter: 'emails[type eq "work"].value eq "cases@corp.com"' }), 200))).toEqual([id]);
      expect(ids(expectScim(await getWith(h, '/Groups', { filter: 'displayName eq "org admin"' }), 200))).toEqual([group.id]);
      expect(ids(expectScim(await getWith(h, '/Users', { filter: 'externalId eq "Ext-1"' }), 200))).toEqual([id]);
      expect(ids(expectScim(await getWith(h, '/Users', { filter: 'externalId eq "ext-1"' }), 200))).toEqual([]);
    });

    it('returns the read-only groups of a user when asked with attributes=groups, and finds users by group', async () => {
      const { id } = await createUser(h, 'grouped');
      await createUser(h, 'ungrouped');
      const group = expectScim(await scim(h).post('/Groups', { schemas: [GROUP_SCHEMA], displayName: 'Grp', members: [{ value: id }] }), 201);
      const only = expectScim(await getWith(h, `/Users/${id}`, { attributes: 'groups' }), 200);
      expect(only.groups).toEqual([expect.objectContaining({ value: group.id, display: 'Grp' })]);
      expect(only).not.toHaveProperty('userName');
      expect(ids(expectScim(await getWith(h, '/Users', { filter: `groups[value eq "${group.id}"]` }), 200))).toEqual([id]);
    });

    it('applies attributes to POST/PUT/PATCH answers too (3.9)', async () => {
      const res = await request(h.app).post('/scim/v2/Users?attributes=userName').set(h.auth).set('Content-Type', SCIM_JSON).send(userBody('proj-write'));
      const created = expectScim(res, 201);
      expect(Object.keys(created).sort()).toEqual(['id', 'meta', 'schemas', 'userName']);
    });
  });

  describe('POST /.search (RFC 7644 3.4.3)', () => {
    it('searches /Users/.search with filter, attributes, sortBy, startIndex and count in the body', async () => {
      for (const name of ['s-c', 's-a', 's-b', 'other']) await createUser(h, name);
      const body = { schemas: [SEARCH_REQUEST], filter: 'userName sw "s-"', attributes: ['userName'], sortBy: 'userName', startIndex: 1, count: 2 };
      const res = expectScim(await scim(h).post('/Users/.search', body), 200);
      expect(res).toMatchObject({ schemas: [LIST_RESPONSE], totalResults: 3, itemsPerPage: 2, startIndex: 1 });
      expect(res.Resources.map((r: { userName: string }) => r.userName)).toEqual(['s-a', 's-b']);
      expect(res.Resources[0]).not.toHaveProperty('emails');
    });

    it('clamps startIndex < 1 to 1 and a negative count to 0 in a search body, as GET does (3.4.3 uses 3.4.2.4)', async () => {
      for (const name of ['c-1', 'c-2']) await createUser(h, name);
      const low = expectScim(await scim(h).post('/Users/.search', { schemas: [SEARCH_REQUEST], startIndex: -5, count: 1 }), 200);
      expect(low).toMatchObject({ startIndex: 1, itemsPerPage: 1, totalResults: 2 });
      const none = expectScim(await scim(h).post('/Users/.search', { schemas: [SEARCH_REQUEST], count: -1 }), 200);
      expect(none).toMatchObject({ totalResults: 2, itemsPerPage: 0 });
      const zero = expectScim(await scim(h).post('/.search', { schemas: [SEARCH_REQUEST], count: 0 }), 200);
      expect(zero).toMatchObject({ totalResults: 2, itemsPerPage: 0 });
    });

    it('answers a search body with the wrong schema with 400 invalidSyntax or invalidValue', async () => {
      const res = await scim(h).post('/Users/.search', { schemas: [USER_SCHEMA], filter: 'userName pr' });
      expectScimError(res, 400);
    });

    it('answers a bad filter in a search body with 400 invalidFilter', async () => {
      expectScimError(await scim(h).post('/Users/.search', { schemas: [SEARCH_REQUEST], filter: 'userName eq' }), 400, 'invalidFilter');
      expectScimError(await scim(h).post('/.search', { schemas: [SEARCH_REQUEST], filter: 'userName zz "a"' }), 400, 'invalidFilter');
    });

    it('searches across Users and Groups at the root', async () => {
      await createUser(h, 'root-user');
      expectScim(await scim(h).post('/Groups', { schemas: [GROUP_SCHEMA], displayName: 'root-group' }), 201);
      const res = expectScim(await scim(h).post('/.search', { schemas: [SEARCH_REQUEST], startIndex: 1, count: 10 }), 200);
      expect(res.totalResults).toBe(2);
      expect(res.Resources.map((r: { meta: { resourceType: string } }) => r.meta.resourceType).sort()).toEqual(['Group', 'User']);
    });
  });

  describe('ETags (RFC 7644 3.14)', () => {
    it('answers If-Match with the current version, on PATCH, with 200; with an old one with 412 and writes nothing', async () => {
      const { id, version } = await createUser(h, 'etag');
      const first = await scim(h).patch(`/Users/${id}`, patchOps({ op: 'replace', path: 'title', value: 'v2' })).set('If-Match', version);
      expectScim(first, 200);
      const before = counts(h.store);
      expectScimError(await scim(h).patch(`/Users/${id}`, patchOps({ op: 'replace', path: 'title', value: 'v3' })).set('If-Match', version), 412);
      expectScimError(await scim(h).put(`/Users/${id}`, userBody('etag')).set('If-Match', version), 412);
      expectScimError(await scim(h).delete(`/Users/${id}`).set('If-Match', version), 412);
      expect(counts(h.store)).toEqual(before);
      expect(expectScim(await scim(h).get(`/Users/${id}`), 200).title).toBe('v2');
      expectScim(await scim(h).patch(`/Users/${id}`, patchOps({ op: 'replace', path: 'title', value: 'v3' })).set('If-Match', first.headers.etag), 200);
    });

    it('answers GET with If-None-Match of the current version with 304 and no body, and after a change with 200', async () => {
      const { id, version } = await createUser(h, 'etag-get');
      const cached = await scim(h).get(`/Users/${id}`).set('If-None-Match', version);
      expect(cached.status).toBe(304);
      expect(cached.text ?? '').toBe('');
      await scim(h).patch(`/Users/${id}`, patchOps({ op: 'replace', path: 'title', value: 'new' }));
      const fresh = await scim(h).get(`/Users/${id}`).set('If-None-Match', version);
      expect(expectScim(fresh, 200).title).toBe('new');
    });

    it('answers If-Match on group PATCH and DELETE with 412 when outdated', async () => {
      const group = await scim(h).post('/Groups', { schemas: [GROUP_SCHEMA], displayName: 'etag-group' });
      const version = group.body.meta.version;
      const patched = await scim(h).patch(`/Groups/${group.body.id}`, patchOps({ op: 'replace', path: 'displayName', value: 'renamed' })).set('If-Match', version);
      expect([200, 204]).toContain(patched.status);
      expectScimError(await scim(h).delete(`/Groups/${group.body.id}`).set('If-Match', version), 412);
      expectScim(await scim(h).get(`/Groups/${group.body.id}`), 200);
    });
  });

  describe('/Bulk (RFC 7644 3.7)', () => {
    it('creates a user and a group that references it by bulkId, answering a BulkResponse with string statuses and locations', async () => {
      const res = await scim(h).post('/Bulk', {
        schemas: [BULK_REQUEST],
        Operations: [
          { method: 'POST', path: '/Groups', bulkId: 'g1', data: { schemas: [GROUP_SCHEMA], displayName: 'Bulk group', members: [{ type: 'User', value: 'bulkId:u1' }] } },
          { method: 'POST', path: '/Users', bulkId: 'u1', data: userBody('bulk-user') },
        ],
      });
      const body = expectScim(res, 200);
      expect(body.schemas).toEqual([BULK_RESPONSE]);
      const byBulkId = Object.fromEntries(body.Operations.map((op: { bulkId: string }) => [op.bulkId, op]));
      expect(byBulkId.u1).toMatchObject({ method: 'POST', status: '201', location: expect.stringMatching(/\/Users\/[^/]+$/) });
      expect(byBulkId.g1).toMatchObject({ method: 'POST', status: '201', location: expect.stringMatching(/\/Groups\/[^/]+$/) });
      const userId = byBulkId.u1.location.split('/').pop();
      const groupId = byBulkId.g1.location.split('/').pop();
      const group = expectScim(await scim(h).get(`/Groups/${groupId}`), 200);
      expect(group.members.map((m: { value: string }) => m.value)).toEqual([userId]);
      const groups = expectScim(await getWith(h, '/Groups', { filter: 'displayName eq "Bulk group"' }), 200);
      expect(groups.Resources.map((g: { id: string }) => g.id)).toEqual([groupId]);
    });

    it('stops after failOnErrors errors and leaves later operations unapplied', async () => {
      const res = await scim(h).post('/Bulk', {
        schemas: [BULK_REQUEST],
        failOnErrors: 1,
        Operations: [
          { method: 'POST', path: '/Users', bulkId: 'bad', data: { schemas: [USER_SCHEMA] } },
          { method: 'POST', path: '/Users', bulkId: 'never', data: userBody('never-created') },
        ],
      });
      const body = expectScim(res, 200);
      expect(body.Operations).toHaveLength(1);
      expect(body.Operations[0]).toMatchObject({ bulkId: 'bad', status: '400', response: expect.objectContaining({ schemas: [expect.stringContaining('Error')] }) });
      expect(expectScim(await getWith(h, '/Users', { filter: 'userName eq "never-created"' }), 200).totalResults).toBe(0);
    });

    it('reports a PATCH and a DELETE by path, and a 404 for an unknown id, each in its own result', async () => {
      const { id } = await createUser(h, 'bulk-patch');
      const res = await scim(h).post('/Bulk', {
        schemas: [BULK_REQUEST],
        Operations: [
          { method: 'PATCH', path: `/Users/${id}`, data: patchOps({ op: 'replace', path: 'title', value: 'bulk' }) },
          { method: 'DELETE', path: `/Users/${randomUUID()}` },
        ],
      });
      const body = expectScim(res, 200);
      expect(body.Operations.map((op: { status: string }) => op.status)).toEqual(['200', '404']);
      expect(expectScim(await scim(h).get(`/Users/${id}`), 200).title).toBe('bulk');
    });

    it('honours a Bulk operation\'s version like If-Match: a stale one is 412 and writes nothing (3.7, example in 3.7.3)', async () => {
      const { id, version } = await createUser(h, 'bulk-version');
      expectScim(await scim(h).patch(`/Users/${id}`, patchOps({ op: 'replace', path: 'title', value: 'newer' })), 200);
      const res = await scim(h).post('/Bulk', {
        schemas: [BULK_REQUEST],
        Operations: [
          { method: 'PATCH', path: `/Users/${id}`, version, data: patchOps({ op: 'replace', path: 'title', value: 'stale' }) },
          { method: 'DELETE', path: `/Users/${id}`, version },
        ],
      });
      expect(expectScim(res, 200).Operations.map((op: { status: string }) => op.status)).toEqual(['412', '412']);
      expect(expectScim(await scim(h).get(`/Users/${id}`), 200).title).toBe('newer');
    });

    it('refuses more than maxOperations with 413 (3.7.4) and writes nothing', async () => {
      const before = counts(h.store);
      const Operations = [...Array(11).keys()].map((i) => ({ method: 'POST', path: '/Users', bulkId: `b${i}`, data: userBody(`over${i}`) }));
      expectScimError(await scim(h).post('/Bulk', { schemas: [BULK_REQUEST], Operations }), 413);
      expect(counts(h.store)).toEqual(before);
    });

    it('answers a circular bulkId reference with 409 results (3.7.1 allows it) and creates neither resource', async () => {
      const res = await scim(h).post('/Bulk', {
        schemas: [BULK_REQUEST],
        Operations: [
          { method: 'POST', path: '/Groups', bulkId: 'a', data: { schemas: [GROUP_SCHEMA], displayName: 'A', members: [{ value: 'bulkId:b' }] } },
          { method: 'POST', path: '/Groups', bulkId: 'b', data: { schemas: [GROUP_SCHEMA], displayName: 'B', members: [{ value: 'bulkId:a' }] } },
        ],
      });
      const body = expectScim(res, 200);
      expect(body.Operations.map((op: { status: string }) => op.status)).toEqual(['409', '409']);
      expect(expectScim(await scim(h).get('/Groups'), 200).Resources.filter((g: { displayName: string }) => ['A', 'B'].includes(g.displayName))).toEqual([]);
    });
  });

  describe('errors and unsupported endpoints (RFC 7644 3.12, 3.11)', () => {
    it('answers a missing or wrong token with 401 SCIM errors', async () => {
      const missing = await request(h.app).get('/scim/v2/Users');
      expectScimError(missing, 401);
      expect(missing.headers['www-authenticate']).toMatch(/^Bearer/);
      expectScimError(await request(h.app).get('/scim/v2/Users').set('Authorization', 'Bearer nope'), 401);
      expectScimError(await request(h.app).get('/scim/v2/Users').set('Authorization', `Basic ${Buffer.from('a:b').toString('base64')}`), 401);
    });

    it('answers a valid token that lacks the scim scope with 403 (RFC 7644 3.12, RFC 6750 3.1 insufficient_scope)', async () => {
      const admin = new Tokens(h.store.db).create('admin-only', 'admin');
      const res = await request(h.app).get('/scim/v2/Users').set('Authorization', `Bearer ${admin}`);
      expectScimError(res, 403);
      expect(res.headers['www-authenticate']).toBe('Bearer realm="scim-bridge", error="insufficient_scope", scope="scim"');
      const unknown = await request(h.app).get('/scim/v2/Users').set('Authorization', 'Bearer nope');
      expect(unknown.headers['www-authenticate']).toBe('Bearer realm="scim-bridge", error="invalid_token"');
    });

    it('answers /Me, which the bridge does not offer, with a 501 Not Implemented SCIM error (3.11)', async () => {
      expectScimError(await scim(h).get('/Me'), 501);
    });

    it('answers methods a resource does not support with a 405 SCIM error and Allow (PUT /Users, DELETE /Users, PATCH /Schemas)', async () => {
      for (const res of [
        await scim(h).put('/Users', userBody('x')),
        await request(h.app).delete('/scim/v2/Users').set(h.auth),
        await scim(h).patch('/Schemas', patchOps({ op: 'add', path: 'x', value: 1 })),
        await scim(h).post('/ServiceProviderConfig', {}),
      ]) {
        expectScimError(res, 405);
        expect(res.headers.allow).toEqual(expect.any(String));
      }
    });

    it('answers a filter on /ServiceProviderConfig with 403 (RFC 7644 4)', async () => {
      expectScimError(await getWith(h, '/ServiceProviderConfig', { filter: 'patch.supported eq true' }), 403);
    });

    it('answers GET on a group with a matching If-None-Match with 304', async () => {
      const group = expectScim(await scim(h).post('/Groups', { schemas: [GROUP_SCHEMA], displayName: 'cached' }), 201);
      expect((await scim(h).get(`/Groups/${group.id}`).set('If-None-Match', group.meta.version)).status).toBe(304);
    });

    it('answers with application/scim+json even when the client accepts only application/json', async () => {
      const { id } = await createUser(h, 'accept-json');
      const res = await request(h.app).get(`/scim/v2/Users/${id}`).set(h.auth).set('Accept', 'application/json');
      expect(res.status).toBe(200);
      expect(res.body.id).toBe(id);
    });

    it('accepts writes sent as application/json', async () => {
      const res = await request(h.app).post('/scim/v2/Users').set(h.auth).set('Content-Type', 'application/json').send(JSON.stringify(userBody('plain-json')));
      expectScim(res, 201);
    });

    it('PATCH with Operations: [] answers 200 (Entra) and does not bump the version', async () => {
      const { id, version } = await createUser(h, 'empty-ops');
      const res = expectScim(await scim(h).patch(`/Users/${id}`, { schemas: [PATCH_OP], Operations: [] }), 200);
      expect(res.meta.version).toBe(version);
    });
  });
});
