import { ENTERPRISE, ERROR_SCHEMA, SCIM_JSON, USER_SCHEMA, createUser, harness, patchOps, scim, userBody } from './helpers';

describe('SCIM /Users', () => {
  it('answers a user created without active as active, as it is provisioned and filtered', async () => {
    const h = harness();
    const { active: _omitted, ...body } = userBody('no-active');
    const created = await scim(h).post('/Users', body);
    expect(created.body.active).toBe(true);
    const listed = await scim(h).get('/Users').query({ filter: 'userName eq "no-active" and active pr', attributes: 'active' });
    expect(listed.body.Resources).toEqual([expect.objectContaining({ id: created.body.id, active: true })]);
    const unchanged = await scim(h).patch(`/Users/${created.body.id}`, patchOps({ op: 'replace', path: 'userName', value: 'no-active' }));
    expect(unchanged.body.meta.version).toBe(created.body.meta.version);
  });

  it('creates a user, stores columns, emails and a ledger row, and answers 201 with meta and ETag', async () => {
    const h = harness();
    const res = await scim(h).post('/Users', userBody('alice', { externalId: 'ext-1', [ENTERPRISE]: { department: 'Eng' } }));
    expect(res.status).toBe(201);
    expect(res.headers['content-type']).toContain(SCIM_JSON);
    expect(res.body).toMatchObject({ userName: 'alice', externalId: 'ext-1', [ENTERPRISE]: { department: 'Eng' } });
    expect(res.body.schemas).toEqual(expect.arrayContaining([USER_SCHEMA, ENTERPRISE]));
    expect(res.body.meta).toMatchObject({ resourceType: 'User', version: 'W/"1"', location: expect.stringMatching(new RegExp(`^http://127\\.0\\.0\\.1:\\d+/scim/v2/Users/${res.body.id}$`)) });
    expect(res.headers.etag).toBe('W/"1"');
    const row = h.store.db.prepare('SELECT user_name, external_id, active, version FROM users WHERE id = ?').get(res.body.id);
    expect(row).toEqual({ user_name: 'alice', external_id: 'ext-1', active: 1, version: 1 });
    expect(h.store.db.prepare('SELECT value, type, is_primary FROM user_emails WHERE user_id = ?').all(res.body.id)).toEqual([
      { value: 'alice@example.com', type: 'work', is_primary: 1 },
    ]);
    const ledger = h.store.ledger.forSubject(`user:${res.body.id}`);
    expect(ledger).toHaveLength(1);
    expect(ledger[0]).toMatchObject({ kind: 'user.created', actor: 'okta', source: 'scim', request_id: res.headers['x-request-id'] });
  });

  it('reads a user back and answers unknown ids with 404 SCIM errors', async () => {
    const h = harness();
    const { id } = await createUser(h, 'bob');
    const res = await scim(h).get(`/Users/${id}`);
    expect(res.status).toBe(200);
    expect(res.body).toMatchObject({ id, userName: 'bob' });
    for (const probe of ['00000000-0000-0000-0000-000000000000', 'random-id-123', 'a%22b', 'x y']) {
      const missing = await scim(h).get(`/Users/${probe}`);
      expect(missing.status).toBe(404);
      expect(missing.headers['content-type']).toContain(SCIM_JSON);
      expect(missing.body).toMatchObject({ schemas: [ERROR_SCHEMA], status: '404' });
    }
  });

  it('refuses a second user with the same userName in another case with 409 uniqueness', async () => {
    const h = harness();
    await createUser(h, 'Carol');
    const res = await scim(h).post('/Users', userBody('carol'));
    expect(res.status).toBe(409);
    expect(res.body).toMatchObject({ schemas: [ERROR_SCHEMA], status: '409', scimType: 'uniqueness' });
  });

  it('replaces with PUT, bumping the version, and deactivates with a no-path replace (Okta)', async () => {
    const h = harness();
    const { id } = await createUser(h, 'dave');
    const put = await scim(h).put(`/Users/${id}`, userBody('dave', { displayName: 'Dave D' }));
    expect(put.status).toBe(200);
    expect(put.body.meta.version).toBe('W/"2"');
    expect(put.body.displayName).toBe('Dave D');
    const patch = await scim(h).patch(`/Users/${id}`, patchOps({ op: 'replace', value: { active: false } }));
    expect(patch.status).toBe(200);
    expect(patch.body.active).toBe(false);
    expect(patch.body.meta.version).toBe('W/"3"');
    const kinds = h.store.ledger.forSubject(`user:${id}`).map((row) => row.kind);
    expect(kinds).toEqual(['user.created', 'user.updated', 'user.deactivated']);
    const inactive = await scim(h).get(`/Users/${id}`);
    expect(inactive.status).toBe(200);
    expect(inactive.body.active).toBe(false);
  });

  it('tombstones deleted users: 404 afterwards, userName free again, memberships removed', async () => {
    const h = harness();
    const { id } = await createUser(h, 'erin');
    const group = await scim(h).post('/Groups', { schemas: ['urn:ietf:params:scim:schemas:core:2.0:Group'], displayName: 'g', members: [{ value: id }] });
    expect(group.status).toBe(201);
    const del = await scim(h).delete(`/Users/${id}`);
    expect(del.status).toBe(204);
    expect((await scim(h).get(`/Groups/${group.body.id}`)).body).toMatchObject({ meta: { version: 'W/"2"' } });
    expect((await scim(h).get(`/Users/${id}`)).status).toBe(404);
    expect((await scim(h).delete(`/Users/${id}`)).status).toBe(404);
    expect(h.store.db.prepare('SELECT deleted_at IS NOT NULL AS gone FROM users WHERE id = ?').get(id)).toEqual({ gone: 1 });
    expect(h.store.db.prepare('SELECT COUNT(*) AS n FROM memberships WHERE user_id = ?').get(id)).toEqual({ n: 0 });
    const again = await scim(h).post('/Users', userBody('erin'));
    expect(again.status).toBe(201);
    expect(again.body.id).not.toBe(id);
    const deleted = h.store.ledger.forSubject(`user:${id}`).find((row) => row.kind === 'user.deleted');
    expect(deleted).toBeDefined();
  });
});
