import { spawnSync } from 'node:child_process';
import { existsSync, readdirSync } from 'node:fs';
import { join } from 'node:path';

/**
 * Judges and ops teams drive fakes from plain node scripts, where @jest/globals throws on import. Each fake
 * (and the memory directory, the memory connector's fake) is loaded here in a child node without jest, its
 * TypeScript transpiled on the fly, so an import that reaches the conformance suite fails this test.
 */

const connectorsDir = join(__dirname, '..');

const fakes = [
  join(connectorsDir, 'memory', 'index.ts'),
  ...readdirSync(connectorsDir)
    .map((name) => join(connectorsDir, name, 'fake.ts'))
    .filter((file) => existsSync(file)),
];

/** Registers a .ts loader (typescript's transpileModule) and requires the file given as argv[1]. */
const LOAD_WITHOUT_JEST = `
const { readFileSync } = require('node:fs');
const ts = require('typescript');
require.extensions['.ts'] = (module, filename) => {
  const { outputText } = ts.transpileModule(readFileSync(filename, 'utf8'), {
    fileName: filename,
    compilerOptions: { module: ts.ModuleKind.CommonJS, target: ts.ScriptTarget.ES2022, esModuleInterop: true },
  });
  module._compile(outputText, filename);
};
const loaded = require(process.argv[1]);
process.stdout.write(Object.keys(loaded).sort().join(','));
`;

describe('fakes load in plain node, without jest', () => {
  it('finds the fakes of every connector', () => {
    expect(fakes.map((file) => file.slice(connectorsDir.length + 1)).sort()).toEqual(
      expect.arrayContaining(['kit/fake.ts', 'memory/index.ts', 'scim/fake.ts', 'github/fake.ts', 'google-workspace/fake.ts', 'aws-iam/fake.ts']),
    );
  });

  it.each(fakes.map((file) => [file.slice(connectorsDir.length + 1), file]))('%s', (_name, file) => {
    const child = spawnSync(process.execPath, ['-e', LOAD_WITHOUT_JEST, file], { encoding: 'utf8', timeout: 60_000, env: { ...process.env, JEST_WORKER_ID: '' } });
    expect({ status: child.status, stderr: child.stderr.split('\n').find((line) => /Error/.test(line)) }).toEqual({ status: 0, stderr: undefined });
    expect(child.stdout.length).toBeGreaterThan(0);
  });
});
