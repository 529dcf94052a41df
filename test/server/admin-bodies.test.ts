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

  it.each(bodies)('answers %s on every write route with a SCIM error or success, never a 5xx', async (_label, withBody) => {
    for (const route of writeRoutes(routers)) {
      const response = await withBody(request(app)[route.method](route.path).set('Authorization', admin));
      expect({ route: `${route.method} ${route.path}`, status: response.status < 500 ? 'not 5xx' : response.status }).toEqual({ route: `${route.method} ${route.path}`, status: 'not 5xx' });
      if (response.status >= 400) expect(response.body).toMatchObject({ schemas: ['urn:ietf:params:scim:api:messages:2.0:Error'], status: String(response.status) });
    }
  });
});
