import { spawnSync } from 'node:child_process';
import { existsSync } from 'node:fs';
import { join, resolve } from 'node:path';

const REPO = resolve(__dirname, '../../..');

/**
 * Compiles the project into its own folder under dist/ (so parallel test files and `npm run build`
 * never overwrite each other) and returns the compiled CLI entry point. Type errors are `npm test`'s
 * typecheck step's to report; here only a missing entry point fails.
 */
export function buildCli(label: string): string {
  const outDir = join(REPO, 'dist', `.test-${label}`);
  const tsc = spawnSync(process.execPath, [require.resolve('typescript/bin/tsc'), '-p', 'tsconfig.build.json', '--outDir', outDir], {
    cwd: REPO,
    encoding: 'utf8',
  });
  const main = join(outDir, 'src', 'main.js');
  if (!existsSync(main)) throw new Error(`build failed:\n${tsc.stdout}${tsc.stderr}`);
  return main;
}
