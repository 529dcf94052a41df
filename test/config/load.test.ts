import { mkdtempSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import type { ConnectorDefinition } from '../../connectors/sdk/contract';
import { loadConfig } from '../../src/config/load';
import { InvalidConfigError } from '../../src/config/errors';

const dir = mkdtempSync(join(tmpdir(), 'scim-bridge-config-'));
let fileCount = 0;

function configFile(text: string, extension = 'yaml'): string {
  const file = join(dir, `config-${++fileCount}.${extension}`);
  writeFileSync(file, text);
  return file;
}

function problemsOf(load: () => unknown): string[] {
  try {
    load();
  } catch (error) {
    if (error instanceof InvalidConfigError) return error.problems;
    throw error;
  }
  throw new Error('expected an InvalidConfigError');
}

/** A connector definition with a real schema; create() is never reached by config loading. */
const tokenConnector: ConnectorDefinition<{ token: string; org: string }> = {
  kind: 'token-target',
  displayName: 'Token target',
  configSchema: {
    type: 'object',
    properties: { token: { type: 'string', minLength: 8 }, org: { type: 'string' } },
    required: ['token', 'org'],
    additionalProperties: false,
  },
  mapping: { user: { key: 'userName', attributes: {} } },
  create: () => {
    throw new Error('not used by config loading');
  },
};

describe('loadConfig', () => {
  it('uses the documented defaults with no file and no environment', () => {
    expect(loadConfig({ env: {} })).toMatchObject({
      server: { port: 8080, host: '0.0.0.0' },
      database: { file: './data/scim-bridge.db' },
      scim: { maxBulkOperations: 1000, maxPayloadBytes: 1_048_576, maxResults: 1000 },
      targets: [],
    });
  });

  it('reads YAML and JSON files, keeping defaults for keys they leave out', () => {
    const yaml = configFile('server:\n  port: 9000\ntargets:\n  - name: mem\n    connector: memory\n');
    const json = configFile(JSON.stringify({ database: { file: '/tmp/x.db' }, scim: { maxResults: 50 } }), 'json');
    const fromYaml = loadConfig({ file: yaml, env: {} });
    expect(fromYaml.server).toEqual({ port: 9000, host: '0.0.0.0' });
    expect(fromYaml.targets).toEqual([{ name: 'mem', connector: 'memory', config: {} }]);
    const fromJson = loadConfig({ file: json, env: {} });
    expect(fromJson.database.file).toBe('/tmp/x.db');
    expect(fromJson.scim).toEqual({ maxBulkOperations: 1000, maxPayloadBytes: 1_048_576, maxResults: 50 });
  });

  it('lets flags beat the environment, the environment beat the file and the file beat the defaults', () => {
    const file = configFile('server:\n  port: 9000\ndatabase:\n  file: from-file.db\n');
    expect(loadConfig({ file, env: {} })).toMatchObject({ server: { port: 9000 }, database: { file: 'from-file.db' } });
    const env = { SCIM_BRIDGE_PORT: '9100', SCIM_BRIDGE_DB: 'from-env.db' };
    expect(loadConfig({ file, env })).toMatchObject({ server: { port: 9100 }, database: { file: 'from-env.db' } });
    expect(loadConfig({ file, env, overrides: { port: 0, dbFile: 'from-flag.db' } })).toMatchObject({
      server: { port: 0 },
      database: { file: 'from-flag.db' },
    });
  });

  it('finds the file through SCIM_BRIDGE_CONFIG, and an explicit file beats it', () => {
    const fromEnv = configFile('server:\n  port: 9200\n');
    const explicit = configFile('server:\n  port: 9300\n');
    expect(loadConfig({ env: { SCIM_BRIDGE_CONFIG: fromEnv } }).server.port).toBe(9200);
    expect(loadConfig({ file: explicit, env: { SCIM_BRIDGE_CONFIG: fromEnv } }).server.port).toBe(9300);
  });

  it('names the path and the problem of every schema violation at once', () => {
    const file = configFile('server:\n  prot: 1\n  port: "high"\nscim:\n  maxResults: 0\ntargets:\n  - connector: memory\n');
    expect(problemsOf(() => loadConfig({ file, env: {} })).sort()).toEqual([
      'scim.maxResults: must be >= 1',
      'server.port: must be integer',
      'server.prot: is not a known setting (known: port, host, baseUrl)',
      'targets[0].name: is required',
    ]);
  });

  it('rejects a bad SCIM_BRIDGE_PORT by name', () => {
    expect(problemsOf(() => loadConfig({ env: { SCIM_BRIDGE_PORT: '70000' } }))).toEqual([
      'SCIM_BRIDGE_PORT: must be an integer from 0 to 65535',
    ]);
  });

  it('reports an unreadable file and unparsable YAML without quoting the file', () => {
    expect(problemsOf(() => loadConfig({ file: join(dir, 'missing.yaml'), env: {} }))[0]).toMatch(/missing\.yaml \(ENOENT\)/);
    const broken = configFile('server: {port: 1\nsecret-looking-line: hunter2-secret\n');
    const [problem] = problemsOf(() => loadConfig({ file: broken, env: {} }));
    expect(problem).toMatch(/^not valid YAML or JSON: /);
    expect(problem).not.toContain('hunter2');
  });
});

describe('secret references', () => {
  it('replaces ${env:NAME} and ${file:PATH} values, dropping one trailing newline from files', () => {
    const secretFile = join(dir, 'org-secret');
    writeFileSync(secretFile, 'acme-org\n');
    const file = configFile('targets:\n  - name: t1\n    connector: token-target\n    config:\n' +
      `      token: \${env:T1_TOKEN}\n      org: \${file:${secretFile}}\n`);
    const config = loadConfig({ file, env: { T1_TOKEN: 'tok-123456789' }, connectors: [tokenConnector] });
    expect(config.targets[0].config).toEqual({ token: 'tok-123456789', org: 'acme-org' });
  });

  it('names the path and the variable or file that is missing', () => {
    const file = configFile('targets:\n  - name: t1\n    connector: token-target\n    config:\n' +
      `      token: \${env:T1_TOKEN}\n      org: \${file:${join(dir, 'no-such-secret')}}\n`);
    expect(problemsOf(() => loadConfig({ file, env: {}, connectors: [tokenConnector] }))).toEqual([
      'targets[0].config.token: environment variable T1_TOKEN is not set',
      `targets[0].config.org: cannot read secret file ${join(dir, 'no-such-secret')} (ENOENT)`,
    ]);
  });

  it('never puts a resolved secret into an error message', () => {
    const file = configFile('server:\n  host: ${env:HOST_SECRET}\n  port: ${env:PORT_SECRET}\ntargets:\n' +
      '  - name: t1\n    connector: token-target\n    config:\n      token: ${env:SHORT}\n      org: x\n      extra: ${env:EXTRA}\n');
    const env = { HOST_SECRET: 'h', PORT_SECRET: 'port-s3cret-value', SHORT: 'sh0rt', EXTRA: 'extra-s3cret' };
    const problems = problemsOf(() => loadConfig({ file, env, connectors: [tokenConnector] }));
    expect(problems).toEqual(['server.port: must be integer']);
    expect(problems.join('\n')).not.toContain('s3cret');
    const valid = configFile('targets:\n  - name: t1\n    connector: token-target\n    config:\n      token: ${env:SHORT}\n      org: x\n      extra: ${env:EXTRA}\n');
    const targetProblems = problemsOf(() => loadConfig({ file: valid, env, connectors: [tokenConnector] }));
    expect(targetProblems.sort()).toEqual([
      'targets[0].config.extra: is not a known setting (known: token, org)',
      'targets[0].config.token: must NOT have fewer than 8 characters',
    ]);
    expect(targetProblems.join('\n')).not.toMatch(/sh0rt|s3cret/);
  });
});

describe('targets against the connector registry', () => {
  it('names unknown connectors with the known ones', () => {
    const file = configFile('targets:\n  - name: a\n    connector: nope\n');
    expect(problemsOf(() => loadConfig({ file, env: {}, connectors: [tokenConnector] }))).toEqual([
      'targets[0].connector: must be one of token-target',
    ]);
  });

  it('names duplicate target names', () => {
    const target = '    connector: token-target\n    config: { token: "12345678", org: o }\n';
    const file = configFile(`targets:\n  - name: a\n${target}  - name: a\n${target}`);
    expect(problemsOf(() => loadConfig({ file, env: {}, connectors: [tokenConnector] }))).toEqual([
      "targets[1].name: 'a' is already the name of targets[0]",
    ]);
  });

  it('checks a missing config block against the connector schema', () => {
    const file = configFile('targets:\n  - name: a\n    connector: token-target\n');
    expect(problemsOf(() => loadConfig({ file, env: {}, connectors: [tokenConnector] })).sort()).toEqual([
      'targets[0].config.org: is required',
      'targets[0].config.token: is required',
    ]);
  });
});

describe('all problems in one pass', () => {
  it('reports an unknown connector together with the other schema problems', () => {
    const file = configFile('server:\n  port: high\ntargets:\n  - name: a\n    connector: nope\n');
    expect(problemsOf(() => loadConfig({ file, env: {}, connectors: [tokenConnector] })).sort()).toEqual([
      'server.port: must be integer',
      'targets[0].connector: must be one of token-target',
    ]);
  });
});

describe('a choice between object shapes (scope: all or groups)', () => {
  const scoped = (scope: string) => configFile(`targets:\n  - name: a\n    connector: memory\n    scope: ${scope}\n`);

  it.each([
    ['neither key', '{filter: "userName eq \\"x\\""}', ['targets[0].scope: must have exactly one of: all, groups']],
    ['both keys', '{all: true, groups: [x]}', ['targets[0].scope: must have exactly one of: all, groups (it has all, groups)']],
    ['neither key and an unknown one', '{filtr: x}', [
      'targets[0].scope: must have exactly one of: all, groups',
      'targets[0].scope.filtr: is not a known setting (known: all, filter, groups)',
    ]],
    ['the groups shape with an unknown key', '{groups: [x], filtr: x}', ['targets[0].scope.filtr: is not a known setting (known: groups, filter)']],
    ['the all shape with a wrong value', '{all: false}', ['targets[0].scope.all: must be true']],
    ['the groups shape with a bad filter', '{groups: [x], filter: ""}', ['targets[0].scope.filter: must NOT have fewer than 1 characters']],
  ])('with %s names the real problem, not every branch\'s', (_label, scope, problems) => {
    expect(problemsOf(() => loadConfig({ file: scoped(scope), env: {} }))).toEqual(problems);
  });

  it('leaves a valid choice valid', () => {
    expect(loadConfig({ file: scoped('{groups: [x], filter: "userName eq \\"x\\""}'), env: {} }).targets[0].scope).toEqual({ groups: ['x'], filter: 'userName eq "x"' });
  });
});

describe('a connector schema choosing between keys beside other settings', () => {
  /** Like google-workspace: exactly one of two credential keys, next to ordinary settings. */
  const keyConnector = {
    ...tokenConnector,
    kind: 'key-target',
    configSchema: {
      type: 'object',
      additionalProperties: false,
      required: ['admin'],
      oneOf: [{ type: 'object', properties: { key: { type: 'string' } }, required: ['key'] }, { type: 'object', properties: { keyFile: { type: 'string' } }, required: ['keyFile'] }],
      properties: { key: { type: 'string' }, keyFile: { type: 'string' }, admin: { type: 'string' } },
    },
  };
  const target = (config: string) => configFile(`targets:\n  - name: a\n    connector: key-target\n    config: ${config}\n`);

  it.each([
    ['neither key', '{admin: a}', ['targets[0].config: must have exactly one of: key, keyFile']],
    ['both keys', '{admin: a, key: k, keyFile: f}', ['targets[0].config: must have exactly one of: key, keyFile (it has key, keyFile)']],
  ])('with %s says so, without calling its other settings unknown', (_label, config, problems) => {
    expect(problemsOf(() => loadConfig({ file: target(config), env: {}, connectors: [keyConnector] }))).toEqual(problems);
  });
});

describe('a missing secret does not hide the other problems', () => {
  it('reports it with the target config problems, but not what the empty stand-in breaks', () => {
    const file = configFile('targets:\n  - name: t1\n    connector: token-target\n    config:\n      token: ${env:T1_TOKEN}\n      extra: ${env:EXTRA}\n');
    expect(problemsOf(() => loadConfig({ file, env: {}, connectors: [tokenConnector] })).sort()).toEqual([
      'targets[0].config.extra: environment variable EXTRA is not set',
      'targets[0].config.extra: is not a known setting (known: token, org)',
      'targets[0].config.org: is required',
      'targets[0].config.token: environment variable T1_TOKEN is not set',
    ]);
  });

  it('stops before the target configs when the structure itself is wrong', () => {
    const file = configFile('server:\n  port: high\ntargets:\n  - name: t1\n    connector: token-target\n    config:\n      token: ${env:T1_TOKEN}\n');
    expect(problemsOf(() => loadConfig({ file, env: {}, connectors: [tokenConnector] }))).toEqual([
      'targets[0].config.token: environment variable T1_TOKEN is not set',
      'server.port: must be integer',
    ]);
  });
});
