import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import request from 'supertest';
import { createApp } from '../../src/app';
import { defaultConfig } from '../../src/config/defaults';
import { deliveriesAdminRouter } from '../../src/http/admin/deliveries';
import { createMetrics, declaredRoutes, routeLabel } from '../../src/http/metrics';
import { createLogger } from '../../src/log';
import { Store } from '../../src/store';
import { Tokens } from '../../src/store/tokens';
import { DeliveryAdmin } from '../../src/sync/delivery-admin';

/** /metrics: one route label per route whatever the status, and queue depth series that stay at 0. */

let dir: string;
let store: Store;
let app: ReturnType<typeof createApp>;
let adminToken: string;

beforeEach(() => {
  dir = mkdtempSync(join(tmpdir(), 'metrics-'));
  store = Store.open(join(dir, 'bridge.db'));
  const tokens = new Tokens(store.db);
  adminToken = tokens.create('ops', 'admin');
  const metrics = createMetrics(store, { targets: ['crm', 'wiki'] });
  app = createApp({
    store, tokens, logger: createLogger({ silent: true }), config: defaultConfig(),
    adminRouters: [deliveriesAdminRouter({ admin: new DeliveryAdmin(store, ['crm', 'wiki']) })],
    rootRouters: [metrics.router],
  });
});
afterEach(() => {
  store.close();
  rmSync(dir, { recursive: true, force: true });
});

const admin = (method: 'get' | 'post', path: string) => request(app)[method](path).set('Authorization', `Bearer ${adminToken}`);

async function requestSeries(): Promise<string[]> {
  const text = (await request(app).get('/metrics')).text;
  return text.split('\n').filter((line) => line.startsWith('scim_bridge_http_requests_total{'));
}

async function queueSeries(): Promise<string[]> {
  const text = (await request(app).get('/metrics')).text;
  return text.split('\n').filter((line) => line.startsWith('scim_bridge_queue_depth{')).sort();
}

describe('request metrics', () => {
  it('labels a route by its declared template whether the answer is 200, 400 or 401', async () => {
    const ctx = { actor: 'test', requestId: 'r-1', source: 'scim' as const };
    const { id } = store.users.create({ schemas: ['urn:ietf:params:scim:schemas:core:2.0:User'], userName: 'ada' }, ctx);
    expect((await admin('get', `/admin/subjects/user/${id}/history`)).status).toBe(200);
    expect((await admin('get', `/admin/subjects/robot/${id}/history`)).status).toBe(400);
    expect((await request(app).get(`/admin/subjects/user/${id}/history`)).status).toBe(401);
    expect(await requestSeries()).toEqual([
      'scim_bridge_http_requests_total{method="GET",route="/admin/subjects/:kind/:id/history",status="200"} 1',
      'scim_bridge_http_requests_total{method="GET",route="/admin/subjects/:kind/:id/history",status="400"} 1',
      'scim_bridge_http_requests_total{method="GET",route="/admin/subjects/:kind/:id/history",status="401"} 1',
    ]);
  });

  it('names parameters as the router does (:name for a target), and prefers literal segments', async () => {
    await admin('post', '/admin/targets/crm/pause').send({});
    await admin('get', '/admin/deliveries/dead');
    await admin('get', '/admin/deliveries');
    const routes = (await requestSeries()).map((line) => /route="([^"]+)"/.exec(line)?.[1]);
    expect(routes.sort()).toEqual(['/admin/deliveries', '/admin/deliveries/dead', '/admin/targets/:name/pause']);
  });

  it('labels SCIM requests by resource, never by id, and unknown paths with bounded labels', async () => {
    await request(app).get('/scim/v2/Users/2819c223-7f76-453a-919d-413861904646');
    await request(app).get('/scim/v2/Groups/e9e30dba');
    await request(app).get('/no/such/thing/here');
    const routes = (await requestSeries()).map((line) => /route="([^"]+)"/.exec(line)?.[1]);
    expect(routes.sort()).toEqual(['/:id/:id/:id/:id', '/scim/v2/Groups/:id', '/scim/v2/Users/:id']);
  });
});

describe('route templates', () => {
  const routes = declaredRoutes([
    { route: { path: '/metrics', methods: { get: true } } },
    { rawPath: '/admin', handle: { stack: [
      { route: { path: '/', methods: { get: true } } },
      { route: { path: '/reconcile/:id', methods: { get: true } } },
      { route: { path: '/reconcile/:target', methods: { post: true } } },
      { route: { path: '/files/*rest', methods: { get: true } } },
    ] } },
  ]);

  it('reads routes under their mount paths, leaving out wildcard patterns', () => {
    expect(routes.map(({ method, path }) => `${method} ${path}`)).toEqual(['get /metrics', 'get /admin', 'get /admin/reconcile/:id', 'post /admin/reconcile/:target']);
  });

  it('tells routes apart by method, and HEAD uses the GET route', () => {
    expect(routeLabel('GET', '/admin/reconcile/r-1?x=1', routes)).toBe('/admin/reconcile/:id');
    expect(routeLabel('POST', '/admin/reconcile/crm', routes)).toBe('/admin/reconcile/:target');
    expect(routeLabel('HEAD', '/metrics', routes)).toBe('/metrics');
    expect(routeLabel('DELETE', '/admin/reconcile/crm', routes)).toBe('/admin/:id/:id');
  });
});

describe('queue depth', () => {
  it('reports every configured target and state at 0 before anything is queued', async () => {
    expect(await queueSeries()).toEqual([
      'scim_bridge_queue_depth{target="crm",state="dead"} 0',
      'scim_bridge_queue_depth{target="crm",state="inflight"} 0',
      'scim_bridge_queue_depth{target="crm",state="pending"} 0',
      'scim_bridge_queue_depth{target="wiki",state="dead"} 0',
      'scim_bridge_queue_depth{target="wiki",state="inflight"} 0',
      'scim_bridge_queue_depth{target="wiki",state="pending"} 0',
    ]);
  });

  it('goes back to 0 when the queue empties, and keeps a target it only saw in the queue', async () => {
    store.queue.enqueue('crm', { kind: 'user', id: 'u-1' });
    store.queue.enqueue('legacy', { kind: 'user', id: 'u-1' });
    expect(await queueSeries()).toEqual(expect.arrayContaining([
      'scim_bridge_queue_depth{target="crm",state="pending"} 1',
      'scim_bridge_queue_depth{target="legacy",state="pending"} 1',
    ]));
    store.db.prepare('DELETE FROM sync_queue').run();
    const after = await queueSeries();
    expect(after).toHaveLength(9);
    expect(after.filter((line) => !line.endsWith(' 0'))).toEqual([]);
  });
});
