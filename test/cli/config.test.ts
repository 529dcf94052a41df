import { writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { configChecks, type ConfigCheck } from '../../src/cli/config-checks';
import { cli, tempDir } from './support/run-cli';

const dir = tempDir('config-check');

function configFile(name: string, text: string): string {
  const file = join(dir, name);
  writeFileSync(file, text);
  return file;
}

describe('scim-bridge config check', () => {
  it('exits 0 and summarises a valid file', async () => {
    const file = configFile('ok.yaml', 'server:\n  port: 9000\n');
    expect(await cli(['config', 'check', '--config', file])).toEqual({ code: 0, stdout: `${file}: valid (0 targets)\n`, stderr: '' });
  });

  it('takes the file from SCIM_BRIDGE_CONFIG', async () => {
    const file = configFile('env.json', '{"database": {"file": "x.db"}}');
    expect(await cli(['config', 'check'], { SCIM_BRIDGE_CONFIG: file })).toMatchObject({ code: 0, stdout: `${file}: valid (0 targets)\n` });
  });

  it('exits 1 and lists every problem with its path on stderr', async () => {
    const file = configFile('bad.yaml', 'server:\n  port: -1\ndatabse:\n  file: x.db\ntargets:\n  - name: Bad Name\n    connector: memory\n');
    const run = await cli(['config', 'check', '--config', file]);
    expect(run).toMatchObject({ code: 1, stdout: '' });
    expect(run.stderr).toContain(`invalid config file ${file}:`);
    expect(run.stderr).toContain('  - server.port: must be >= 0');
    expect(run.stderr).toMatch(/  - databse: is not a known setting \(known: server, database, scim, .*targets\)/);
    expect(run.stderr).toContain('  - targets[0].name: must match pattern');
  });

  it('names a missing secret without revealing any value', async () => {
    const file = configFile('secret.yaml', 'server:\n  host: ${env:BRIDGE_HOST}\n');
    const run = await cli(['config', 'check', '--config', file], {});
    expect(run).toMatchObject({ code: 1, stdout: '' });
    expect(run.stderr).toContain('server.host: environment variable BRIDGE_HOST is not set');
    expect(await cli(['config', 'check', '--config', file], { BRIDGE_HOST: '127.0.0.1' })).toMatchObject({ code: 0 });
  });

  it('reports a missing secret together with the schedule and scope filter problems, each with its path', async () => {
    const file = configFile('all-problems.yaml', 'targets:\n  - name: mirror\n    connector: memory\n    config:\n      directory: mirror\n' +
      `      token: \${file:${join(dir, 'no-such-secret')}}\n    scope: {groups: [x], filter: "userName eq"}\n    reconcile: {schedule: "99 99 * * *"}\n`);
    const run = await cli(['config', 'check', '--config', file]);
    expect(run).toMatchObject({ code: 1, stdout: '' });
    expect(run.stderr.split('\n').filter((line) => line.startsWith('  - ')).map((line) => line.replace(/^  - ([^:]+):.*$/, '$1'))).toEqual([
      'targets[0].config.token', 'targets[0].scope.filter', 'targets[0].reconcile.schedule',
    ]);
    expect(run.stderr).toContain(`targets[0].config.token: cannot read secret file ${join(dir, 'no-such-secret')} (ENOENT)`);
    expect(run.stderr).toContain(`targets[0].reconcile.schedule: '99 99 * * *' is not a cron expression`);
  });

  it('is a usage error without a file', async () => {
    expect(await cli(['config', 'check'])).toEqual({ code: 2, stdout: '', stderr: 'no config file: pass --config FILE or set SCIM_BRIDGE_CONFIG\n' });
  });

  it('runs the registered live checks and fails when one reports a problem', async () => {
    const file = configFile('live.yaml', 'server:\n  port: 9000\n');
    const seenPorts: number[] = [];
    const check: ConfigCheck = async (config) => {
      seenPorts.push(config.server.port);
      return [
        { subject: 'target a', ok: true, message: 'credentials work' },
        { subject: 'target b', ok: false, message: 'missing scope admin:org' },
      ];
    };
    configChecks.push(check);
    try {
      const run = await cli(['config', 'check', '--config', file]);
      expect(seenPorts).toEqual([9000]);
      expect(run.code).toBe(1);
      expect(run.stdout).toBe('ok   target a: credentials work\nFAIL target b: missing scope admin:org\n');
      expect(run.stderr).toBe(`${file}: invalid: 1 check failed\n`);
    } finally {
      configChecks.splice(configChecks.indexOf(check), 1);
    }
  });
});

describe('scim-bridge config check against the connector registry', () => {
  it('accepts a target of a registered connector and names an unknown one with the known kinds', async () => {
    const good = configFile('memory.yaml', 'targets:\n  - name: mirror\n    connector: memory\n    config:\n      directory: mirror\n');
    expect(await cli(['config', 'check', '--config', good])).toMatchObject({
      code: 0,
      stdout: `ok   target mirror: directory mirror reachable, 0 users\n${good}: valid (1 target: mirror (memory))\n`,
    });
    const bad = configFile('unknown.yaml', 'targets:\n  - name: mirror\n    connector: memroy\n');
    const run = await cli(['config', 'check', '--config', bad]);
    expect(run.code).toBe(1);
    expect(run.stderr).toMatch(/targets\[0\]\.connector: must be one of .*\bmemory\b/);
  });
});
