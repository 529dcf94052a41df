import { randomUUID } from 'node:crypto';
import request from 'supertest';
import { memoryDirectory, type MemoryDirectory } from '../../connectors/memory';
import { createApp } from '../../src/app';
import { defaultConfig } from '../../src/config/defaults';
import type { BridgeConfig } from '../../src/config/types';
import { createLogger } from '../../src/log';
import { reconcileModule } from '../../src/reconcile/module';
import type { Service } from '../../src/server';
import { Store } from '../../src/store';
import { openDatabase } from '../../src/store/db';
import { Tokens } from '../../src/store/tokens';
import { waitFor } from '../sync/harness';

async function setup(reconcile: object = {}) {
  const directoryName = `admin-${randomUUID()}`;
  const directory: MemoryDirectory = memoryDirectory(directoryName);
  const config: BridgeConfig = { ...defaultConfig(), targets: [{ name: 'app', connector: 'memory', config: { directory: directoryName }, reconcile }] };
  const store = new Store(openDatabase(':memory:'));
  const tokens = new Tokens(store.db);
  const contribution = await reconcileModule.setup({ config, store, tokens, logger: createLogger({ silent: true }) });
  const services: Service[] = contribution.services ?? [];
  for (const service of services) await service.start();
  const app = createApp({ store, tokens, logger: createLogger({ silent: true }), config, adminRouters: contribution.adminRouters });
  const admin = `Bearer ${tokens.create('ops', 'admin')}`;
  const scim = `Bearer ${tokens.create('entra', 'scim')}`;
  const close = async () => {
    for (const service of services) await service.stop();
    store.close();
    await directory.stop();
  };
  return { app, store, directory, admin, scim, close };
}

describe('/admin/reconcile', () => {
  let s: Awaited<ReturnType<typeof setup>>;
  afterEach(() => s.close());

  it('starts a run, lists it, and serves its report with findings', async () => {
    s = await setup();
    s.directory.createUser({ key: 'stranger', active: true, attributes: {} });
    const started = await request(s.app).post('/admin/reconcile/app').set('Authorization', s.admin).send({ mode: 'report' });
    expect(started.status).toBe(202);
    expect(started.headers.location).toBe(`/admin/reconcile/${started.body.id}`);
    const get = () => request(s.app).get(`/admin/reconcile/${started.body.id}`).set('Authorization', s.admin);
    let report = (await get()).body;
    while (report.status === 'running') {
      await new Promise((resolve) => setTimeout(resolve, 10));
      report = (await get()).body;
    }
    expect(report).toMatchObject({ target: 'app', status: 'succeeded', verdict: 'in-sync', actor: 'ops', trigger: 'admin', requestId: started.body.requestId });
    expect(report.findings).toEqual([expect.objectContaining({ kind: 'unmanaged-account', action: 'none', fix: 'not-fixable', remote: expect.objectContaining({ key: 'stranger' }) })]);
    const list = await request(s.app).get('/admin/reconcile?target=app').set('Authorization', s.admin);
    expect(list.body.runs.map((run: { id: string }) => run.id)).toEqual([started.body.id]);
    expect(s.store.ledger.forRequest(started.body.requestId).map((row) => row.kind)).toEqual(['reconcile.started', 'reconcile.finding', 'reconcile.verdict']);
  });

  it('answers bad input with SCIM errors: unknown target, bad body, bad query, unknown run, a run already going, a SCIM token', async () => {
    s = await setup();
    const post = (target: string, body: object) => request(s.app).post(`/admin/reconcile/${target}`).set('Authorization', s.admin).send(body);
    expect((await post('nope', {})).body).toMatchObject({ status: '404', detail: "no target named 'nope'" });
    const bad = await post('app', { mode: 'delete-everything', extra: 1 });
    expect(bad.status).toBe(400);
    expect(bad.body).toMatchObject({ scimType: 'invalidValue' });
    expect(bad.body.detail).toMatch(/mode/);
    expect((await request(s.app).get('/admin/reconcile?limit=0').set('Authorization', s.admin)).status).toBe(400);
    expect((await request(s.app).get(`/admin/reconcile/${randomUUID()}`).set('Authorization', s.admin)).status).toBe(404);
    s.directory.latency(100);
    expect((await post('app', {})).status).toBe(202);
    const second = await post('app', {});
    expect(second.status).toBe(409);
    expect(second.body.detail).toMatch(/already running/);
    expect((await request(s.app).get('/admin/reconcile').set('Authorization', s.scim)).status).toBe(403);
  });

  it('runs on its cron schedule, through node-cron', async () => {
    s = await setup({ schedule: '* * * * * *', timezone: 'Europe/Berlin' });
    await waitFor(() => s.store.db.prepare(`SELECT COUNT(*) AS n FROM drift_reports WHERE trigger = 'schedule' AND status = 'succeeded'`).pluck().get() as number > 0, 5000);
    const run = s.store.db.prepare(`SELECT actor, verdict FROM drift_reports WHERE trigger = 'schedule'`).get();
    expect(run).toEqual({ actor: 'reconciler', verdict: 'in-sync' });
  });

  it('refuses an invalid schedule, time zone or limit at startup, naming the setting', async () => {
    await expect(setup({ schedule: 'every night' })).rejects.toThrow(/targets\[0\]\.reconcile\.schedule/);
    await expect(setup({ timezone: 'Mars/Olympus' })).rejects.toThrow(/targets\[0\]\.reconcile\.timezone/);
    await expect(setup({ maxDeletes: '150%' })).rejects.toThrow(/targets\[0\]\.reconcile\.maxDeletes/);
    s = await setup();
  });
});
