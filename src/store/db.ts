import Database from 'better-sqlite3';
import { mkdirSync } from 'node:fs';
import { dirname } from 'node:path';
import { InvalidConfigError } from '../config/errors';
import { registerCaseFold } from './case-fold';
import { migrations } from './migrations';
import { sqliteCode } from './storage-guard';

export type Db = Database.Database;

const runners = new WeakMap<Db, Database.Transaction<(fn: () => unknown) => unknown>>();

/**
 * Runs fn as one IMMEDIATE transaction, or as a savepoint inside the one already open, so it commits or
 * rolls back whole. Equivalent to db.transaction(fn).immediate() without building a new transaction
 * function (four wrappers) on every write.
 */
export function atomically<T>(db: Db, fn: () => T): T {
  let runner = runners.get(db);
  if (!runner) runners.set(db, (runner = db.transaction((inner: () => unknown) => inner())));
  return runner.immediate(fn) as T;
}

export type SynchronousMode = 'NORMAL' | 'FULL';

export interface OpenOptions {
  synchronous?: SynchronousMode;
  /**
   * How long a write waits for another connection's lock. better-sqlite3 is synchronous, so the wait
   * blocks the event loop: the server keeps it short (a busy store answers 503, see StorageUnavailableError);
   * the CLI, whose only job is that one write, waits longer.
   */
  busyTimeoutMs?: number;
}

/** The serving default: long enough for a CLI transaction (milliseconds), short enough to bound a freeze. */
export const SERVER_BUSY_TIMEOUT_MS = 1000;

/**
 * Opens (creating if needed) the SQLite file and brings its schema up to date.
 *
 * WAL with synchronous=NORMAL: a commit is written to the WAL before the response is sent, so every
 * acknowledged change survives a process crash (kill -9); only an OS crash or power loss can lose the
 * last transactions, which is the trade SQLite documents for WAL+NORMAL. FULL costs ~6x the throughput.
 * Set SCIM_BRIDGE_SYNCHRONOUS=FULL for power-loss durability.
 */
export function openDatabase(file: string, options: OpenOptions = {}): Db {
  const synchronous = options.synchronous ?? synchronousFromEnv();
  if (file !== ':memory:') mkdirSync(dirname(file), { recursive: true });
  const db = new Database(file);
  db.pragma('journal_mode = WAL');
  db.pragma(`synchronous = ${synchronous}`);
  db.pragma('foreign_keys = ON');
  db.pragma(`busy_timeout = ${options.busyTimeoutMs ?? SERVER_BUSY_TIMEOUT_MS}`);
  // Statement journals (each savepoint of a batched write needs one) in memory, not in a temporary
  // file created and unlinked per write: three syscalls and a file per write, measured on POST /Users.
  db.pragma('temp_store = MEMORY');
  // 32 MB of page cache (the default is 2 MB): at 100k users the index pages a write touches no longer fit
  // in 2 MB, and every miss is a read from the file.
  db.pragma('cache_size = -32768');
  migrate(db);
  return db;
}

/**
 * Opens an existing database to read it as it is: no migrations (verifying a file must not change it),
 * no file created. Throws NotADatabaseError for an empty file, a non-SQLite file or one without a ledger.
 */
export function openDatabaseReadOnly(file: string): Db {
  const db = new Database(file, { readonly: true, fileMustExist: true });
  registerCaseFold(db);
  try {
    const ledger = db.prepare("SELECT 1 FROM sqlite_master WHERE type = 'table' AND name = 'ledger'").get();
    if (!ledger) throw new NotADatabaseError(`${file} is not a scim-bridge database (it has no ledger table)`);
    return db;
  } catch (error) {
    db.close();
    if (sqliteCode(error) === 'SQLITE_NOTADB') throw new NotADatabaseError(`${file} is not a SQLite database`);
    throw error;
  }
}

export class NotADatabaseError extends Error {
  readonly kind = 'not-a-database';
}

function synchronousFromEnv(): SynchronousMode {
  const value = process.env.SCIM_BRIDGE_SYNCHRONOUS?.trim().toUpperCase();
  if (!value) return 'NORMAL';
  if (value === 'NORMAL' || value === 'FULL') return value;
  throw new InvalidConfigError([`SCIM_BRIDGE_SYNCHRONOUS: must be NORMAL or FULL (got ${JSON.stringify(process.env.SCIM_BRIDGE_SYNCHRONOUS)})`], 'environment');
}

/** Applies, in order, every migration not yet recorded in schema_migrations (each in its own transaction). */
export function migrate(db: Db): void {
  registerCaseFold(db);
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
