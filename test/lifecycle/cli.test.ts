import { mkdtempSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { PassThrough } from 'node:stream';
import { runCli } from '../../src/cli/program';
import { Store } from '../../src/store';
import { Users } from '../../src/store/users';

function capture() {
  const stdout = new PassThrough();
  const stderr = new PassThrough();
  let out = '';
  let err = '';
  stdout.on('data', (chunk) => (out += chunk));
  stderr.on('data', (chunk) => (err += chunk));
  return { io: { stdout, stderr, env: { USER: 'tester' } as NodeJS.ProcessEnv }, out: () => out, err: () => err };
}

async function cli(db: string, ...args: string[]) {
  const streams = capture();
  const code = await runCli([...args, '--db', db], streams.io);
  return { code, stdout: streams.out(), stderr: streams.err() };
}

describe('grant, access and evidence commands', () => {
  it('creates, lists and revokes a grant and shows it in the access report and evidence', async () => {
    const db = join(mkdtempSync(join(tmpdir(), 'sb-cli-')), 'bridge.db');
    const store = Store.open(db);
    const user = new Users(store.db, store.changes).create({ userName: 'alice@example.com', active: true }, { actor: 'okta', requestId: 'r1', source: 'scim' });
    store.db.prepare(`INSERT INTO groups (id, display_name, resource, created, last_modified) VALUES ('g1', 'Contractors', '{}', 'x', 'x')`).run();
    store.close();

    const created = await cli(db, 'grant', 'create', '--user', 'alice@example.com', '--group', 'Contractors', '--reason', 'project', '--requester', 'bob', '--duration', 'P30D');
    expect(created.code).toBe(0);
    const grant = JSON.parse(created.stdout);
    expect(grant).toMatchObject({ state: 'active', user_id: user.id, requested_by: 'cli:tester' });

    const listed = await cli(db, 'grant', 'list', '--json', '--state', 'active');
    expect(listed.stdout.trim().split('\n').map((line) => JSON.parse(line).id)).toEqual([grant.id]);

    const report = await cli(db, 'access', 'report', '--format', 'csv', '--user', 'alice@example.com');
    expect(report.stdout).toContain(`Contractors,grant,${grant.id},project,bob`);

    expect((await cli(db, 'grant', 'revoke', grant.id, '--reason', 'done')).code).toBe(0);
    const trail = await cli(db, 'evidence', `grant:${grant.id}`);
    expect(trail.stdout.trim().split('\n').map((line) => JSON.parse(line).kind)).toEqual(['grant.requested', 'grant.activated', 'grant.revoked']);
  });

  it('explains bad input with a non-zero exit', async () => {
    const db = join(mkdtempSync(join(tmpdir(), 'sb-cli-')), 'bridge.db');
    Store.open(db).close();
    const both = await cli(db, 'grant', 'create', '--user', 'a', '--group', 'g', '--reason', 'r', '--requester', 'b', '--duration', 'PT1H', '--expires', '2030-01-01T00:00:00Z');
    expect(both.code).not.toBe(0);
    expect(both.stderr).toMatch(/exactly one of --duration and --expires/);
    const unknown = await cli(db, 'grant', 'create', '--user', 'nobody', '--group', 'g', '--reason', 'r', '--requester', 'b', '--duration', 'PT1H');
    expect(unknown.stderr).toMatch(/user 'nobody' not found/);
    expect((await cli(db, 'evidence', 'bogus')).code).not.toBe(0);
  });
});
