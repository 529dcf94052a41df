import { join } from 'node:path';
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
  store.db.exec('DROP TRIGGER ledger_no_update; DROP TRIGGER ledger_no_delete;');
  store.db.exec(sql);
  store.close();
}

describe('scim-bridge ledger verify', () => {
  it('exits 0 on an intact chain', async () => {
    const db = databaseWithEntries(5);
    expect(await cli(['ledger', 'verify', '--db', db])).toEqual({ code: 0, stdout: 'ledger intact: 5 rows\n', stderr: '' });
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
