import { GROUP_SCHEMA, createUser, harness, patchOps, scim, userBody } from './helpers';

describe('ETags', () => {
  it('changes meta.version on every write and sends it as the ETag header', async () => {
    const h = harness();
    const created = await scim(h).post('/Users', userBody('v'));
    const id = created.body.id;
    expect(created.headers.etag).toBe(created.body.meta.version);
    const versions = [created.body.meta.version];
    versions.push((await scim(h).put(`/Users/${id}`, userBody('v', { title: 'a' }))).headers.etag);
    versions.push((await scim(h).patch(`/Users/${id}`, patchOps({ op: 'replace', path: 'title', value: 'b' }))).headers.etag);
    const read = await scim(h).get(`/Users/${id}`);
    expect(read.headers.etag).toBe(versions[2]);
    expect(new Set(versions).size).toBe(3);
  });

  it('answers If-Match mismatches on PUT, PATCH and DELETE with 412 and writes nothing', async () => {
    const h = harness();
    const { id } = await createUser(h, 'im');
    const rows = h.store.ledger.verify().rows;
    const stale = 'W/"99"';
    const put = await scim(h).put(`/Users/${id}`, userBody('im', { title: 'x' })).set('If-Match', stale);
    const patch = await scim(h).patch(`/Users/${id}`, patchOps({ op: 'replace', path: 'title', value: 'x' })).set('If-Match', stale);
    const del = await scim(h).delete(`/Users/${id}`).set('If-Match', stale);
    for (const res of [put, patch, del]) expect(res.body).toMatchObject({ status: '412' });
    expect([put.status, patch.status, del.status]).toEqual([412, 412, 412]);
    expect(h.store.ledger.verify().rows).toBe(rows);
    const ok = await scim(h).patch(`/Users/${id}`, patchOps({ op: 'replace', path: 'title', value: 'y' })).set('If-Match', 'W/"1"');
    expect(ok.status).toBe(200);
    expect((await scim(h).delete(`/Users/${id}`).set('If-Match', ok.headers.etag)).status).toBe(204);
  });

  it('checks If-Match on group PATCH inside the write', async () => {
    const h = harness();
    const group = await scim(h).post('/Groups', { schemas: [GROUP_SCHEMA], displayName: 'g' });
    const res = await scim(h).patch(`/Groups/${group.body.id}`, patchOps({ op: 'replace', path: 'displayName', value: 'h' })).set('If-Match', 'W/"7"');
    expect(res.status).toBe(412);
    expect((await scim(h).get(`/Groups/${group.body.id}`)).body.displayName).toBe('g');
  });

  it('answers GET with a matching If-None-Match with 304 and an outdated one with 200', async () => {
    const h = harness();
    const { id, version } = await createUser(h, 'inm');
    const same = await scim(h).get(`/Users/${id}`).set('If-None-Match', version);
    expect(same.status).toBe(304);
    expect(same.text).toBe('');
    await scim(h).patch(`/Users/${id}`, patchOps({ op: 'replace', path: 'title', value: 'x' }));
    const changed = await scim(h).get(`/Users/${id}`).set('If-None-Match', version);
    expect(changed.status).toBe(200);
    expect(changed.body.title).toBe('x');
  });

  it("changes a user's ETag when its groups change: added, group renamed, removed, group deleted", async () => {
    const h = harness();
    const { id } = await createUser(h, 'member');
    const group = (await scim(h).post('/Groups', { schemas: [GROUP_SCHEMA], displayName: 'Team' })).body;
    const etag = async () => (await scim(h).get(`/Users/${id}`)).headers.etag;
    const seen = [await etag()];
    const changes = [
      () => scim(h).patch(`/Groups/${group.id}`, patchOps({ op: 'add', path: 'members', value: [{ value: id }] })),
      () => scim(h).patch(`/Groups/${group.id}`, patchOps({ op: 'replace', path: 'displayName', value: 'Team 2' })),
      () => scim(h).patch(`/Groups/${group.id}`, patchOps({ op: 'remove', path: `members[value eq "${id}"]` })),
      () => scim(h).put(`/Groups/${group.id}`, { schemas: [GROUP_SCHEMA], displayName: 'Team 2', members: [{ value: id }] }),
      () => scim(h).delete(`/Groups/${group.id}`),
    ];
    for (const change of changes) {
      const previous = seen[seen.length - 1];
      expect((await change()).status).toBeLessThan(300);
      const cached = await scim(h).get(`/Users/${id}`).set('If-None-Match', previous);
      expect(cached.status).toBe(200);
      seen.push(cached.headers.etag);
    }
    expect(new Set(seen).size).toBe(seen.length);
    const stale = await scim(h).patch(`/Users/${id}`, patchOps({ op: 'replace', path: 'title', value: 'x' })).set('If-Match', seen[0]);
    expect(stale.status).toBe(412);
  });

  it("changes a group's ETag when a member's display name changes, and not when an unrelated attribute does", async () => {
    const h = harness();
    const { id } = await createUser(h, 'shown');
    const group = (await scim(h).post('/Groups', { schemas: [GROUP_SCHEMA], displayName: 'Shows', members: [{ value: id }] })).body;
    const version = group.meta.version;
    await scim(h).patch(`/Users/${id}`, patchOps({ op: 'replace', path: 'title', value: 'not shown' }));
    expect((await scim(h).get(`/Groups/${group.id}`).set('If-None-Match', version)).status).toBe(304);
    await scim(h).patch(`/Users/${id}`, patchOps({ op: 'replace', path: 'displayName', value: 'Shown Person' }));
    const renamed = await scim(h).get(`/Groups/${group.id}`).set('If-None-Match', version);
    expect(renamed.status).toBe(200);
    expect(renamed.body.members[0].display).toBe('Shown Person');
  });
});
