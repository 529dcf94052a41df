import { writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { cli, tempDir } from '../cli/support/run-cli';
import { Harness } from './harness';

describe('scim-bridge deliveries / targets', () => {
  let harness: Harness;
  afterEach(() => harness.close());

  it('lists dead deliveries, retries them, and a running engine delivers them', async () => {
    harness = await Harness.start([{ delivery: { maxAttempts: 1 } }]);
    harness.directory().failNext(1, { kind: 'permanent', message: 'seat limit reached' }, 'users.create');
    const ada = harness.createUser('ada');
    await harness.settle();
    const db = ['--db', harness.dbFile];

    const dead = await cli(['deliveries', 'dead', ...db, '--json']);
    expect(dead.code).toBe(0);
    expect(dead.stdout.trim().split('\n').map((line) => JSON.parse(line))).toEqual([
      expect.objectContaining({ target: 'app', subject_id: ada, state: 'dead', last_error: 'seat limit reached' }),
    ]);
    const listed = await cli(['deliveries', 'list', ...db]);
    expect(listed.stdout).toMatch(new RegExp(`app\\s+user:${ada}\\s+dead\\s+1\\s+\\S+\\s+seat limit reached`));

    const retried = await cli(['deliveries', 'retry', ...db, '--target', 'app', '--user', ada]);
    expect(retried).toMatchObject({ code: 0, stdout: '1\n' });
    await harness.settle();
    expect(harness.remoteUser('ada')).toBeDefined();
    expect(harness.ledgerKinds(`user:${ada}`)).toContain('delivery.retry-requested');
  });

  it('pauses a target from the CLI; the running engine stops delivering until resumed', async () => {
    harness = await Harness.start();
    const config = join(tempDir('targets-cli'), 'bridge.yaml');
    writeFileSync(config, 'targets:\n  - name: app\n    connector: memory\n    config: { directory: cli-test }\n');
    const db = ['--db', harness.dbFile, '--config', config];
    expect((await cli(['targets', 'pause', 'app', ...db, '--reason', 'license audit'])).code).toBe(0);
    harness.createUser('ada');
    await new Promise((resolve) => setTimeout(resolve, 100));
    expect(harness.directory().allUsers()).toEqual([]);

    const listed = await cli(['targets', 'list', ...db, '--json']);
    expect(JSON.parse(listed.stdout)).toMatchObject({ target: 'app', paused: true, reason: 'license audit', queue: { pending: 1 } });

    expect((await cli(['targets', 'resume', 'app', ...db])).code).toBe(0);
    await harness.settle();
    expect(harness.remoteUser('ada')).toBeDefined();
  });

  it('explains an unknown target and a bad option', async () => {
    harness = await Harness.start();
    const db = ['--db', harness.dbFile];
    const unknown = await cli(['targets', 'pause', 'nope', ...db]);
    expect(unknown.code).toBe(1);
    expect(unknown.stderr).toMatch(/no target named 'nope'/);
    const both = await cli(['deliveries', 'retry', ...db, '--target', 'app', '--user', 'a', '--group', 'b']);
    expect(both.code).toBe(1);
    expect(both.stderr).toMatch(/--user or --group, not both/);
  });
});
