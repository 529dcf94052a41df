import { createServer } from 'node:net';
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
});
