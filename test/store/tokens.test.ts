import { migrations } from '../../src/store/migrations';
import { migrate, openDatabase } from '../../src/store/db';
import Database from 'better-sqlite3';
import { Tokens } from '../../src/store/tokens';

describe('Tokens', () => {
  it('records when a token was last used, at most once a minute (not a write per request)', () => {
    let clock = Date.parse('2026-05-01T09:00:00.000Z');
    const db = openDatabase(':memory:');
    const tokens = new Tokens(db, () => new Date(clock));
    const secret = tokens.create('entra', 'scim');
    const lastUsed = () => tokens.list()[0].last_used_at;
    expect(lastUsed()).toBeNull();
    tokens.verify(secret);
    expect(lastUsed()).toBe('2026-05-01T09:00:00.000Z');
    clock += 59_000;
    tokens.verify(secret);
    expect(lastUsed()).toBe('2026-05-01T09:00:00.000Z');
    clock += 1_000;
    tokens.verify(secret);
    expect(lastUsed()).toBe('2026-05-01T09:01:00.000Z');
    tokens.verify('sb_unknown');
    expect(tokens.list()).toHaveLength(1);
  });

  it('re-creating a revoked name adds a new token and keeps the revoked one on record', () => {
    const tokens = new Tokens(openDatabase(':memory:'));
    const old = tokens.create('okta', 'scim');
    expect(() => tokens.create('okta', 'admin')).toThrow("a token named 'okta' already exists");
    tokens.revoke('okta');
    const rotated = tokens.create('okta', 'scim');
    expect(tokens.verify(old)).toBeUndefined();
    expect(tokens.verify(rotated)).toEqual({ name: 'okta', scope: 'scim' });
    expect(tokens.list().map((t) => [t.name, t.revoked_at === null])).toEqual([['okta', false], ['okta', true]]);
  });

  it('migration 10 keeps every token of a database created before it', () => {
    const db = new Database(':memory:');
    db.exec('CREATE TABLE schema_migrations (version INTEGER PRIMARY KEY, name TEXT NOT NULL, applied_at TEXT NOT NULL)');
    for (const migration of migrations.filter((m) => m.version < 10)) {
      db.exec(migration.up);
      db.prepare("INSERT INTO schema_migrations VALUES (?, ?, 'then')").run(migration.version, migration.name);
    }
    db.prepare("INSERT INTO tokens VALUES ('entra', 'h1', 'scim', '2026-01-01', '2026-02-01', NULL), ('old', 'h2', 'admin', '2025-01-01', NULL, '2025-06-01')").run();
    migrate(db);
    expect(db.prepare('SELECT name, hash, scope, created_at, last_used_at, revoked_at FROM tokens ORDER BY id').all()).toEqual([
      { name: 'old', hash: 'h2', scope: 'admin', created_at: '2025-01-01', last_used_at: null, revoked_at: '2025-06-01' },
      { name: 'entra', hash: 'h1', scope: 'scim', created_at: '2026-01-01', last_used_at: '2026-02-01', revoked_at: null },
    ]);
  });
});
