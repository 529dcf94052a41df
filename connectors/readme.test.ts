import { existsSync, readFileSync } from 'node:fs';
import { join } from 'node:path';

/**
 * connectors/README.md is what connector authors copy from, so its snippets must stay true to the code: each
 * snippet headed `// connectors/<file>` only calls names that file has, and the registry line lists what
 * connectors/index.ts registers.
 */

const root = join(__dirname, '..');
const readme = readFileSync(join(__dirname, 'README.md'), 'utf8');

const snippets = [...readme.matchAll(/```ts\n\/\/ (connectors\/\S+)[^\n]*\n([\s\S]*?)```/g)].map(([, file, body]) => ({ file, body }));

function wordsOf(source: string): Set<string> {
  return new Set(source.match(/[A-Za-z_$][\w$]*/g) ?? []);
}

describe('connectors/README.md', () => {
  it('has snippets that name their source file', () => {
    expect(snippets.length).toBeGreaterThanOrEqual(5);
    expect(snippets.filter(({ file }) => !existsSync(join(root, file))).map(({ file }) => file)).toEqual([]);
  });

  it.each(snippets.map(({ file, body }) => [file, body]))('calls only what %s has', (file, body) => {
    const words = wordsOf(readFileSync(join(root, file), 'utf8'));
    const called = [...new Set([...body.matchAll(/([A-Za-z_$][\w$]*)\s*\(/g)].map(([, name]) => name))];
    expect(called.filter((name) => !words.has(name))).toEqual([]);
  });

  it('lists the registry as connectors/index.ts has it', () => {
    const registry = (text: string) => /connectors: AnyConnectorDefinition\[\] = \[([^\]]*)\]/.exec(text)?.[1].replace(/\/\*.*?\*\//g, '').split(',').map((name) => name.trim()).filter(Boolean);
    expect(registry(readme)).toEqual(registry(readFileSync(join(__dirname, 'index.ts'), 'utf8')));
  });
});
