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
});
