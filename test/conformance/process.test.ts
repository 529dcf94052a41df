/**
 * The compiled bridge as a real process, the way a newcomer runs it: create a token with the CLI,
 * `serve --port 0 --db <tmp>`, drive it with Entra-shaped HTTP traffic, then SIGTERM.
 */
import { rmSync } from 'node:fs';
import { join } from 'node:path';
import { buildCli } from '../cli/support/built-cli';
import { runBuiltCli, startBridge, type BridgeProcess } from '../cli/support/bridge-process';
import { tempDir } from '../cli/support/run-cli';
import { ENTERPRISE, GROUP_SCHEMA, PATCH_OP, SCIM_JSON, USER_SCHEMA } from './support';

describe('scim-bridge serve driven over HTTP', () => {
  let main: string;
  let bridge: BridgeProcess | undefined;
  beforeAll(() => {
    main = buildCli('conformance');
  }, 180_000);
  afterEach(() => {
    if (bridge && bridge.child.exitCode === null && bridge.child.signalCode === null) bridge.child.kill('SIGKILL');
    bridge = undefined;
  });

  function client(port: number, token: string) {
    const base = `http://127.0.0.1:${port}/scim/v2`;
    return async (method: string, path: string, body?: unknown) => {
      const res = await fetch(`${base}${path}`, {
        method,
        headers: { Authorization: `Bearer ${token}`, Accept: SCIM_JSON, ...(body ? { 'Content-Type': `${SCIM_JSON}; charset=utf-8` } : {}) },
        body: body === undefined ? undefined : JSON.stringify(body),
      });
      const text = await res.text();
      return { status: res.status, headers: res.headers, body: text ? JSON.parse(text) : undefined };
    };
  }

  function newToken(db: string): string {
    const created = runBuiltCli(main, ['token', 'create', '--name', 'entra', '--db', db]);
    expect(created.code).toBe(0);
    return created.stdout.trim();
  }

  /** A fresh database with an `entra` token, and the bridge serving it. */
  async function startFresh(label: string) {
    const db = join(tempDir(label), 'bridge.db');
    const token = newToken(db);
    bridge = await startBridge(main, ['--port', '0', '--db', db]);
    return { db, token, running: bridge, call: client(bridge.port, token) };
  }

  /** SIGTERM, a clean exit, and a ledger chain that verifies. */
  async function stopCleanly(db: string): Promise<void> {
    bridge!.child.kill('SIGTERM');
    expect(await bridge!.exited).toBe(0);
    expect(runBuiltCli(main, ['ledger', 'verify', '--db', db])).toMatchObject({ code: 0 });
  }

  it('serves an Entra provisioning sequence end to end and exits 0 on SIGTERM with a verifiable ledger', async () => {
    const { db, running, call } = await startFresh('conformance');

    const unauthorised = await fetch(`http://127.0.0.1:${running.port}/scim/v2/Users`);
    expect(unauthorised.status).toBe(401);
    expect(unauthorised.headers.get('content-type')).toContain(SCIM_JSON);
    expect(await unauthorised.json()).toMatchObject({ status: '401', schemas: ['urn:ietf:params:scim:api:messages:2.0:Error'] });

    const lookup = await call('GET', `/Users?filter=${encodeURIComponent('userName eq "Test_User@contoso.com"')}`);
    expect(lookup).toMatchObject({ status: 200, body: { totalResults: 0 } });

    const created = await call('POST', '/Users', {
      schemas: [USER_SCHEMA, ENTERPRISE], externalId: 'e-1', userName: 'Test_User@contoso.com', active: true,
      emails: [{ primary: true, type: 'work', value: 'Test_User@contoso.com' }], meta: { resourceType: 'User' },
      name: { formatted: 'Test User', familyName: 'User', givenName: 'Test' }, roles: [],
    });
    expect(created.status).toBe(201);
    expect(created.headers.get('content-type')).toContain(SCIM_JSON);
    expect(created.headers.get('etag')).toBe(created.body.meta.version);
    expect(created.headers.get('location')).toBe(created.body.meta.location);
    const id = created.body.id as string;

    const patched = await call('PATCH', `/Users/${id}`, { schemas: [PATCH_OP], Operations: [
      { op: 'Replace', path: 'emails[type eq "work"].value', value: 'updated@contoso.com' },
      { op: 'Replace', path: 'name.familyName', value: 'Updated' },
      { op: 'Add', path: `${ENTERPRISE}:department`, value: 'Sales' },
    ] });
    expect(patched.status).toBe(200);
    expect(patched.body).toMatchObject({ name: { familyName: 'Updated' }, [ENTERPRISE]: { department: 'Sales' } });

    const group = await call('POST', '/Groups', { schemas: [GROUP_SCHEMA], externalId: 'g-1', displayName: 'Sales', meta: { resourceType: 'Group' } });
    expect(group.status).toBe(201);
    const added = await call('PATCH', `/Groups/${group.body.id}`, { schemas: [PATCH_OP], Operations: [{ op: 'Add', path: 'members', value: [{ $ref: null, value: id }] }] });
    expect([200, 204]).toContain(added.status);
    const groupRead = await call('GET', `/Groups/${group.body.id}?excludedAttributes=members`);
    expect(groupRead.status).toBe(200);
    expect(groupRead.body).not.toHaveProperty('members');

    const disabled = await call('PATCH', `/Users/${id}`, { schemas: [PATCH_OP], Operations: [{ op: 'Replace', path: 'active', value: 'False' }] });
    expect(disabled).toMatchObject({ status: 200, body: { active: false } });
    expect(await call('GET', `/Users/${id}`)).toMatchObject({ status: 200, body: { active: false } });

    const bad = await call('GET', `/Users?filter=${encodeURIComponent('userName eq')}`);
    expect(bad).toMatchObject({ status: 400, body: { scimType: 'invalidFilter' } });
    const removed = await call('PATCH', `/Groups/${group.body.id}`, { schemas: [PATCH_OP], Operations: [{ op: 'Remove', path: `members[value eq "${id}"]` }] });
    expect([200, 204]).toContain(removed.status);
    expect((await call('DELETE', `/Users/${id}`)).status).toBe(204);
    expect((await call('GET', `/Users/${id}`)).status).toBe(404);
    await stopCleanly(db);
  });

  it('on SIGTERM under load, finishes what it accepted: every acknowledged create is there after a restart', async () => {
    const { db, token, running, call } = await startFresh('conformance-load');
    let signalled = false;
    const sends = Array.from({ length: 60 }, (_, i) =>
      call('POST', '/Users', { schemas: [USER_SCHEMA], userName: `load-${i}@contoso.com`, active: true })
        .then((res) => {
          if (!signalled) {
            signalled = true;
            running.child.kill('SIGTERM');
          }
          return { i, status: res.status };
        })
        .catch(() => ({ i, status: 0 })),
    );
    const results = await Promise.all(sends);
    expect(await running.exited).toBe(0);
    const acknowledged = results.filter((r) => r.status === 201).map((r) => r.i);
    expect(acknowledged.length).toBeGreaterThan(0);
    expect(results.every((r) => r.status === 201 || r.status === 0 || r.status === 503)).toBe(true);

    bridge = await startBridge(main, ['--port', '0', '--db', db]);
    const again = client(bridge.port, token);
    const list = await again('GET', '/Users?count=100');
    const present = new Set(list.body.Resources.map((u: { userName: string }) => u.userName));
    for (const i of acknowledged) expect(present).toContain(`load-${i}@contoso.com`);
    await stopCleanly(db);
  });

  it('after kill -9 mid-load, every acknowledged create, PATCH and member add is there and the ledger verifies', async () => {
    const { db, token, running, call } = await startFresh('conformance-kill');
    const users: string[] = [];
    for (let i = 0; i < 8; i++) users.push((await call('POST', '/Users', { schemas: [USER_SCHEMA], userName: `kill-${i}@contoso.com` })).body.id);
    const group = (await call('POST', '/Groups', { schemas: [GROUP_SCHEMA], displayName: 'Kill' })).body.id as string;

    const ackedPatch = new Map<string, { version: string; title: string }>();
    const ackedMembers: string[] = [];
    const ackedCreates: string[] = [];
    const killAfter = 1500; // enough writes that WAL checkpoints run while the load is on
    let acks = 0;
    /** Runs step(0), step(1), … until the bridge stops answering (step returns false); kills it after killAfter answers. */
    const untilKilled = async (step: (n: number) => Promise<boolean>) => {
      for (let n = 0; await step(n); n++) if (++acks === killAfter) running.child.kill('SIGKILL');
    };
    const answer = (method: string, path: string, body: unknown) => call(method, path, body).catch(() => undefined);
    // One writer per user (each PATCHes its own user in turn), plus two lanes creating users and adding them to the group.
    const userWriter = (id: string) => untilKilled(async (n) => {
      const res = await answer('PATCH', `/Users/${id}`, { schemas: [PATCH_OP], Operations: [{ op: 'Replace', path: 'title', value: `t${n}` }] });
      if (res?.status === 200) ackedPatch.set(id, { version: res.body.meta.version, title: `t${n}` });
      return res !== undefined;
    });
    const creator = (lane: number) => untilKilled(async (n) => {
      const userName = `new-${lane}-${n}@contoso.com`;
      const res = await answer('POST', '/Users', { schemas: [USER_SCHEMA], userName });
      if (res?.status !== 201) return res !== undefined;
      ackedCreates.push(userName);
      const add = await answer('PATCH', `/Groups/${group}`, { schemas: [PATCH_OP], Operations: [{ op: 'Add', path: 'members', value: [{ value: res.body.id }] }] });
      if (add?.status === 204 || add?.status === 200) ackedMembers.push(res.body.id);
      return add !== undefined;
    });
    await Promise.all([...users.map(userWriter), creator(1), creator(2)]);
    expect(await running.exited).toBe('SIGKILL');
    expect(ackedPatch.size + ackedCreates.length).toBeGreaterThan(0);

    bridge = await startBridge(main, ['--port', '0', '--db', db]);
    const again = client(bridge.port, token);
    for (const [id, acked] of ackedPatch) {
      const stored = (await again('GET', `/Users/${id}`)).body;
      const version = (v: string) => Number(/"(\d+)"/.exec(v)![1]);
      expect(version(stored.meta.version)).toBeGreaterThanOrEqual(version(acked.version));
      if (stored.meta.version === acked.version) expect(stored.title).toBe(acked.title);
    }
    for (const userName of ackedCreates) {
      const found = await again('GET', `/Users?filter=${encodeURIComponent(`userName eq "${userName}"`)}`);
      expect({ userName, totalResults: found.body.totalResults }).toEqual({ userName, totalResults: 1 });
    }
    const members = ((await again('GET', `/Groups/${group}`)).body.members ?? []).map((m: { value: string }) => m.value);
    for (const id of ackedMembers) expect(members).toContain(id);
    await stopCleanly(db);
  });

  it('stops accepting a token as soon as `token revoke` runs against the live database', async () => {
    const { db, call } = await startFresh('conformance-revoke');
    expect((await call('GET', '/Users?count=1')).status).toBe(200);
    expect(runBuiltCli(main, ['token', 'revoke', 'entra', '--db', db])).toMatchObject({ code: 0 });
    const refused = await call('GET', '/Users?count=1');
    expect(refused).toMatchObject({ status: 401, body: { schemas: ['urn:ietf:params:scim:api:messages:2.0:Error'], status: '401' } });
    await stopCleanly(db);
  });

  it('answers a request whose URL is over the header limit (a 20 kB filter) with a SCIM error body', async () => {
    const { token, running } = await startFresh('conformance-431');
    const filter = encodeURIComponent(`userName eq "${'a'.repeat(20_000)}"`);
    const res = await fetch(`http://127.0.0.1:${running.port}/scim/v2/Users?filter=${filter}`, { headers: { Authorization: `Bearer ${token}` } });
    const status = res.status;
    const type = res.headers.get('content-type');
    const body = await res.text();
    running.child.kill('SIGTERM');
    expect(await running.exited).toBe(0);
    expect(status).toBeGreaterThanOrEqual(400);
    expect(status).toBeLessThan(500);
    expect(type).toContain(SCIM_JSON);
    expect(JSON.parse(body)).toMatchObject({ schemas: ['urn:ietf:params:scim:api:messages:2.0:Error'], status: String(status) });
  });
  it('with its database deleted while serving: not ready, and no write is acknowledged (503 with Retry-After)', async () => {
    const { db, running, call } = await startFresh('conformance-lost');
    expect((await call('POST', '/Users', { schemas: [USER_SCHEMA], userName: 'kept@example.com' })).status).toBe(201);
    for (const suffix of ['', '-wal', '-shm']) rmSync(`${db}${suffix}`, { force: true });
    expect((await fetch(`http://127.0.0.1:${running.port}/readyz`)).status).toBe(503);
    const write = await call('POST', '/Users', { schemas: [USER_SCHEMA], userName: 'lost@example.com' });
    expect(write.status).toBe(503);
    expect(write.headers.get('retry-after')).toBe('1');
    running.child.kill('SIGTERM');
    expect(await running.exited).toBe(0);
  });
});
