import { spawn } from 'node:child_process';
import { createServer } from 'node:net';
import { Store } from '../../src/store';
import { join } from 'node:path';
import { buildCli } from './support/built-cli';
import { runBuiltCli, startBridge } from './support/bridge-process';
import { tempDir } from './support/run-cli';

describe('scim-bridge serve (compiled, as a child process)', () => {
  let main: string;
  beforeAll(() => {
    main = buildCli('serve');
  }, 120_000);

  it('logs its port as JSON on stdout, serves, and exits 0 on SIGTERM after closing the database', async () => {
    const db = join(tempDir('serve'), 'bridge.db');
    const bridge = await startBridge(main, ['--port', '0', '--db', db], { SCIM_BRIDGE_LOG_LEVEL: 'info' });
    const health = await fetch(`http://127.0.0.1:${bridge.port}/healthz`);
    expect(await health.json()).toEqual({ status: 'ok' });
    bridge.child.kill('SIGTERM');
    expect(await bridge.exited).toBe(0);
    const messages = bridge.lines.map((line) => JSON.parse(line).message);
    expect(messages).toEqual(expect.arrayContaining(['listening', 'request', 'signal received', 'shutting down', 'stopped']));
    // The database was closed cleanly: the WAL was checkpointed and removed.
    expect(runBuiltCli(main, ['ledger', 'verify', '--db', db])).toMatchObject({ code: 0 });
  });

  it('takes port and database from the environment', async () => {
    const db = join(tempDir('serve-env'), 'env.db');
    const bridge = await startBridge(main, [], { SCIM_BRIDGE_PORT: '0', SCIM_BRIDGE_DB: db });
    const listening = JSON.parse(bridge.lines.find((line) => line.includes('"listening"'))!);
    expect(listening).toMatchObject({ database: db, scimUrl: `http://localhost:${bridge.port}/scim/v2` });
    bridge.child.kill('SIGINT');
    expect(await bridge.exited).toBe(0);
  });

  it('exits 2 with a clear message on a bad --port, and 1 when the port is taken', async () => {
    expect(runBuiltCli(main, ['serve', '--port', 'eighty'])).toMatchObject({
      code: 2, stdout: '', stderr: expect.stringContaining("option '--port <n>' argument 'eighty' is invalid"),
    });
    const blocker = createServer();
    await new Promise<void>((resolve) => blocker.listen(0, '0.0.0.0', resolve));
    const port = (blocker.address() as { port: number }).port;
    const db = join(tempDir('serve-busy'), 'bridge.db');
    const busy = runBuiltCli(main, ['serve', '--port', String(port), '--db', db]);
    blocker.close();
    expect(busy.code).toBe(1);
    expect(busy.stderr).toContain(`cannot listen on 0.0.0.0:${port}: the address is already in use (use --port)`);
  });

  it('logs at a level given in any case, and refuses an unknown level instead of logging nothing', async () => {
    const db = join(tempDir('serve-level'), 'bridge.db');
    const bridge = await startBridge(main, ['--port', '0', '--db', db], { SCIM_BRIDGE_LOG_LEVEL: 'DEBUG' });
    bridge.child.kill('SIGTERM');
    expect(await bridge.exited).toBe(0);
    const bad = runBuiltCli(main, ['serve', '--port', '0', '--db', db], { SCIM_BRIDGE_LOG_LEVEL: 'verbose2' });
    expect(bad).toMatchObject({ code: 1, stdout: '' });
    expect(bad.stderr).toContain('SCIM_BRIDGE_LOG_LEVEL: must be one of error, warn, info, http, verbose, debug, silly (got "verbose2")');
  });

  it('refuses a second serve on the database, naming the first; CLI commands work meanwhile; kill -9 frees it at once', async () => {
    const db = join(tempDir('serve-twice'), 'bridge.db');
    const first = await startBridge(main, ['--port', '0', '--db', db]);
    const second = runBuiltCli(main, ['serve', '--port', '0', '--db', db]);
    expect(second).toMatchObject({ code: 1, stdout: '' });
    expect(second.stderr).toContain(`database ${db} is already served by scim-bridge process ${first.child.pid} on `);
    expect(runBuiltCli(main, ['token', 'create', '--name', 'entra', '--db', db])).toMatchObject({ code: 0 });

    first.child.kill('SIGKILL');
    expect(await first.exited).toBe('SIGKILL');
    const restarted = await startBridge(main, ['--port', '0', '--db', db]);
    restarted.child.kill('SIGTERM');
    expect(await restarted.exited).toBe(0);
  });

  it('--version works from the build too (package.json is found from dist/)', () => {
    expect(runBuiltCli(main, ['--version'])).toMatchObject({ code: 0, stdout: expect.stringMatching(/^\d+\.\d+\.\d+\n$/) });
  });

  it('refuses an unknown SCIM_BRIDGE_SYNCHRONOUS instead of silently running NORMAL', () => {
    const db = join(tempDir('serve-sync'), 'bridge.db');
    const bad = runBuiltCli(main, ['serve', '--port', '0', '--db', db], { SCIM_BRIDGE_SYNCHRONOUS: 'fulll' });
    expect(bad).toMatchObject({ code: 1, stdout: '' });
    expect(bad.stderr).toContain('SCIM_BRIDGE_SYNCHRONOUS: must be NORMAL or FULL (got "fulll")');
  });

  it('stops quietly when a command\'s reader closes the pipe early (ledger export | head -1)', async () => {
    const db = join(tempDir('export-epipe'), 'bridge.db');
    const store = Store.open(db);
    const ctx = { actor: 'test', requestId: 'epipe', source: 'cli' as const };
    store.transaction(() => {
      for (let i = 0; i < 3000; i++) store.users.create({ userName: `epipe${i}`, name: { givenName: 'E', familyName: 'Pipe' } } as never, ctx);
    });
    store.close();
    const child = spawn(process.execPath, [main, 'ledger', 'export', '--db', db], { stdio: ['ignore', 'pipe', 'pipe'] });
    let stderr = '';
    child.stderr.on('data', (chunk: Buffer) => (stderr += chunk.toString()));
    child.stdout.once('data', () => child.stdout.destroy());
    const code = await new Promise<number | null>((resolve) => child.on('exit', resolve));
    expect([code, stderr]).toEqual([0, '']);
  });

  it('keeps serving when its stdout is closed (serve | head -1): a log line that cannot be written is dropped', async () => {
    const db = join(tempDir('serve-epipe'), 'bridge.db');
    const bridge = await startBridge(main, ['--port', '0', '--db', db]);
    bridge.child.stdout!.destroy();
    for (let i = 0; i < 20; i++) expect((await fetch(`http://127.0.0.1:${bridge.port}/healthz`)).status).toBe(200);
    expect(bridge.child.exitCode).toBeNull();
    bridge.child.kill('SIGTERM');
    expect(await bridge.exited).toBe(0);
  });
});
