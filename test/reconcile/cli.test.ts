import { writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { cli, tempDir } from '../cli/support/run-cli';
import { Harness } from '../sync/harness';

describe('scim-bridge reconcile', () => {
  let h: Harness;
  let config: string;
  beforeEach(async () => {
    h = await Harness.start([{ groups: [{ scim: 'Engineering', target: 'engineering', create: true }] }]);
    const ada = h.createUser('ada');
    h.createGroup('Engineering', [ada, h.createUser('bob')]);
    await h.settle();
    await h.engine.stop();
    config = join(tempDir('reconcile-cli'), 'bridge.yaml');
    const directory = (h.engine.targets[0].config as { directory: string }).directory;
    writeFileSync(config, `targets:\n  - name: app\n    connector: memory\n    config: { directory: ${directory} }\n    groups: [{ scim: Engineering, target: engineering, create: true }]\n`);
  });
  afterEach(() => h.close());

  const run = (...args: string[]) => cli(['reconcile', '--config', config, '--db', h.dbFile, ...args]);

  it('prints a summary table and plain progress lines, and exits 3 on drift', async () => {
    h.directory().updateUser(h.remoteUser('ada')!.id, { attributes: { givenName: 'Augusta' } });
    const result = await run('--target', 'app');
    expect(result.code).toBe(3);
    expect(result.stdout).toMatch(/^reconcile app: drift \(report\) run [0-9a-f-]{36}$/m);
    expect(result.stdout).toMatch(/^attribute-drift\s+1$/m);
    expect(result.stdout).toMatch(/^attribute-drift\s+user:\S+\s+ada\s+givenName: Augusta → Ada\s+update\s+planned$/m);
    expect(result.stdout).toMatch(/^ledger trail: npx scim-bridge evidence request:reconcile-\S+$/m);
    expect(result.stderr).toMatch(/^desired: 2 done, 0 findings so far\nusers: 2 done, 1 finding so far\ngroups: 1 done, 1 finding so far$/m);
    expect(result.stderr).toMatch(/drift found/);
  });

  it('--json prints the whole report for machines; --fix --dry-run plans without queueing; --fix queues', async () => {
    h.directory().updateUser(h.remoteUser('ada')!.id, { attributes: { givenName: 'Augusta' } });
    const json = await run('--target', 'app', '--json', '--fix', '--dry-run');
    expect(json.code).toBe(3);
    const report = JSON.parse(json.stdout);
    expect(report).toMatchObject({ target: 'app', mode: 'fix', dryRun: true, verdict: 'drift', findings: [{ kind: 'attribute-drift', fix: 'planned' }] });
    expect(h.store.queue.list({ target: 'app' })).toEqual([]);

    const fixed = await run('--target', 'app', '--fix');
    expect(fixed.code).toBe(0);
    expect(fixed.stdout).toMatch(/^reconcile app: fixed \(fix\)/m);
    expect(h.store.queue.list({ target: 'app' }).map((item) => item.subject_kind)).toEqual(['user']);
  });

  it('--list and --show read stored runs without touching the target', async () => {
    h.directory().updateUser(h.remoteUser('ada')!.id, { attributes: { givenName: 'Augusta' } });
    const first = JSON.parse((await run('--target', 'app', '--json')).stdout);
    await run('--target', 'app', '--fix');
    h.directory().resetCounts();
    const list = await run('--list');
    expect(list.code).toBe(0);
    const rows = list.stdout.trim().split('\n');
    expect(rows[0]).toMatch(/^RUN\s+TARGET\s+MODE\s+TRIGGER\s+STARTED\s+STATUS\s+VERDICT\s+FINDINGS$/);
    expect(rows.slice(1).map((row) => row.split(/\s+/).slice(1, 8).filter((cell) => !/^\d{4}-/.test(cell)))).toEqual([
      ['app', 'fix', 'cli', 'succeeded', 'fixed', '1'],
      ['app', 'report', 'cli', 'succeeded', 'drift', '1'],
    ]);
    const shown = await run('--show', first.id, '--json');
    expect(JSON.parse(shown.stdout)).toMatchObject({ id: first.id, verdict: 'drift', findings: [{ kind: 'attribute-drift' }] });
    expect((await run('--show', 'nope')).stderr).toMatch(/no reconciliation run nope/);
    expect(h.directory().requestCount()).toBe(0);
    expect((await run()).code).toBe(2);
  });

  it('prints the first 50 findings and counts the rest; --json pages through every finding into one object', async () => {
    for (let n = 0; n < 1203; n++) h.directory().createUser({ key: `stranger${n}`, active: true, attributes: {} });
    const human = await run('--target', 'app');
    const rows = human.stdout.split('\n').filter((line) => /^unmanaged-account +- +stranger/.test(line));
    expect(rows).toHaveLength(50);
    const id = /run ([0-9a-f-]{36})/.exec(human.stdout)![1];
    expect(human.stdout).toContain(`… 1153 more (npx scim-bridge reconcile --show ${id} --json for all)`);

    const json = JSON.parse((await run('--show', id, '--json')).stdout);
    expect(json).toMatchObject({ id, verdict: 'in-sync' });
    expect(json.findings.map((finding: { seq: number }) => finding.seq)).toEqual(Array.from({ length: 1203 }, (_, index) => index + 1));
  });

  it('names an unknown target and a missing database', async () => {
    const unknown = await run('--target', 'nope');
    expect(unknown.code).toBe(1);
    expect(unknown.stderr).toContain(`no target named 'nope' in ${config} (targets: app)`);
    const noConfig = await cli(['reconcile', '--db', h.dbFile, '--target', 'app']);
    expect(noConfig.code).toBe(1);
    expect(noConfig.stderr).toMatch(/none was given \(--config FILE or SCIM_BRIDGE_CONFIG\)/);
    const missing = await cli(['reconcile', '--config', config, '--db', join(tempDir('none'), 'x.db'), '--target', 'app']);
    expect(missing.code).toBe(1);
    expect(missing.stderr).toMatch(/does not exist/);
  });
});
