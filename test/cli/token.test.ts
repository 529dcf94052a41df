import { existsSync, readFileSync } from 'node:fs';
import { join } from 'node:path';
import { Store } from '../../src/store';
import { Tokens } from '../../src/store/tokens';
import { cli, tempDir } from './support/run-cli';

describe('scim-bridge token', () => {
  const db = join(tempDir('token'), 'bridge.db');

  it('create prints only the new token, which then authenticates with its scope', async () => {
    const run = await cli(['token', 'create', '--name', 'entra', '--db', db]);
    expect(run).toMatchObject({ code: 0, stderr: '' });
    expect(run.stdout).toMatch(/^sb_[A-Za-z0-9_-]{43}\n$/);
    const admin = await cli(['token', 'create', '--name', 'ops', '--scope', 'admin', '--db', db]);
    const store = Store.open(db);
    try {
      const tokens = new Tokens(store.db);
      expect(tokens.verify(run.stdout.trim())).toEqual({ name: 'entra', scope: 'scim' });
      expect(tokens.verify(admin.stdout.trim())).toEqual({ name: 'ops', scope: 'admin' });
    } finally {
      store.close();
    }
  });

  it('stores no plaintext token in the database file or the ledger', async () => {
    const { stdout } = await cli(['token', 'create', '--name', 'okta', '--db', db]);
    const secret = stdout.trim();
    for (const file of [db, `${db}-wal`].filter((candidate) => existsSync(candidate))) {
      expect(readFileSync(file).includes(Buffer.from(secret))).toBe(false);
      expect(readFileSync(file).includes(Buffer.from(secret.slice(3)))).toBe(false);
    }
    const exported = await cli(['ledger', 'export', '--db', db]);
    const created = exported.stdout.trim().split('\n').map((line) => JSON.parse(line)).find((row) => row.subject === 'token:okta');
    expect(created).toMatchObject({ kind: 'token.created', actor: 'cli', source: 'cli', after: JSON.stringify({ name: 'okta', scope: 'scim' }) });
    expect(exported.stdout).not.toContain(secret.slice(3));
  });

  it('list shows names, scopes and status but no secrets', async () => {
    const { stdout: secret } = await cli(['token', 'create', '--name', 'listed', '--db', db]);
    const table = await cli(['token', 'list', '--db', db]);
    expect(table.code).toBe(0);
    expect(table.stdout.split('\n')[0]).toMatch(/^NAME\s+SCOPE\s+CREATED\s+LAST USED\s+STATUS$/);
    expect(table.stdout).toMatch(/^listed\s+scim\s+\S+\s+never\s+active$/m);
    expect(table.stdout).toMatch(/^ops\s+admin\s/m);
    expect(table.stdout).not.toContain(secret.trim().slice(3));
    const json = await cli(['token', 'list', '--json', '--db', db]);
    const listed = json.stdout.trim().split('\n').map((line) => JSON.parse(line));
    expect(listed.find((t) => t.name === 'listed')).toEqual({
      name: 'listed', scope: 'scim', created_at: expect.any(String), last_used_at: null, revoked_at: null,
    });
    expect(Object.keys(listed[0]).some((key) => /hash|secret|token/.test(key))).toBe(false);
  });

  it('revoke makes the token stop working at once and is recorded', async () => {
    const { stdout } = await cli(['token', 'create', '--name', 'leaving', '--db', db]);
    const revoked = await cli(['token', 'revoke', 'leaving', '--db', db]);
    expect(revoked).toEqual({ code: 0, stdout: '', stderr: "revoked token 'leaving'\n" });
    const store = Store.open(db);
    try {
      expect(new Tokens(store.db).verify(stdout.trim())).toBeUndefined();
      expect(store.ledger.forSubject('token:leaving').map((row) => row.kind)).toEqual(['token.created', 'token.revoked']);
    } finally {
      store.close();
    }
    expect(await cli(['token', 'revoke', 'leaving', '--db', db])).toEqual({ code: 1, stdout: '', stderr: "no active token named 'leaving'\n" });
  });

  it('re-creating a revoked name is a new token; the revoked one stays listed and keeps failing', async () => {
    const { stdout: first } = await cli(['token', 'create', '--name', 'rotating', '--db', db]);
    await cli(['token', 'revoke', 'rotating', '--db', db]);
    const second = await cli(['token', 'create', '--name', 'rotating', '--db', db]);
    expect(second).toMatchObject({ code: 0, stderr: '' });
    const listed = (await cli(['token', 'list', '--json', '--db', db])).stdout.trim().split('\n').map((line) => JSON.parse(line));
    expect(listed.filter((t) => t.name === 'rotating').map((t) => t.revoked_at === null)).toEqual([false, true]);
    const store = Store.open(db);
    try {
      const tokens = new Tokens(store.db);
      expect(tokens.verify(first.trim())).toBeUndefined();
      expect(tokens.verify(second.stdout.trim())).toEqual({ name: 'rotating', scope: 'scim' });
      expect(store.ledger.forSubject('token:rotating').map((row) => row.kind)).toEqual(['token.created', 'token.revoked', 'token.created']);
    } finally {
      store.close();
    }
  });

  it('refuses a second live token with the same name, bad names and unknown scopes', async () => {
    await cli(['token', 'create', '--name', 'twice', '--db', db]);
    const again = await cli(['token', 'create', '--name', 'twice', '--db', db]);
    expect(again).toMatchObject({ code: 1, stdout: '' });
    expect(again.stderr).toMatch(/a token named 'twice' already exists/);
    expect(await cli(['token', 'create', '--name', 'has space', '--db', db])).toMatchObject({ code: 1, stdout: '', stderr: expect.stringMatching(/--name must be/) });
    const scope = await cli(['token', 'create', '--name', 'x', '--scope', 'root', '--db', db]);
    expect(scope).toMatchObject({ code: 2, stdout: '' });
    expect(scope.stderr).toMatch(/Allowed choices are scim, admin/);
    expect(await cli(['token', 'create', '--db', db])).toMatchObject({ code: 2, stderr: expect.stringMatching(/--name <name>' not specified/) });
  });

  it('finds the database through SCIM_BRIDGE_DB and refuses to invent one for list', async () => {
    expect((await cli(['token', 'list'], { SCIM_BRIDGE_DB: db })).stdout).toMatch(/^entra\s/m);
    const missing = join(tempDir('token-missing'), 'typo.db');
    expect(await cli(['token', 'list', '--db', missing])).toEqual({
      code: 1, stdout: '', stderr: `database ${missing} does not exist (use --db or SCIM_BRIDGE_DB)\n`,
    });
  });
});
