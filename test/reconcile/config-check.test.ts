import { writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { cli, tempDir } from '../cli/support/run-cli';

describe('config check and reconcile blocks', () => {
  const dir = tempDir('reconcile-config');
  const check = (reconcile: string) => {
    const file = join(dir, `c-${Math.random().toString(36).slice(2)}.yaml`);
    writeFileSync(file, `targets:\n  - name: app\n    connector: memory\n    config: { directory: config-check-reconcile }\n    reconcile: ${reconcile}\n`);
    return cli(['config', 'check', '--config', file]).then((result) => ({ ...result, file }));
  };

  it('reports each scheduled reconciliation, and names a bad cron expression or time zone', async () => {
    const good = await check('{ schedule: "0 3 * * *", mode: fix, maxDeletes: "5%", timezone: Europe/Berlin }');
    expect(good.code).toBe(0);
    expect(good.stdout).toMatch(/reconcile app.*fix on "0 3 \* \* \*" \(Europe\/Berlin\), maxDeletes 5%/);
    const bad = await check('{ schedule: "every night at 3", timezone: Mars/Olympus }');
    expect(bad.code).toBe(1);
    expect(bad.stdout + bad.stderr).toMatch(/targets\[0\]\.reconcile\.schedule: 'every night at 3' is not a cron expression/);
    expect(bad.stdout + bad.stderr).toMatch(/targets\[0\]\.reconcile\.timezone: 'Mars\/Olympus' is not an IANA time zone/);
    const schema = await check('{ mode: delete, maxDeletes: "lots" }');
    expect(schema.code).toBe(1);
    expect(schema.stdout + schema.stderr).toMatch(/reconcile\.mode/);
  });

  it('says valid only when every check passed, as its last line', async () => {
    const good = await check('{ schedule: "0 3 * * *" }');
    expect(good.stdout.trim().split('\n').at(-1)).toMatch(/: valid \(1 target: app \(memory\)\)$/);
    const bad = await check('{ schedule: "every night at 3" }');
    expect(bad.code).toBe(1);
    expect(bad.stdout).not.toMatch(/valid/);
    expect(bad.stdout).toMatch(/^FAIL reconcile: targets\[0\]\.reconcile\.schedule/m);
    expect(bad.stderr).toMatch(/: invalid: 1 check failed$/m);
  });

  it('names what is wrong with a limit once, in words: no "must be string" for a negative count', async () => {
    const negative = await check('{ maxDeletes: -1, maxMembershipRemovals: "150%" }');
    expect(negative.code).toBe(1);
    expect(negative.stderr).toBe(`invalid config file ${negative.file}:\n  - targets[0].reconcile.maxDeletes: must be >= 0\n`);
    const wrongType = await check('{ maxMembershipRemovals: true }');
    expect(wrongType.stderr).toMatch(/^ {2}- targets\[0\]\.reconcile\.maxMembershipRemovals: must be integer or string$/m);
    const share = await check('{ maxMembershipRemovals: "150%" }');
    expect(share.stdout + share.stderr).toMatch(/targets\[0\]\.reconcile\.maxMembershipRemovals: must be a count \(e\.g\. 50\) or a percentage from 0% to 100%/);
  });
});
