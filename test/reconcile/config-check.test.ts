import { writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { cli, tempDir } from '../cli/support/run-cli';

describe('config check and reconcile blocks', () => {
  const dir = tempDir('reconcile-config');
  const check = (reconcile: string) => {
    const file = join(dir, `c-${Math.random().toString(36).slice(2)}.yaml`);
    writeFileSync(file, `targets:\n  - name: app\n    connector: memory\n    config: { directory: config-check-reconcile }\n    reconcile: ${reconcile}\n`);
    return cli(['config', 'check', '--config', file]);
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
});
