import { randomUUID } from 'node:crypto';
import type { Router } from 'express';
import request from 'supertest';
import { memoryDirectory, type MemoryDirectory } from '../../connectors/memory';
import { createApp } from '../../src/app';
import { createLogger } from '../../src/log';
import type { ServerContext, Service } from '../../src/server';
import { serverModules } from '../../src/server-modules';
import { Store } from '../../src/store';
import { openDatabase } from '../../src/store/db';
import { Tokens } from '../../src/store/tokens';
import { testConfig } from './support';

interface RouteLayer {
  route?: { path: string; methods: Record<string, boolean> };
}

/** Every write route of every module's admin routers, with its path parameters filled in. */
function writeRoutes(routers: Router[]): Array<{ method: 'post' | 'patch' | 'put' | 'delete'; path: string }> {
  const fill = (path: string) => path.replace(/:(target|name)\b/g, 'app').replace(/:\w+/g, randomUUID());
  return routers.flatMap((router) => (router.stack as RouteLayer[]).flatMap((layer) => {
    if (!layer.route) return [];
    const methods = Object.keys(layer.route.methods).filter((method) => ['post', 'patch', 'put', 'delete'].includes(method));
    return methods.map((method) => ({ method: method as 'post' | 'patch' | 'put' | 'delete', path: `/admin${fill(layer.route!.path)}` }));
  }));
}

/** Every route of the admin routers with its path parameters filled in and the methods it has. */
function routes(routers: Router[]): Array<{ path: string; methods: string[] }> {
  return routers.flatMap((router) => (router.stack as RouteLayer[]).flatMap((layer) => layer.route
    ? [{ path: `/admin${layer.route.path.replace(/:\w+/g, randomUUID())}`, methods: Object.keys(layer.route.methods).map((method) => method.toUpperCase()) }]
    : []));
}

describe('admin write routes with a missing or unusable body', () => {
  let directory: MemoryDirectory;
  let store: Store;
  let services: Service[];
  let routers: Router[];
  let app: ReturnType<typeof createApp>;
  let admin: string;

  beforeAll(async () => {
    const name = `admin-bodies-${randomUUID()}`;
    directory = memoryDirectory(name);
    const config = testConfig({ targets: [{ name: 'app', connector: 'memory', config: { directory: name } }] });
    store = new Store(openDatabase(':memory:'));
    const context: ServerContext = { config, store, tokens: new Tokens(store.db), logger: createLogger({ silent: true }) };
    const contributions = [];
    for (const module of serverModules) contributions.push(await module.setup(context));
    services = contributions.flatMap((contribution) => contribution.services ?? []);
    for (const service of services) await service.start();
    routers = contributions.flatMap((contribution) => contribution.adminRouters ?? []);
    app = createApp({ ...context, adminRouters: routers });
    admin = `Bearer ${context.tokens.create('ops', 'admin')}`;
  });

  afterAll(async () => {
    for (const service of [...services].reverse()) await service.stop();
    store.close();
    await directory.stop();
  });

  const bodies: Array<[string, (call: request.Test) => request.Test]> = [
    ['no body', (call) => call],
    ['an empty JSON body', (call) => call.set('Content-Type', 'application/json').send('')],
    ['a body that is not JSON', (call) => call.set('Content-Type', 'application/json').send('{mode: fix')],
    ['another content type', (call) => call.set('Content-Type', 'text/plain').send('mode=fix')],
    ['a JSON body of a +json type', (call) => call.set('Content-Type', 'application/scim+json').send('{}')],
    ['a JSON array', (call) => call.send([{ mode: 'fix' }])],
    ['a JSON string', (call) => call.set('Content-Type', 'application/json').send('"fix"')],
  ];

  it('covers the routes of every module', () => {
    const paths = writeRoutes(routers).map((route) => `${route.method} ${route.path.replace(/[0-9a-f-]{36}/g, ':id')}`);
    expect(paths).toEqual(expect.arrayContaining([
      'post /admin/reconcile/app', 'post /admin/targets/app/pause', 'post /admin/targets/app/resume', 'post /admin/deliveries/retry', 'post /admin/grants',
    ]));
  });

  it('takes no body as {}: a reconcile run starts with the configured mode, a pause records the default reason', async () => {
    const started = await request(app).post('/admin/reconcile/app').set('Authorization', admin);
    expect(started.status).toBe(202);
    const paused = await request(app).post('/admin/targets/app/pause').set('Authorization', admin);
    expect(paused.body).toEqual({ target: 'app', paused: true });
    expect(store.ledger.forRequest(paused.headers['x-request-id'] as string).map((row) => row.reason)).toContain('paused by ops');
    expect((await request(app).post('/admin/targets/app/resume').set('Authorization', admin)).body).toEqual({ target: 'app', paused: false });
  });

  const runs = async () => (await request(app).get('/admin/reconcile').set('Authorization', admin)).body.runs as Array<{ id: string; mode: string; dryRun: boolean }>;

  it.each([
    ['curl -d\'s default form type', 'application/x-www-form-urlencoded'],
    ['text/plain', 'text/plain'],
    ['no content type', undefined],
  ])('refuses a body sent as %s with 415 and starts no run', async (_label, type) => {
    const before = (await runs()).length;
    const call = request(app).post('/admin/reconcile/app').set('Authorization', admin);
    const response = await (type ? call.set('Content-Type', type) : call).send(Buffer.from('{"mode":"fix","dryRun":true}'));
    expect(response.status).toBe(415);
    expect(response.body).toMatchObject({ status: '415', detail: expect.stringContaining('application/json or application/*+json') });
    expect(response.body.detail).toContain(`Content-Type was ${type ?? 'missing'}`);
    expect(await runs()).toHaveLength(before);
  });

  it('refuses a chunked body of another type on a route whose body is optional', async () => {
    const call = request(app).post('/admin/targets/app/pause').set('Authorization', admin).set('Content-Type', 'text/plain');
    call.write('reason=maintenance');
    const response = await call;
    expect(response.status).toBe(415);
  });

  it('reads an application/scim+json body like application/json: its mode and dryRun are the run\'s', async () => {
    const started = await request(app).post('/admin/reconcile/app').set('Authorization', admin)
      .set('Content-Type', 'application/scim+json').send(JSON.stringify({ mode: 'fix', dryRun: true }));
    expect(started.status).toBe(202);
    expect((await runs()).find((run) => run.id === started.body.id)).toMatchObject({ mode: 'fix', dryRun: true });
  });

  it.each([
    ['/admin/reconcile/app', { mode: 'destroy' }],
    ['/admin/targets/app/pause', { reason: {} }],
  ])('validates an application/scim+json body against the schema (%s)', async (path, body) => {
    const response = await request(app).post(path).set('Authorization', admin).set('Content-Type', 'application/scim+json').send(JSON.stringify(body));
    expect(response.status).toBe(400);
    expect(response.body).toMatchObject({ scimType: 'invalidValue' });
  });

  it('answers malformed JSON with 400 invalidSyntax', async () => {
    const response = await request(app).post('/admin/reconcile/app').set('Authorization', admin).set('Content-Type', 'application/json').send('{mode: fix');
    expect(response.status).toBe(400);
    expect(response.body).toMatchObject({ status: '400', scimType: 'invalidSyntax' });
  });

  it('answers a method a known admin path lacks with 405 and an Allow header, on every route', async () => {
    const deleted = await request(app).delete('/admin/targets').set('Authorization', admin);
    expect(deleted.status).toBe(405);
    expect(deleted.headers.allow).toBe('GET, HEAD');
    expect(deleted.body).toMatchObject({ schemas: ['urn:ietf:params:scim:api:messages:2.0:Error'], status: '405' });
    for (const route of routes(routers)) {
      const response = await request(app).put(route.path).set('Authorization', admin);
      expect({ path: route.path, status: response.status, allow: response.headers.allow?.split(', ') })
        .toEqual({ path: route.path, status: 405, allow: expect.arrayContaining(route.methods) });
    }
    expect((await request(app).delete('/admin/no-such-thing').set('Authorization', admin)).status).toBe(404);
    expect((await request(app).delete('/admin/targets').set('Authorization', 'Bearer nope')).status).toBe(401);
  });

  it('answers the history of a subject that never existed 404, and of a deleted user 200', async () => {
    const unknown = await request(app).get(`/admin/subjects/user/${randomUUID()}/history`).set('Authorization', admin);
    expect(unknown.status).toBe(404);
    expect(unknown.body).toMatchObject({ schemas: ['urn:ietf:params:scim:api:messages:2.0:Error'], status: '404' });
    const ctx = { actor: 'test', requestId: randomUUID(), source: 'scim' as const };
    const user = store.users.create({ schemas: ['urn:ietf:params:scim:schemas:core:2.0:User'], userName: `gone-${randomUUID()}` }, ctx);
    store.users.delete(user.id, ctx);
    const deleted = await request(app).get(`/admin/subjects/user/${user.id}/history`).set('Authorization', admin);
    expect(deleted.status).toBe(200);
    expect(deleted.body.ledger.map((row: { kind: string }) => row.kind)).toEqual(expect.arrayContaining(['user.created', 'user.deleted']));
  });

  it.each(bodies)('answers %s on every write route with a SCIM error or success, never a 5xx', async (_label, withBody) => {
    for (const route of writeRoutes(routers)) {
      const response = await withBody(request(app)[route.method](route.path).set('Authorization', admin));
      expect({ route: `${route.method} ${route.path}`, status: response.status < 500 ? 'not 5xx' : response.status }).toEqual({ route: `${route.method} ${route.path}`, status: 'not 5xx' });
      if (response.status >= 400) expect(response.body).toMatchObject({ schemas: ['urn:ietf:params:scim:api:messages:2.0:Error'], status: String(response.status) });
    }
  });
});
