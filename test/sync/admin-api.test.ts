import request from 'supertest';
import { createApp } from '../../src/app';
import { defaultConfig } from '../../src/config/defaults';
import { deliveriesAdminRouter } from '../../src/http/admin/deliveries';
import { createMetrics } from '../../src/http/metrics';
import { createLogger } from '../../src/log';
import { Tokens } from '../../src/store/tokens';
import { DeliveryAdmin } from '../../src/sync/delivery-admin';
import { Harness } from './harness';

describe('delivery admin API and metrics', () => {
  let harness: Harness;
  let app: ReturnType<typeof createApp>;
  let adminToken: string;
  let scimToken: string;

  beforeEach(async () => {
    harness = new Harness([{ name: 'app', delivery: { maxAttempts: 1 } }]);
    const { store } = harness;
    const metrics = createMetrics(store);
    await harness.startEngine({ observer: metrics.observer });
    const tokens = new Tokens(store.db);
    adminToken = tokens.create('ops', 'admin');
    scimToken = tokens.create('entra', 'scim');
    const admin = new DeliveryAdmin(store, ['app'], (target) => target && harness.engine.refresh(target));
    app = createApp({
      store, tokens, logger: createLogger({ silent: true }), config: defaultConfig(),
      adminRouters: [deliveriesAdminRouter({ admin, engineStatus: () => harness.engine.status() })],
      rootRouters: [metrics.router],
    });
  });
  afterEach(() => harness.close());

  const admin = (method: 'get' | 'post', path: string) => request(app)[method](path).set('Authorization', `Bearer ${adminToken}`);

  it('refuses a SCIM-scoped token', async () => {
    const res = await request(app).get('/admin/targets').set('Authorization', `Bearer ${scimToken}`);
    expect(res.status).toBe(403);
    expect(res.body.schemas).toEqual(['urn:ietf:params:scim:api:messages:2.0:Error']);
  });

  it('shows dead letters with the target\'s error, retries one, and the retry is delivered', async () => {
    harness.directory().failNext(1, { kind: 'permanent', message: 'email domain not allowed' }, 'users.create');
    const ada = harness.createUser('ada');
    await harness.settle();

    const dead = await admin('get', '/admin/deliveries/dead?target=app');
    expect(dead.status).toBe(200);
    expect(dead.body).toEqual([expect.objectContaining({ subject_kind: 'user', subject_id: ada, state: 'dead', last_error: 'email domain not allowed' })]);
    const targets = await admin('get', '/admin/targets');
    expect(targets.body).toEqual([expect.objectContaining({ target: 'app', paused: false, queue: { pending: 0, inflight: 0, dead: 1 }, connector: 'memory' })]);

    const retry = await admin('post', '/admin/deliveries/retry').send({ target: 'app', subject: { kind: 'user', id: ada } });
    expect(retry.body).toEqual({ retried: 1 });
    await harness.settle();
    expect(harness.remoteUser('ada')).toBeDefined();

    const history = await admin('get', `/admin/subjects/user/${ada}/history`);
    expect(history.body.ledger.map((row: { kind: string }) => row.kind)).toEqual(['user.created', 'delivery.dead', 'delivery.retry-requested', 'delivery.applied']);
    expect(history.body.targets).toEqual([expect.objectContaining({ target: 'app', queue: null, link: expect.objectContaining({ remote_id: harness.remoteUser('ada')!.id }) })]);
  });

  it('retries every dead item of a target at once', async () => {
    harness.directory().failNext(2, { kind: 'retryable' }, 'users.create');
    harness.createUser('ada');
    harness.createUser('bob');
    await harness.settle();
    expect((await admin('get', '/admin/deliveries?state=dead')).body).toHaveLength(2);
    expect((await admin('post', '/admin/deliveries/retry').send({ target: 'app' })).body).toEqual({ retried: 2 });
    await harness.settle();
    expect(harness.directory().allUsers()).toHaveLength(2);
  });

  it('pauses and resumes a target, recording who did it', async () => {
    const paused = await admin('post', '/admin/targets/app/pause').send({ reason: 'vendor maintenance' });
    expect(paused.body).toEqual({ target: 'app', paused: true });
    harness.createUser('ada');
    await new Promise((resolve) => setTimeout(resolve, 80));
    expect(harness.directory().allUsers()).toEqual([]);
    expect((await admin('get', '/admin/targets')).body[0]).toMatchObject({ paused: true, reason: 'vendor maintenance', queue: { pending: 1 } });

    await admin('post', '/admin/targets/app/resume').send({});
    await harness.settle();
    expect(harness.remoteUser('ada')).toBeDefined();
    const rows = harness.store.ledger.forSubject('target:app');
    expect(rows.map((row) => [row.kind, row.actor])).toEqual([['target.paused', 'ops'], ['target.resumed', 'ops']]);
  });

  it.each([
    ['post', '/admin/deliveries/retry', { subject: { kind: 'user', id: 'x' } }, 400, /target/],
    ['post', '/admin/deliveries/retry', { target: 'app', subject: { kind: 'robot', id: 'x' } }, 400, /kind/],
    ['post', '/admin/deliveries/retry', { target: 'nope' }, 404, /no target named 'nope'/],
    ['post', '/admin/targets/nope/pause', {}, 404, /no target named 'nope'/],
    ['post', '/admin/targets/app/pause', { reason: 7 }, 400, /reason/],
    ['get', '/admin/deliveries?state=stuck', undefined, 400, /state must be one of/],
    ['get', '/admin/deliveries?limit=0', undefined, 400, /limit/],
    ['get', '/admin/subjects/robot/1/history', undefined, 400, /kind must be one of/],
  ] as const)('%s %s %j → %i', async (method, path, body, status, detail) => {
    const call = admin(method, path);
    const res = body === undefined ? await call : await call.send(body);
    expect(res.status).toBe(status);
    expect(res.body.schemas).toEqual(['urn:ietf:params:scim:api:messages:2.0:Error']);
    expect(res.body.detail).toMatch(detail);
  });

  it('exposes Prometheus metrics without a token: requests, queue depth, deliveries, latency, target calls', async () => {
    harness.createUser('ada');
    await harness.settle();
    await admin('get', '/admin/targets');
    const res = await request(app).get('/metrics');
    expect(res.status).toBe(200);
    expect(res.text).toMatch(/scim_bridge_http_requests_total\{method="GET",route="\/admin\/targets",status="200"\} 1/);
    expect(res.text).toMatch(/scim_bridge_deliveries_total\{target="app",outcome="applied"\} 1/);
    expect(res.text).toMatch(/scim_bridge_delivery_latency_seconds_count\{target="app",outcome="applied"\} 1/);
    expect(res.text).toMatch(/scim_bridge_target_calls_total\{target="app",connector="memory",operation="users.create",result="ok"\} 1/);
    expect(res.text).toMatch(/# TYPE scim_bridge_queue_depth gauge/);
  });
});
