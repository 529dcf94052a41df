import { ENTERPRISE, USER_SCHEMA, createUser, harness, patchOps, scim, userBody } from './helpers';

describe('IdP behaviours the normalising layer accepts', () => {
  it('accepts capitalised ops (Entra: Add, Replace, Remove) on users', async () => {
    const h = harness();
    const { id } = await createUser(h, 'cap');
    const res = await scim(h).patch(
      `/Users/${id}`,
      patchOps({ op: 'Replace', path: 'displayName', value: 'Cap' }, { op: 'Add', path: 'title', value: 'Eng' }, { op: 'Remove', path: 'title' }),
    );
    expect(res.status).toBe(200);
    expect(res.body.displayName).toBe('Cap');
    expect(res.body.title).toBeUndefined();
  });

  it('accepts string booleans for active and primary', async () => {
    const h = harness();
    const created = await scim(h).post('/Users', userBody('strbool', { active: 'False', emails: [{ value: 's@example.com', type: 'work', primary: 'True' }] }));
    expect(created.status).toBe(201);
    expect(created.body.active).toBe(false);
    expect(created.body.emails[0].primary).toBe(true);
    const patched = await scim(h).patch(`/Users/${created.body.id}`, patchOps({ op: 'Replace', path: 'active', value: 'True' }));
    expect(patched.body.active).toBe(true);
  });

  it('answers an empty Operations list with 200 and changes nothing', async () => {
    const h = harness();
    const { id } = await createUser(h, 'noop');
    const ledgerBefore = h.store.ledger.verify().rows;
    const res = await scim(h).patch(`/Users/${id}`, patchOps());
    expect(res.status).toBe(200);
    expect(res.body.meta.version).toBe('W/"1"');
    expect(h.store.ledger.verify().rows).toBe(ledgerBefore);
  });

  it('applies no-path replaces with dotted and URN-prefixed keys', async () => {
    const h = harness();
    const manager = await createUser(h, 'boss');
    const { id } = await createUser(h, 'dotted');
    const res = await scim(h).patch(
      `/Users/${id}`,
      patchOps({
        op: 'replace',
        value: { 'name.givenName': 'Dot', [`${ENTERPRISE}:department`]: 'Sales', [`${ENTERPRISE}:manager`]: manager.id },
      }),
    );
    expect(res.status).toBe(200);
    expect(res.body.name.givenName).toBe('Dot');
    expect(res.body[ENTERPRISE]).toEqual({ department: 'Sales', manager: { value: manager.id } });
  });

  it('takes a manager given as a plain id string, in bodies and in PATCH paths', async () => {
    const h = harness();
    const created = await scim(h).post('/Users', userBody('managed', { [ENTERPRISE]: { manager: 'm-1' } }));
    expect(created.status).toBe(201);
    expect(created.body[ENTERPRISE].manager).toEqual({ value: 'm-1' });
    const patched = await scim(h).patch(`/Users/${created.body.id}`, patchOps({ op: 'replace', path: `${ENTERPRISE}:manager`, value: 'm-2' }));
    expect(patched.body[ENTERPRISE].manager).toEqual({ value: 'm-2' });
  });

  it('accepts email, phone and role types of any casing or vocabulary', async () => {
    const h = harness();
    const res = await scim(h).post(
      '/Users',
      userBody('types', {
        emails: [{ value: 't@example.com', type: 'Work', primary: true }, { value: 't2@example.com', type: 'personal' }],
        phoneNumbers: [{ value: '+1 555', type: 'Mobile' }],
        roles: [{ value: 'admin', type: 'AppRole', primary: 'False' }],
      }),
    );
    expect(res.status).toBe(201);
    expect(res.body.emails.map((e: { type: string }) => e.type)).toEqual(['work', 'personal']);
    expect(res.body.phoneNumbers[0].type).toBe('mobile');
    expect(res.body.roles[0]).toEqual({ value: 'admin', type: 'AppRole', primary: false });
  });

  it('sets emails[type eq "work"].value, also when the user has no work email yet', async () => {
    const h = harness();
    const { id } = await createUser(h, 'mail', { emails: [{ value: 'home@example.com', type: 'home' }] });
    const added = await scim(h).patch(`/Users/${id}`, patchOps({ op: 'replace', path: 'emails[type eq "work"].value', value: 'work@example.com' }));
    expect(added.status).toBe(200);
    expect(added.body.emails).toEqual(expect.arrayContaining([{ value: 'work@example.com', type: 'work' }, { value: 'home@example.com', type: 'home' }]));
    const replaced = await scim(h).patch(`/Users/${id}`, patchOps({ op: 'Replace', path: 'emails[type eq "work"].value', value: 'new@example.com' }));
    expect(replaced.body.emails.filter((e: { type: string }) => e.type === 'work')).toEqual([{ value: 'new@example.com', type: 'work' }]);
    const rows = h.store.db.prepare('SELECT value FROM user_emails WHERE user_id = ? ORDER BY value').all(id);
    expect(rows).toEqual([{ value: 'home@example.com' }, { value: 'new@example.com' }]);
  });

  it('sets typed values named by filtered keys of a no-path add or replace, with or without a value of that type', async () => {
    const h = harness();
    for (const op of ['Add', 'Replace']) {
      const { id } = await createUser(h, `nopath-${op}`, { emails: [{ value: 'home@example.com', type: 'home' }] });
      const res = await scim(h).patch(`/Users/${id}`, patchOps({ op, value: { 'emails[type eq "work"].value': 'work@example.com', 'phoneNumbers[type eq "mobile"].value': '+1 555', displayName: 'Nopath' } }));
      expect([res.status, res.body.detail]).toEqual([200, undefined]);
      expect(res.body.emails).toEqual(expect.arrayContaining([{ value: 'work@example.com', type: 'work' }, { value: 'home@example.com', type: 'home' }]));
      expect(res.body.phoneNumbers).toEqual([{ value: '+1 555', type: 'mobile' }]);
      expect(res.body.displayName).toBe('Nopath');
      const again = await scim(h).patch(`/Users/${id}`, patchOps({ op, value: { 'emails[type eq "work"].value': 'new@example.com' } }));
      expect(again.body.emails.filter((email: { type: string }) => email.type === 'work')).toEqual([{ value: 'new@example.com', type: 'work' }]);
    }
  });

  it('replaces a sub-attribute of an extension attribute by path (manager.value), set or not', async () => {
    const h = harness();
    const { id } = await createUser(h, 'mgr-path', { schemas: [USER_SCHEMA, ENTERPRISE], [ENTERPRISE]: { manager: { value: 'm-1' } } });
    const replaced = await scim(h).patch(`/Users/${id}`, patchOps({ op: 'Replace', path: `${ENTERPRISE}:manager.value`, value: 'm-2' }));
    expect([replaced.status, replaced.body[ENTERPRISE]]).toEqual([200, { manager: { value: 'm-2' } }]);
    const { id: other } = await createUser(h, 'mgr-unset');
    const set = await scim(h).patch(`/Users/${other}`, patchOps({ op: 'replace', path: `${ENTERPRISE}:manager.value`, value: 'm-3' }));
    expect([set.status, set.body[ENTERPRISE]]).toEqual([200, { manager: { value: 'm-3' } }]);
  });

  it('answers malformed PATCH values with a plain 400 invalidValue, not a JavaScript error', async () => {
    const h = harness();
    const { id } = await createUser(h, 'malformed');
    for (const operation of [{ op: 'replace', value: null }, { op: 'add', value: 'text' }, { op: 'add', path: 'emails', value: [null] }]) {
      const res = await scim(h).patch(`/Users/${id}`, patchOps(operation));
      expect([res.status, res.body.scimType]).toEqual([400, 'invalidValue']);
      expect(res.body.detail).not.toMatch(/undefined|null to object|proxy|trap|falsish/);
    }
  });

  it('finds users the Okta way: filter=userName eq "…" with startIndex=1&count=100, case-insensitively', async () => {
    const h = harness();
    await createUser(h, 'Okta.User@example.com');
    await createUser(h, 'other');
    const res = await scim(h).get(`/Users?filter=${encodeURIComponent('userName eq "okta.user@EXAMPLE.com"')}&startIndex=1&count=100`);
    expect(res.status).toBe(200);
    expect(res.body).toMatchObject({ totalResults: 1, startIndex: 1, itemsPerPage: 1 });
    expect(res.body.Resources[0].userName).toBe('Okta.User@example.com');
  });

  it('pages the Entra way with a small count', async () => {
    const h = harness();
    for (let i = 0; i < 5; i++) await createUser(h, `page${i}`);
    const seen: string[] = [];
    for (let start = 1; start <= 5; start += 2) {
      const res = await scim(h).get(`/Users?startIndex=${start}&count=2&sortBy=userName`);
      expect(res.body).toMatchObject({ totalResults: 5, startIndex: start, itemsPerPage: Math.min(2, 6 - start) });
      seen.push(...res.body.Resources.map((r: { userName: string }) => r.userName));
    }
    expect(seen).toEqual(['page0', 'page1', 'page2', 'page3', 'page4']);
  });

  it('drops synced passwords: accepted, never stored, logged or ledgered, and recorded as received', async () => {
    const h = harness();
    const secret = 'Sup3r-Secret-Pa55';
    const created = await scim(h).post('/Users', userBody('pw', { password: secret }));
    expect(created.status).toBe(201);
    expect(JSON.stringify(created.body)).not.toContain(secret);
    const patched = await scim(h).patch(`/Users/${created.body.id}`, patchOps({ op: 'replace', path: 'password', value: secret }));
    expect(patched.status).toBe(200);
    const noPath = await scim(h).patch(`/Users/${created.body.id}`, patchOps({ op: 'replace', value: { password: secret, displayName: 'PW' } }));
    expect(noPath.body.displayName).toBe('PW');
    const put = await scim(h).put(`/Users/${created.body.id}`, userBody('pw', { password: secret }));
    expect(put.status).toBe(200);

    const kinds = h.store.ledger.forSubject(`user:${created.body.id}`).map((r) => r.kind);
    expect(kinds.filter((k) => k === 'user.password-received')).toHaveLength(4);
    const everything = JSON.stringify([
      h.store.db.prepare('SELECT * FROM users').all(),
      h.store.db.prepare('SELECT * FROM ledger').all(),
      h.store.db.prepare('SELECT * FROM sync_queue').all(),
    ]);
    expect(everything).not.toContain(secret);
    expect(h.logLines.join('')).not.toContain(secret);
    expect(h.logLines.length).toBeGreaterThan(0);
  });
});

describe('probing unknown ids (Entra)', () => {
  it('answers every method on unknown user and group ids with 404, never 400 or 500', async () => {
    const h = harness();
    const ids = ['2819c223-7f76-453a-919d-413861904646', 'ffffffff', 'with space', '%E2%9C%93', 'quote%22id'];
    for (const kind of ['Users', 'Groups']) {
      for (const id of ids) {
        const api = scim(h);
        const body = kind === 'Users' ? userBody('probe') : { schemas: ['urn:ietf:params:scim:schemas:core:2.0:Group'], displayName: 'p' };
        const results = [
          await api.get(`/${kind}/${id}`),
          await api.put(`/${kind}/${id}`, body),
          await api.patch(`/${kind}/${id}`, patchOps({ op: 'replace', path: 'displayName', value: 'x' })),
          await api.delete(`/${kind}/${id}`),
        ];
        expect(results.map((r) => r.status)).toEqual([404, 404, 404, 404]);
      }
    }
    expect(h.store.ledger.verify().rows).toBe(0);
  });
});

describe('Okta group push', () => {
  it('renames with a no-path replace that repeats the id, and replaces members with path members', async () => {
    const h = harness();
    const [a, b] = [await createUser(h, 'oa'), await createUser(h, 'ob')];
    const group = await scim(h).post('/Groups', { schemas: ['urn:ietf:params:scim:schemas:core:2.0:Group'], displayName: 'Okta', members: [{ value: a.id }] });
    const rename = await scim(h).patch(`/Groups/${group.body.id}`, patchOps({ op: 'replace', value: { id: group.body.id, displayName: 'Okta renamed' } }));
    expect(rename.status).toBe(204);
    const replace = await scim(h).patch(`/Groups/${group.body.id}`, patchOps({ op: 'replace', path: 'members', value: [{ value: b.id, display: 'ob' }] }));
    expect(replace.status).toBe(204);
    const read = await scim(h).get(`/Groups/${group.body.id}`);
    expect(read.body.displayName).toBe('Okta renamed');
    expect(read.body.members.map((m: { value: string }) => m.value)).toEqual([b.id]);
  });
});

describe('typed paths building one value (Entra)', () => {
  it('builds ONE work address from several addresses[type eq "work"].<sub> operations', async () => {
    const h = harness();
    const { id } = await createUser(h, 'addr');
    const res = await scim(h).patch(
      `/Users/${id}`,
      patchOps(
        { op: 'Add', path: 'addresses[type eq "work"].streetAddress', value: '1 Main St' },
        { op: 'Add', path: 'addresses[type eq "work"].locality', value: 'Redmond' },
        { op: 'Replace', path: 'addresses[type eq "work"].postalCode', value: '98052' },
      ),
    );
    expect(res.status).toBe(200);
    expect(res.body.addresses).toEqual([{ type: 'work', streetAddress: '1 Main St', locality: 'Redmond', postalCode: '98052' }]);
  });
});
