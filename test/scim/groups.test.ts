import { GROUP_SCHEMA, counts, createUser, harness, patchOps, scim, type Harness } from './helpers';

async function createGroup(h: Harness, displayName: string, memberIds: string[] = []) {
  const res = await scim(h).post('/Groups', { schemas: [GROUP_SCHEMA], displayName, members: memberIds.map((value) => ({ value })) });
  if (res.status !== 201) throw new Error(`${res.status} ${JSON.stringify(res.body)}`);
  return res.body as { id: string; members?: Array<{ value: string }>; meta: { version: string } };
}

function memberRows(h: Harness, groupId: string): string[] {
  return (h.store.db.prepare(`SELECT user_id FROM memberships WHERE group_id = ? AND source = 'idp' ORDER BY user_id`).all(groupId) as Array<{ user_id: string }>).map(
    (r) => r.user_id,
  );
}

/** Inserts users straight into the table: a fast way to build a big group for the membership tests. */
function bulkUsers(h: Harness, n: number): string[] {
  const insert = h.store.db.prepare(
    `INSERT INTO users (id, user_name, resource, created, last_modified) VALUES (?, ?, '{"schemas":["urn:ietf:params:scim:schemas:core:2.0:User"]}', 'now', 'now')`,
  );
  const ids: string[] = [];
  h.store.db.transaction(() => {
    for (let i = 0; i < n; i++) {
      const id = `bulk-${String(i).padStart(5, '0')}`;
      insert.run(id, `bulk${i}`);
      ids.push(id);
    }
  })();
  return ids;
}

describe('SCIM /Groups', () => {
  it('keeps members in the memberships table, not in the group JSON, and returns them on read', async () => {
    const h = harness();
    const a = await createUser(h, 'a');
    const b = await createUser(h, 'b');
    const group = await createGroup(h, 'Engineering', [a.id, b.id]);
    expect(memberRows(h, group.id)).toEqual([a.id, b.id].sort());
    const stored = h.store.db.prepare('SELECT resource FROM groups WHERE id = ?').get(group.id) as { resource: string };
    expect(JSON.parse(stored.resource).members).toBeUndefined();
    const read = await scim(h).get(`/Groups/${group.id}`);
    expect(read.body.members.map((m: { value: string }) => m.value).sort()).toEqual([a.id, b.id].sort());
    expect(read.body.members[0]).toMatchObject({ type: 'User', display: expect.any(String) });
    const created = h.store.ledger.forSubject(`group:${group.id}`);
    expect(created[0].kind).toBe('group.created');
  });

  it("shows a user's groups as the read-only groups attribute, never storing it in the user", async () => {
    const h = harness();
    const a = await createUser(h, 'a');
    const group = await createGroup(h, 'Readers', [a.id]);
    const user = await scim(h).get(`/Users/${a.id}`);
    expect(user.body.groups).toEqual([{ value: group.id, display: 'Readers', $ref: expect.stringMatching(new RegExp(`^http://127\\.0\\.0\\.1:\\d+/scim/v2/Groups/${group.id}$`)), type: 'direct' }]);
    const patched = await scim(h).patch(`/Users/${a.id}`, patchOps({ op: 'replace', path: 'title', value: 't' }));
    expect(patched.body.groups).toHaveLength(1);
    const stored = h.store.db.prepare('SELECT resource FROM users WHERE id = ?').get(a.id) as { resource: string };
    expect(JSON.parse(stored.resource).groups).toBeUndefined();
    const listed = await scim(h).get('/Users?excludedAttributes=groups');
    expect(listed.body.Resources[0].groups).toBeUndefined();
  });

  it('refuses members that are not live users with 400 invalidValue naming the id, writing nothing', async () => {
    const h = harness();
    const a = await createUser(h, 'a');
    const res = await scim(h).post('/Groups', { schemas: [GROUP_SCHEMA], displayName: 'G', members: [{ value: a.id }, { value: 'ghost-id' }] });
    expect(res.status).toBe(400);
    expect(res.body).toMatchObject({ scimType: 'invalidValue', detail: expect.stringContaining('ghost-id') });
    expect(h.store.db.prepare('SELECT COUNT(*) AS n FROM groups').get()).toEqual({ n: 0 });
    expect(h.store.db.prepare('SELECT COUNT(*) AS n FROM memberships').get()).toEqual({ n: 0 });
  });

  it('adds and removes members with PATCH (Entra shapes: Add, Remove by value array and by filter path)', async () => {
    const h = harness();
    const [a, b, c] = [await createUser(h, 'a'), await createUser(h, 'b'), await createUser(h, 'c')];
    const group = await createGroup(h, 'G');
    const add = await scim(h).patch(`/Groups/${group.id}`, patchOps({ op: 'Add', path: 'members', value: [{ value: a.id }, { value: b.id }, { value: c.id }] }));
    expect(add.status).toBe(204);
    expect(add.headers.etag).toBe('W/"2"');
    expect(memberRows(h, group.id)).toEqual([a.id, b.id, c.id].sort());
    const byArray = await scim(h).patch(`/Groups/${group.id}`, patchOps({ op: 'Remove', path: 'members', value: [{ value: a.id }] }));
    expect(byArray.status).toBe(204);
    const byFilter = await scim(h).patch(`/Groups/${group.id}`, patchOps({ op: 'remove', path: `members[value eq "${b.id}"]` }));
    expect(byFilter.status).toBe(204);
    expect(memberRows(h, group.id)).toEqual([c.id]);
    const subAttribute = await scim(h).patch(`/Groups/${group.id}`, patchOps({ op: 'remove', path: `members[value eq "${c.id}"].$ref` }));
    expect(subAttribute.body?.scimType).not.toBe('invalidPath'); // `$ref` is a sub-attribute name (RFC 7643 2.4)
    const kinds = h.store.ledger.forSubject(`group:${group.id}`).map((r) => [r.kind, JSON.parse(r.after ?? 'null')]);
    expect(kinds).toEqual([
      ['group.created', expect.anything()],
      ['group.members-changed', { added: [a.id, b.id, c.id], removed: [] }],
      ['group.members-changed', { added: [], removed: [a.id] }],
      ['group.members-changed', { added: [], removed: [b.id] }],
    ]);
  });

  it('replaces displayName through PATCH and the whole member list through PUT', async () => {
    const h = harness();
    const [a, b] = [await createUser(h, 'a'), await createUser(h, 'b')];
    const group = await createGroup(h, 'Old', [a.id]);
    const rename = await scim(h).patch(`/Groups/${group.id}`, patchOps({ op: 'Replace', value: { displayName: 'New' } }));
    expect(rename.status).toBe(204);
    const put = await scim(h).put(`/Groups/${group.id}`, { schemas: [GROUP_SCHEMA], displayName: 'New', members: [{ value: b.id }] });
    expect(put.status).toBe(200);
    expect(put.body.displayName).toBe('New');
    expect(memberRows(h, group.id)).toEqual([b.id]);
    expect(put.body.meta.version).toBe('W/"3"');
  });

  it('omits members with excludedAttributes=members and deletes groups as tombstones', async () => {
    const h = harness();
    const a = await createUser(h, 'a');
    const group = await createGroup(h, 'G', [a.id]);
    const list = await scim(h).get('/Groups?excludedAttributes=members');
    expect(list.body.Resources[0].members).toBeUndefined();
    expect(list.body.Resources[0]).toMatchObject({ id: group.id, displayName: 'G', schemas: [GROUP_SCHEMA], meta: expect.any(Object) });
    expect((await scim(h).delete(`/Groups/${group.id}`)).status).toBe(204);
    expect((await scim(h).get(`/Groups/${group.id}`)).status).toBe(404);
    expect(memberRows(h, group.id)).toEqual([]);
    const deleted = h.store.ledger.forSubject(`group:${group.id}`).find((r) => r.kind === 'group.deleted');
    expect(deleted).toBeDefined();
  });

  it('patches a 2,000-member group one membership row at a time, without rewriting the others', async () => {
    const h = harness();
    const ids = bulkUsers(h, 2002);
    const members = ids.slice(0, 2000);
    const group = await createGroup(h, 'Big', members);
    expect(memberRows(h, group.id)).toHaveLength(2000);
    const rowidsBefore = h.store.db.prepare('SELECT rowid, user_id FROM memberships WHERE group_id = ? ORDER BY rowid').all(group.id);

    const res = await scim(h).patch(
      `/Groups/${group.id}`,
      patchOps({ op: 'add', path: 'members', value: [{ value: ids[2000] }, { value: ids[2001] }] }, { op: 'remove', path: `members[value eq "${ids[0]}"]` }),
    );
    expect(res.status).toBe(204);
    const after = h.store.db.prepare('SELECT rowid, user_id FROM memberships WHERE group_id = ? ORDER BY rowid').all(group.id) as Array<{ rowid: number; user_id: string }>;
    expect(after).toHaveLength(2001);
    // The 1,999 untouched rows keep their rowids: nothing was deleted and re-inserted.
    expect(after.slice(0, 1999)).toEqual(rowidsBefore.slice(1));
    const last = h.store.ledger.forSubject(`group:${group.id}`).pop()!;
    expect(JSON.parse(last.after!)).toEqual({ added: [ids[2000], ids[2001]], removed: [ids[0]] });
  });

  it('does not advertise nested groups, and refuses a Group member by type or by id with a clear 400', async () => {
    const h = harness();
    const schema = (await scim(h).get(`/Schemas/${GROUP_SCHEMA}`)).body;
    const members = schema.attributes.find((a: { name: string }) => a.name === 'members');
    const sub = (name: string) => members.subAttributes.find((a: { name: string }) => a.name === name);
    expect(sub('type').canonicalValues).toEqual(['User']);
    expect(sub('$ref').referenceTypes).toEqual(['User']);
    const user = await createUser(h, 'nest-user');
    const inner = (await scim(h).post('/Groups', { schemas: [GROUP_SCHEMA], displayName: 'inner' })).body;
    const before = counts(h.store);
    const refusals = [
      await scim(h).post('/Groups', { schemas: [GROUP_SCHEMA], displayName: 'outer', members: [{ value: user.id }, { value: inner.id, type: 'group' }] }),
      await scim(h).post('/Groups', { schemas: [GROUP_SCHEMA], displayName: 'outer', members: [{ value: inner.id }] }),
      await scim(h).patch(`/Groups/${inner.id}`, patchOps({ op: 'add', path: 'members', value: [{ value: inner.id, type: 'Group' }] })),
      await scim(h).put(`/Groups/${inner.id}`, { schemas: [GROUP_SCHEMA], displayName: 'inner', members: [{ value: inner.id, type: 'Group' }] }),
    ];
    for (const res of refusals) expect(res.body).toMatchObject({ status: '400', scimType: 'invalidValue', detail: expect.stringContaining('nested groups are not supported') });
    expect(counts(h.store)).toEqual(before);
  });
});
