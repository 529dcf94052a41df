import { mkdtempSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { PassThrough } from 'node:stream';
import { runCli } from '../../src/cli/program';
import { Store } from '../../src/store';

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

function database(): { db: string; alice: string } {
  const db = join(mkdtempSync(join(tmpdir(), 'sb-cli-')), 'bridge.db');
  const store = Store.open(db);
  const idp = { actor: 'okta', requestId: 'r1', source: 'scim' as const };
  const alice = store.users.create({ userName: 'alice@example.com', active: true }, idp).id;
  store.users.create({ userName: 'bob@example.com', active: true }, idp);
  store.groups.create({ displayName: 'Contractors' }, [], idp);
  store.close();
  return { db, alice };
}

const create = (db: string, ...extra: string[]) =>
  cli(db, 'grant', 'create', '--user', 'alice@example.com', '--group', 'Contractors', '--reason', 'project', '--requester', 'bob@example.com', ...extra);

describe('grant, access, identity and evidence commands', () => {
  it('creates, lists and revokes a grant and shows it in the access report and evidence', async () => {
    const { db, alice } = database();
    const created = await create(db, '--duration', 'P30D');
    expect(created.code).toBe(0);
    const grant = JSON.parse(created.stdout);
    expect(grant).toMatchObject({ state: 'active', user_id: alice, requested_by: 'cli:tester', requester: 'bob@example.com' });
    expect(created.stderr).toMatch(/^warning: no target maps or scopes by group 'Contractors'/);

    const listed = await cli(db, 'grant', 'list', '--json', '--state', 'active', '--user', 'ALICE@example.com', '--group', 'contractors');
    expect(listed.stdout.trim().split('\n').map((line) => JSON.parse(line).id)).toEqual([grant.id]);
    const table = (await cli(db, 'grant', 'list')).stdout.trim().split('\n');
    expect(table[0]).toMatch(/^ID\s+USER\s+GROUP\s+STATE\s+REQUESTER\s+APPROVER\s+EXPIRES\s+FLAG$/);
    expect(table[1]).toContain('alice@example.com  Contractors  active  bob@example.com');

    const report = await cli(db, 'access', 'report', '--format', 'csv', '--user', 'alice@example.com');
    expect(report.stdout).toContain(`alice@example.com,true,Contractors,grant,${grant.id},active,project,bob@example.com`);

    expect((await cli(db, 'grant', 'revoke', grant.id, '--reason', 'done')).code).toBe(0);
    const trail = await cli(db, 'evidence', `grant:${grant.id}`);
    expect(trail.stdout.trim().split('\n').map((line) => JSON.parse(line).kind)).toEqual(['grant.requested', 'grant.activated', 'grant.revoked']);
  });

  it("sweeps on demand through the same sweeper as serve: a leaver's grant ends", async () => {
    const { db, alice } = database();
    const grant = JSON.parse((await create(db, '--duration', 'PT1H')).stdout);
    const store = Store.open(db);
    store.users.replace(alice, { userName: 'alice@example.com', active: false }, { actor: 'okta', requestId: 'r2', source: 'scim' });
    store.close();
    const swept = await cli(db, 'grant', 'sweep');
    expect(swept.code).toBe(0);
    expect(JSON.parse(swept.stdout)).toMatchObject({ grantsEnded: [grant.id] });
    expect(swept.stderr).toMatch(/grantsEnded: 1/);
  });

  it('sets identity fields with the admin API rules', async () => {
    const { db } = database();
    const set = await cli(db, 'identity', 'set', 'alice@example.com', '--type', 'contractor', '--sponsor', 'bob@example.com', '--expires', '2030-01-01T00:00:00Z');
    expect(set.code).toBe(0);
    expect(JSON.parse(set.stdout)).toMatchObject({ identity: { identityType: 'contractor', expiresAt: '2030-01-01T00:00:00.000Z' }, names: { sponsor: 'bob@example.com' } });
    const broken = await cli(db, 'identity', 'set', 'alice@example.com', '--unset', 'sponsor');
    expect(broken.code).toBe(1);
    expect(broken.stderr).toBe('a contractor identity requires sponsor\n');
    expect((await cli(db, 'identity', 'set', 'alice@example.com', '--unset', 'colour')).code).toBe(2);
  });

  it('explains bad input with a non-zero exit', async () => {
    const { db } = database();
    const both = await create(db, '--duration', 'PT1H', '--expires', '2030-01-01T00:00:00Z');
    expect(both.code).not.toBe(0);
    expect(both.stderr).toMatch(/exactly one of --duration and --expires/);
    const unknown = await cli(db, 'grant', 'create', '--user', 'nobody', '--group', 'g', '--reason', 'r', '--requester', 'b', '--duration', 'PT1H');
    expect(unknown.stderr).toBe("user 'nobody' not found\n");
    const huge = await create(db, '--duration', 'P99999999W');
    expect(huge.stderr).toBe('duration P99999999W is too long: the grant would end after the year 9999\n');
    const target = await cli(db, 'access', 'report', '--target', 'nosuch');
    expect(target).toMatchObject({ code: 1, stderr: "unknown target 'nosuch'; known targets: (none)\n" });
    expect((await cli(db, 'evidence', 'bogus')).code).not.toBe(0);
  });
});
