import Database from 'better-sqlite3';
import { randomUUID } from 'node:crypto';
import { mkdirSync } from 'node:fs';
import { hostname } from 'node:os';
import { dirname } from 'node:path';
import { sqliteCode } from './store/storage-guard';

/** Who holds a database's serve lock, as it wrote itself down when it took it. */
export interface LockHolder {
  pid: number;
  host: string;
  since: string;
}

/** Another process serves the database already. */
export class DatabaseInUseError extends Error {
  constructor(readonly dbFile: string, readonly holder: LockHolder | undefined) {
    const who = holder ? `scim-bridge process ${holder.pid} on ${holder.host} (serving since ${holder.since})` : 'another scim-bridge process';
    super(`database ${dbFile} is already served by ${who}: stop that one first, or give this one another --db`);
    this.name = 'DatabaseInUseError';
  }
}

/** The lock file beside the database (SQLite's own -journal sidecar may come and go beside it). */
export function serveLockFile(dbFile: string): string {
  return `${dbFile}.serve-lock`;
}

/** A contender waits this long for the holder's brief commit before it calls the lock taken. */
const LOCK_WAIT_MS = 1000;

/**
 * One `serve` per database: two would both run the sync engine, and each would take the other's deliveries
 * in flight for leftovers of a crash and send them again. The lock is SQLite's write lock (an OS file lock)
 * on a small file beside the database, held by an IMMEDIATE transaction left open for the life of the
 * process. The OS drops it when the process ends however it ends (kill -9 included), so a stale lock never
 * blocks a restart, and the pid it records is only reported, never trusted (pids are reused, and are 1 in
 * every container). The database itself is not locked: CLI commands work while serve runs. The file is
 * never deleted: unlinking it while a contender waits would let two processes lock two different files.
 */
export class ServeLock {
  private constructor(private readonly db: Database.Database | undefined) {}

  /** Takes the lock or throws DatabaseInUseError naming the holder. */
  static acquire(dbFile: string, now: () => Date = () => new Date()): ServeLock {
    if (dbFile === ':memory:') return new ServeLock(undefined);
    const file = serveLockFile(dbFile);
    mkdirSync(dirname(file), { recursive: true });
    const db = new Database(file);
    try {
      db.pragma(`busy_timeout = ${LOCK_WAIT_MS}`);
      const token = randomUUID();
      if (!begin(db)) throw new DatabaseInUseError(dbFile, readHolder(db));
      writeHolder(db, token, now());
      db.exec('COMMIT');
      // Held from here on. One who slipped in between the two transactions holds it now: this one gives way.
      if (!begin(db)) throw new DatabaseInUseError(dbFile, readHolder(db));
      if (readHolder(db)?.token !== token) {
        db.exec('ROLLBACK');
        throw new DatabaseInUseError(dbFile, readHolder(db));
      }
      return new ServeLock(db);
    } catch (error) {
      db.close();
      throw error;
    }
  }

  /** Idempotent. Closing the connection ends the open transaction, which releases the lock. */
  release(): void {
    if (this.db?.open) this.db.close();
  }
}

/** BEGIN IMMEDIATE: false when another connection holds the write lock (after LOCK_WAIT_MS). */
function begin(db: Database.Database): boolean {
  try {
    db.exec('BEGIN IMMEDIATE');
    return true;
  } catch (error) {
    if (sqliteCode(error) === 'SQLITE_BUSY') return false;
    throw error;
  }
}

function writeHolder(db: Database.Database, token: string, at: Date): void {
  db.exec('CREATE TABLE IF NOT EXISTS holder (token TEXT NOT NULL, pid INTEGER NOT NULL, host TEXT NOT NULL, since TEXT NOT NULL)');
  db.exec('DELETE FROM holder');
  db.prepare('INSERT INTO holder (token, pid, host, since) VALUES (?, ?, ?, ?)').run(token, process.pid, hostname(), at.toISOString());
}

/** undefined when the holder has not written itself down yet (it is between its first two statements). */
function readHolder(db: Database.Database): (LockHolder & { token: string }) | undefined {
  try {
    const table = db.prepare("SELECT 1 FROM sqlite_master WHERE type = 'table' AND name = 'holder'").get();
    return table ? (db.prepare('SELECT token, pid, host, since FROM holder LIMIT 1').get() as (LockHolder & { token: string }) | undefined) : undefined;
  } catch (error) {
    if (sqliteCode(error) === 'SQLITE_BUSY') return undefined;
    throw error;
  }
}
