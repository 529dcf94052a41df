import Database from 'better-sqlite3';
import { mkdirSync } from 'node:fs';
import { dirname } from 'node:path';
import { migrations } from './migrations';

export type Db = Database.Database;

/**
 * Opens (creating if needed) the SQLite file and brings its schema up to date.
 *
 * WAL with synchronous=NORMAL: a commit is written to the WAL before the response is sent, so every
 * acknowledged change survives a process crash (kill -9); only an OS crash or power loss can lose the
 * last transactions, which is the trade SQLite documents for WAL+NORMAL. FULL costs ~6x the throughput.
 * Set SCIM_BRIDGE_SYNCHRONOUS=FULL for power-loss durability.
 */
export function openDatabase(file: string, options: { synchronous?: 'NORMAL' | 'FULL' } = {}): Db {
  if (file !== ':memory:') mkdirSync(dirname(file), { recursive: true });
  const db = new Database(file);
  db.pragma('journal_mode = WAL');
  db.pragma(`synchronous = ${options.synchronous ?? synchronousFromEnv()}`);
  db.pragma('foreign_keys = ON');
  db.pragma('busy_timeout = 5000');
  migrate(db);
  return db;
}

function synchronousFromEnv(): 'NORMAL' | 'FULL' {
  return process.env.SCIM_BRIDGE_SYNCHRONOUS?.toUpperCase() === 'FULL' ? 'FULL' : 'NORMAL';
}

/** Applies, in order, every migration not yet recorded in schema_migrations (each in its own transaction). */
export function migrate(db: Db): void {
  db.exec('CREATE TABLE IF NOT EXISTS schema_migrations (version INTEGER PRIMARY KEY, name TEXT NOT NULL, applied_at TEXT NOT NULL)');
  const applied = new Set((db.prepare('SELECT version FROM schema_migrations').all() as Array<{ version: number }>).map((r) => r.version));
  for (const migration of [...migrations].sort((a, b) => a.version - b.version)) {
    if (applied.has(migration.version)) continue;
    db.transaction(() => {
      db.exec(migration.up);
      db.prepare('INSERT INTO schema_migrations (version, name, applied_at) VALUES (?, ?, ?)').run(migration.version, migration.name, new Date().toISOString());
    })();
  }
}
