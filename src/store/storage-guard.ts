import { statSync } from 'node:fs';
import type { Db } from './db';

/**
 * The database cannot serve the request now. `retryable`: another writer holds the lock, so asking
 * again in a moment will work. Otherwise the file is gone, replaced or damaged and only an operator
 * can help; the edge answers 503 either way, never an acknowledgement of a write that would be lost.
 */
export class StorageUnavailableError extends Error {
  readonly kind = 'storage-unavailable';
  constructor(message: string, readonly retryable: boolean, options?: { cause?: unknown }) {
    super(message, options);
    this.name = 'StorageUnavailableError';
  }
}

const LOCKED = /^SQLITE_(BUSY|LOCKED)/;
const DAMAGED = /^SQLITE_(NOTADB|CORRUPT|IOERR|CANTOPEN|READONLY|FULL)/;

/**
 * The result code of an error better-sqlite3 threw. By name, not `instanceof Database.SqliteError`: the
 * native addon keeps the first SqliteError class it was given, which belongs to another module instance
 * (and another realm's Error) wherever the module is loaded twice, as in each jest test file.
 */
export function sqliteCode(error: unknown): string | undefined {
  const { name, code } = (error ?? {}) as { name?: unknown; code?: unknown };
  return name === 'SqliteError' && typeof code === 'string' ? code : undefined;
}

/** SQLite's lock and I/O failures as a StorageUnavailableError; undefined for anything else (a bug, a constraint). */
export function asStorageUnavailable(error: unknown): StorageUnavailableError | undefined {
  if (error instanceof StorageUnavailableError) return error;
  const code = sqliteCode(error) ?? '';
  if (LOCKED.test(code)) return new StorageUnavailableError('the database is busy with another writer; retry shortly', true, { cause: error });
  if (DAMAGED.test(code)) return new StorageUnavailableError(`the database cannot be used (${code})`, false, { cause: error });
  return undefined;
}

interface FileIdentity {
  path: string;
  dev: number;
  ino: number;
}

/** The deep probe drops SQLite's page cache so its read reaches the file; at most this often. */
const DEEP_PROBE_INTERVAL_MS = 1000;

/**
 * Notices when the database file SQLite has open is no longer the file at its path (deleted, replaced,
 * or its WAL deleted: every later commit would go to an unlinked file and vanish on restart) or no
 * longer readable (truncated, overwritten). Once noticed, the store stays unavailable until restarted.
 */
export class StorageGuard {
  private lost?: string;
  private readonly files: FileIdentity[];
  private lastDeepProbe = -Infinity;

  constructor(private readonly db: Db, private readonly clock: () => number = Date.now) {
    this.files = db.memory ? [] : [db.name, `${db.name}-wal`].flatMap(identityOf);
  }

  /** Before a write (two stat calls): throws StorageUnavailableError if the files were lost. */
  assertWritable(): void {
    const problem = this.lost ?? this.identityProblem();
    if (problem) throw new StorageUnavailableError(problem, false);
  }

  /** For readiness: the identity check plus a real read (from the file, at most once a second). Undefined when usable. */
  probe(): string | undefined {
    if (!this.db.open) return 'the database is closed';
    const problem = this.lost ?? this.identityProblem();
    if (problem) return problem;
    try {
      const now = this.clock();
      if (now - this.lastDeepProbe >= DEEP_PROBE_INTERVAL_MS) {
        this.lastDeepProbe = now;
        this.db.pragma('shrink_memory');
      }
      this.db.prepare('SELECT max(version) FROM schema_migrations').get();
      return undefined;
    } catch (error) {
      const unavailable = asStorageUnavailable(error);
      if (unavailable && !unavailable.retryable) this.lost = unavailable.message;
      return unavailable?.message ?? `the database cannot be read: ${(error as Error).message}`;
    }
  }

  private identityProblem(): string | undefined {
    for (const file of this.files) {
      const now = identityOf(file.path)[0];
      const which = file.path === this.db.name ? 'database file' : 'database write-ahead log';
      if (!now) this.lost = `the ${which} was deleted while the bridge had it open`;
      else if (now.dev !== file.dev || now.ino !== file.ino) this.lost = `the ${which} was replaced while the bridge had it open`;
      if (this.lost) return this.lost;
    }
    return undefined;
  }
}

function identityOf(path: string): FileIdentity[] {
  const stats = statSync(path, { throwIfNoEntry: false });
  return stats ? [{ path, dev: stats.dev, ino: stats.ino }] : [];
}
