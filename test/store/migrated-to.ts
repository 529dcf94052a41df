import Database from 'better-sqlite3';
import { registerCaseFold } from '../../src/store/case-fold';
import { migrations } from '../../src/store/migrations';

/** An in-memory database with the migrations before `version` applied, to test migration `version` on data shaped as it was. */
export function databaseBefore(version: number): Database.Database {
  const db = new Database(':memory:');
  registerCaseFold(db);
  db.exec('CREATE TABLE schema_migrations (version INTEGER PRIMARY KEY, name TEXT NOT NULL, applied_at TEXT NOT NULL)');
  for (const migration of migrations.filter((candidate) => candidate.version < version)) {
    db.exec(migration.up);
    db.prepare('INSERT INTO schema_migrations VALUES (?, ?, ?)').run(migration.version, migration.name, '2026-01-01');
  }
  return db;
}
