import { writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { memory, memoryDirectory } from '../../connectors/memory';
import type { AnyConnectorDefinition } from '../../connectors/sdk/contract';
import { defaultConfig } from '../../src/config/defaults';
import { createLogger } from '../../src/log';
import { checkTargetsAgainst } from '../../src/sync/config-check';
import { cli, tempDir } from '../cli/support/run-cli';

const dir = tempDir('sync-config-check');

function configFile(name: string, target: string): string {
  const file = join(dir, `${name}.yaml`);
  writeFileSync(file, `targets:\n${target}`);
  return file;
}

describe('config check for targets', () => {
  it('runs each connector\'s check() and reports it', async () => {
    const file = configFile('good', '  - name: saas\n    connector: memory\n    config: { directory: check-good }\n    attributes: { title: title }\n');
    const run = await cli(['config', 'check', '--config', file]);
    expect(run.code).toBe(0);
    expect(run.stdout).toMatch(/^ok {3}target saas: directory check-good reachable, 0 users$/m);
  });

  it('fails on a connector whose credentials are rejected, without throwing or leaking the token', async () => {
    memoryDirectory('check-locked', { credential: 'the-right-token' });
    const file = configFile('locked', '  - name: saas\n    connector: memory\n    config: { directory: check-locked, token: wrong-token-1234 }\n');
    const run = await cli(['config', 'check', '--config', file]);
    expect(run.code).toBe(1);
    expect(run.stdout).toMatch(/^FAIL target saas: .*rejected the credential/m);
    expect(run.stdout + run.stderr).not.toMatch(/wrong-token-1234|the-right-token/);
  });

  it('names the path of an attribute expression or scope filter that does not compile', async () => {
    const file = configFile('bad', '  - name: saas\n    connector: memory\n    config: { directory: check-bad }\n    scope: { all: true, filter: "userType eq" }\n    attributes: { email: "emails[type eq].value" }\n');
    const run = await cli(['config', 'check', '--config', file]);
    expect(run.code).toBe(1);
    expect(run.stdout).toMatch(/^FAIL targets: targets\[0\]\.attributes\.email: /m);
    expect(run.stdout).toMatch(/^FAIL targets: targets\[0\]\.scope\.filter: /m);
  });

  it('fails a target that maps groups onto a connector without groups', async () => {
    const usersOnly: AnyConnectorDefinition = {
      ...memory,
      kind: 'users-only',
      create: (config, env) => ({ ...memory.create(config, env), groups: undefined }),
    };
    const config = {
      ...defaultConfig(),
      targets: [{ name: 'hr', connector: 'users-only', config: { directory: 'users-only' }, groups: [{ scim: 'Staff', target: 'staff' }] }],
    };
    const results = await checkTargetsAgainst([usersOnly], config, createLogger({ silent: true }));
    expect(results).toEqual([{ subject: 'target hr', ok: false, message: 'groups are mapped but connector users-only has no groups' }]);
  });
});
