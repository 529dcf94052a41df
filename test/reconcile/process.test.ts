import { execFile } from 'node:child_process';
import { writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { FakeIam } from '../../connectors/aws-iam/fake';
import { configForFake } from '../../connectors/aws-iam/harness';
import { Store } from '../../src/store';
import { startBridge } from '../cli/support/bridge-process';
import { buildCli } from '../cli/support/built-cli';
import { tempDir } from '../cli/support/run-cli';
import { waitFor } from '../sync/harness';

/** Like runBuiltCli, but without blocking this process, whose event loop serves the fake target. */
function runCli(main: string, args: string[]): Promise<{ code: number; stdout: string; stderr: string }> {
  return new Promise((resolve) => {
    execFile(process.execPath, [main, ...args], { env: { PATH: process.env.PATH } }, (error, stdout, stderr) => {
      resolve({ code: error ? Number(error.code ?? 1) : 0, stdout, stderr });
    });
  });
}

describe('the compiled CLI with an AWS IAM target and a reconcile schedule', () => {
  let main: string;
  let aws: FakeIam;
  let config: string;
  let db: string;
  beforeAll(async () => {
    main = buildCli('reconcile');
    aws = await new FakeIam().start();
    const dir = tempDir('reconcile-process');
    config = join(dir, 'bridge.json');
    writeFileSync(config, JSON.stringify({ targets: [{ name: 'aws', connector: 'aws-iam', config: configForFake(aws), reconcile: { schedule: '0 3 * * *' } }] }));
    db = join(dir, 'bridge.db');
    Store.open(db).close();
  }, 180_000);
  afterAll(() => aws.stop());

  it("keeps the AWS SDK's Node version warning out of reconcile and config check output", async () => {
    const reconcile = await runCli(main, ['reconcile', '--target', 'aws', '--config', config, '--db', db]);
    expect(reconcile).toMatchObject({ code: 0, stdout: expect.stringMatching(/^reconcile aws: in-sync/) });
    const check = await runCli(main, ['config', 'check', '--config', config]);
    expect(check.code).toBe(0);
    for (const output of [reconcile.stderr, check.stderr]) expect(output).not.toMatch(/NodeVersionSupportWarning|Warning/);
  });

  it("serve's first log line says where it listens; the reconcile schedule is logged after it", async () => {
    const bridge = await startBridge(main, ['--config', config, '--db', db, '--port', '0']);
    try {
      await waitFor(() => bridge.lines.some((line) => line.includes('reconciliation scheduled')), 10_000);
      const messages = bridge.lines.map((line) => JSON.parse(line) as { message: string; target?: string; schedule?: string });
      expect(messages[0]).toMatchObject({ message: 'listening', port: bridge.port });
      expect(messages.find((entry) => entry.message === 'reconciliation scheduled')).toMatchObject({ target: 'aws', schedule: '0 3 * * *' });
    } finally {
      bridge.child.kill('SIGTERM');
      expect(await bridge.exited).toBe(0);
    }
  });
});
