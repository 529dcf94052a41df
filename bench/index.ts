import { spawnSync } from 'node:child_process';
import { join } from 'node:path';

/** Every benchmark, in the order `npm run bench` runs them: name → compiled entry point beside this file. */
const BENCHES: Record<string, string> = {
  scim: 'run.js',
  sync: 'sync.js',
  reconcile: 'reconcile.js',
};

/**
 * `npm run bench [-- NAME...]`: runs the named benchmarks (all of them without a name) one after another,
 * each in its own process so one's heap and RSS never colour the next. Exits non-zero if one fails.
 */
function main(names: string[]): number {
  const unknown = names.filter((name) => !(name in BENCHES));
  if (unknown.length) {
    process.stderr.write(`unknown benchmark ${unknown.join(', ')} (known: ${Object.keys(BENCHES).join(', ')})\n`);
    return 2;
  }
  for (const name of names.length ? names : Object.keys(BENCHES)) {
    process.stdout.write(`\n== bench ${name} ==\n`);
    const run = spawnSync(process.execPath, ['--expose-gc', join(__dirname, BENCHES[name])], { stdio: 'inherit' });
    if (run.status !== 0) {
      process.stderr.write(`bench ${name} failed (${run.status ?? run.signal})\n`);
      return 1;
    }
  }
  return 0;
}

process.exitCode = main(process.argv.slice(2));
