import request from 'supertest';
import { ERROR_SCHEMA, GROUP_SCHEMA, SCIM_JSON, counts, createUser, harness, patchOps, scim, userBody } from './helpers';

function expectScimError(res: { status: number; headers: Record<string, string>; body: Record<string, unknown> }, status: number, scimType?: string): void {
  expect(res.status).toBe(status);
  expect(res.headers['content-type']).toContain(SCIM_JSON);
  expect(res.body).toMatchObject({ schemas: [ERROR_SCHEMA], status: String(status), detail: expect.any(String) });
  if (scimType) expect(res.body.scimType).toBe(scimType);
}

describe('SCIM errors', () => {
  it('answers malformed JSON with 400 invalidSyntax', async () => {
    const h = harness();
    expectScimError(await scim(h).raw('post', '/Users', '{"userName": "x",'), 400, 'invalidSyntax');
    expectScimError(await scim(h).raw('patch', '/Users/abc', '{{'), 400, 'invalidSyntax');
  });

  it('answers a body with the wrong schemas with 400 invalidSyntax', async () => {
    const h = harness();
    expectScimError(await scim(h).post('/Users', { ...userBody('w'), schemas: [GROUP_SCHEMA] }), 400, 'invalidSyntax');
    const { id } = await createUser(h, 'w');
    expectScimError(await scim(h).patch(`/Users/${id}`, { schemas: ['urn:wrong'], Operations: [] }), 400, 'invalidSyntax');
  });

  it('answers wrong attribute types and missing userName with 400 invalidValue', async () => {
    const h = harness();
    expectScimError(await scim(h).post('/Users', userBody('t', { active: 'maybe' })), 400, 'invalidValue');
    expectScimError(await scim(h).post('/Users', { ...userBody('t'), userName: 42 }), 400, 'invalidValue');
    expectScimError(await scim(h).post('/Users', { ...userBody('t'), userName: '  ' }), 400, 'invalidValue');
    expectScimError(await scim(h).post('/Users', { ...userBody('t'), emails: 'not-a-list' }), 400, 'invalidValue');
    expect(counts(h.store).users).toBe(0);
  });

  it('answers bodies over maxPayloadBytes with 413', async () => {
    const h = harness({ maxPayloadBytes: 10_000 });
    const res = await scim(h).post('/Users', userBody('big', { title: 'x'.repeat(20_000) }));
    expectScimError(res, 413);
  });

  it('answers unknown endpoints, a bad PATCH path and a bad op with SCIM errors', async () => {
    const h = harness();
    const { id } = await createUser(h, 'e');
    expectScimError(await scim(h).get('/Nope'), 404);
    const badPath = await scim(h).patch(`/Users/${id}`, patchOps({ op: 'replace', path: 'noSuchAttr', value: 'x' }));
    expect(badPath.status).toBe(400);
    expect(badPath.body.scimType).toBe('invalidPath');
    const badOp = await scim(h).patch(`/Users/${id}`, patchOps({ op: 'frobnicate', path: 'title', value: 'x' }));
    expectScimError(badOp, 400, 'invalidSyntax');
  });

  it('answers a method an endpoint does not offer with 405 and an Allow header', async () => {
    const h = harness();
    const { id } = await createUser(h, 'm');
    const agent = request(h.app);
    const cases: Array<[request.Test, string]> = [
      [agent.delete('/scim/v2/Users'), 'GET, POST, HEAD'],
      [agent.put('/scim/v2/Users'), 'GET, POST, HEAD'],
      [agent.patch('/scim/v2/Groups'), 'GET, POST, HEAD'],
      [agent.post(`/scim/v2/Users/${id}`), 'GET, PUT, PATCH, DELETE, HEAD'],
      [agent.get('/scim/v2/Bulk'), 'POST'],
      [agent.get('/scim/v2/Users/.search'), 'POST'],
      [agent.post('/scim/v2/ServiceProviderConfig'), 'GET, HEAD'],
      [agent.delete('/scim/v2/Schemas'), 'GET, HEAD'],
    ];
    for (const [pending, allow] of cases) {
      const res = await pending.set(h.auth);
      expectScimError(res, 405);
      expect(res.headers.allow).toBe(allow);
    }
    expect((await scim(h).get(`/Users/${id}`)).status).toBe(200);
  });

  it('answers a body that is not JSON-typed with 415 naming the media types, and writes nothing', async () => {
    const h = harness();
    const body = JSON.stringify(userBody('typed'));
    const plain = await request(h.app).post('/scim/v2/Users').set(h.auth).set('Content-Type', 'text/plain').send(body);
    expectScimError(plain, 415);
    expect(plain.body.detail).toContain('application/scim+json or application/json');
    const untyped = await request(h.app).post('/scim/v2/Users').set(h.auth).send(Buffer.from(body));
    expectScimError(untyped, 415);
    const json = await request(h.app).post('/scim/v2/Users').set(h.auth).set('Content-Type', 'application/json; charset=utf-8').send(body);
    expect(json.status).toBe(201);
    expect(counts(h.store).users).toBe(1);
  });

  it('answers internal failures with a bare 500 SCIM error that leaks nothing, and logs them', async () => {
    const h = harness();
    const { id } = await createUser(h, 'boom');
    h.store.db.exec(`CREATE TRIGGER boom BEFORE UPDATE ON users BEGIN SELECT RAISE(ABORT, 'disk on fire: secret-detail'); END`);
    const res = await scim(h).put(`/Users/${id}`, userBody('boom', { title: 't' }));
    expectScimError(res, 500);
    expect(res.body.detail).toBe('internal error');
    expect(h.logLines.some((line) => line.includes('scim handler failed'))).toBe(true);
    expect(h.store.ledger.verify()).toMatchObject({ ok: true, rows: 1 });
  });
});
