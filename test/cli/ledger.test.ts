import { readFileSync, statSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import Database from 'better-sqlite3';
import { Store } from '../../src/store';
import { cli, tempDir } from './support/run-cli';

function databaseWithEntries(count: number): string {
  const db = join(tempDir('ledger'), 'bridge.db');
  const store = Store.open(db);
  for (let i = 1; i <= count; i++) {
    store.transaction(() => store.ledger.append({ actor: 'okta', source: 'scim', requestId: `r${i}`, kind: 'user.created', subject: `user:${i}`, after: { i } }));
  }
  store.close();
  return db;
}

function tamper(db: string, sql: string): void {
  const store = Store.open(db);
  store.db.exec('DROP TRIGGER ledger_no_update; DROP TRIGGER ledger_no_delete; DROP TRIGGER ledger_append_only;');
  store.db.exec(sql);
  store.close();
}

describe('scim-bridge ledger verify', () => {
  function headOf(db: string): string {
    const store = Store.open(db);
    const head = store.ledger.head()!;
    store.close();
    return `${head.seq}:${head.hash}`;
  }

  it('exits 0 on an intact chain and prints its head for auditors to keep', async () => {
    const db = databaseWithEntries(5);
    expect(await cli(['ledger', 'verify', '--db', db])).toEqual({ code: 0, stdout: `ledger intact: 5 rows, head ${headOf(db)}\n`, stderr: '' });
  });

  it('--expect-head passes while the chain holds that head, and fails once the tail was cut', async () => {
    const db = databaseWithEntries(5);
    const anchor = headOf(db);
    expect((await cli(['ledger', 'verify', '--expect-head', anchor, '--db', db])).code).toBe(0);
    tamper(db, 'DELETE FROM ledger WHERE seq >= 4');
    expect(await cli(['ledger', 'verify', '--expect-head', anchor, '--db', db])).toEqual({
      code: 1, stdout: `ledger broken: it no longer holds the expected head ${anchor} (rows were removed or rewritten)\n`, stderr: '',
    });
    expect((await cli(['ledger', 'verify', '--expect-head', '5:abc', '--db', db])).code).toBe(2);
  });

  it('fails when users exist but the ledger was emptied', async () => {
    const db = join(tempDir('ledger-empty'), 'bridge.db');
    const store = Store.open(db);
    const user = store.users.create({ schemas: [], userName: 'alice' } as never, { actor: 'okta', requestId: 'r', source: 'scim' });
    store.close();
    tamper(db, 'DELETE FROM ledger');
    expect(await cli(['ledger', 'verify', '--db', db])).toEqual({
      code: 1, stdout: `ledger broken: user ${user.id} exists but the ledger has no user.created row for it (rows were removed)\n`, stderr: '',
    });
  });

  it.each([
    ['an empty file', '', 'is not a scim-bridge database (it has no ledger table)'],
    ['a file that is not SQLite', 'not a database '.repeat(100), 'is not a SQLite database'],
  ])('refuses %s clearly and leaves it as it was', async (_label, content, message) => {
    const file = join(tempDir('ledger-foreign'), 'bridge.db');
    writeFileSync(file, content);
    for (const command of ['verify', 'export']) {
      expect(await cli(['ledger', command, '--db', file])).toEqual({ code: 1, stdout: '', stderr: `${file} ${message}\n` });
    }
    expect(readFileSync(file, 'utf8')).toBe(content);
  });

  it('reads the file as it is: no migration runs on the database it checks', async () => {
    const db = databaseWithEntries(2);
    const raw = new Database(db);
    raw.exec('DELETE FROM schema_migrations WHERE version = (SELECT max(version) FROM schema_migrations)');
    const versions = raw.prepare('SELECT count(*) AS n FROM schema_migrations').get();
    raw.close();
    const modified = statSync(db).mtimeMs;
    expect((await cli(['ledger', 'verify', '--db', db])).code).toBe(0);
    const after = new Database(db, { readonly: true });
    expect(after.prepare('SELECT count(*) AS n FROM schema_migrations').get()).toEqual(versions);
    after.close();
    expect(statSync(db).mtimeMs).toBe(modified);
  });

  it('exits 1 and names the first row edited with raw SQL', async () => {
    const db = databaseWithEntries(5);
    tamper(db, `UPDATE ledger SET actor = 'mallory' WHERE seq = 3; UPDATE ledger SET reason = 'x' WHERE seq = 4;`);
    expect(await cli(['ledger', 'verify', '--db', db])).toEqual({
      code: 1, stdout: 'ledger broken: first bad seq 3: row content does not match its hash\n', stderr: '',
    });
  });

  it('names a deleted row', async () => {
    const db = databaseWithEntries(4);
    tamper(db, 'DELETE FROM ledger WHERE seq = 2');
    expect((await cli(['ledger', 'verify', '--db', db])).stdout).toBe('ledger broken: first bad seq 2: row 2 is missing\n');
  });

  it('fails on a database that does not exist instead of creating an empty one', async () => {
    const missing = join(tempDir('ledger-missing'), 'nope.db');
    expect(await cli(['ledger', 'verify', '--db', missing])).toMatchObject({ code: 1, stdout: '' });
  });
});

describe('scim-bridge ledger export', () => {
  it('prints every row as one JSON line, columns as stored', async () => {
    const db = databaseWithEntries(3);
    const run = await cli(['ledger', 'export', '--db', db]);
    expect(run.code).toBe(0);
    const rows = run.stdout.trim().split('\n').map((line) => JSON.parse(line));
    expect(rows.map((row) => row.seq)).toEqual([1, 2, 3]);
    expect(rows[2]).toMatchObject({ actor: 'okta', kind: 'user.created', subject: 'user:3', after: '{"i":3}', prev_hash: rows[1].hash });
  });

  it('--since SEQ gives only the rows after SEQ, and rejects a non-number', async () => {
    const db = databaseWithEntries(4);
    const run = await cli(['ledger', 'export', '--since', '2', '--db', db]);
    expect(run.stdout.trim().split('\n').map((line) => JSON.parse(line).seq)).toEqual([3, 4]);
    expect((await cli(['ledger', 'export', '--since', '4', '--db', db])).stdout).toBe('');
    const bad = await cli(['ledger', 'export', '--since', 'yesterday', '--db', db]);
    expect(bad).toMatchObject({ code: 2, stdout: '' });
    expect(bad.stderr).toMatch(/--since <seq>' argument 'yesterday' is invalid/);
  });
});
