import { atomically, openDatabase, type Db, type OpenOptions } from './db';
import { Ledger } from './ledger';
import { SyncQueue } from './queue';
import { Links } from './links';
import { ChangeRecorder } from './change';
import { Users } from './users';
import { Groups } from './groups';
import { WriteBatcher } from './write-batch';
import { StorageGuard } from './storage-guard';

export type { Db } from './db';
export type { ChangeContext, Change, TargetRouter } from './change';
export type { SubjectRef, SubjectKind, QueueItem, QueueState } from './queue';
export type { Link } from './links';
export type { LedgerEntry, LedgerRow, VerifyResult } from './ledger';

/** The store: one SQLite database and the pieces that read and write it. */
export class Store {
  readonly ledger: Ledger;
  readonly queue: SyncQueue;
  readonly links: Links;
  readonly changes: ChangeRecorder;
  readonly users: Users;
  readonly groups: Groups;
  /** Refuses writes once the database file was deleted, replaced or damaged under the running process. */
  readonly storage: StorageGuard;
  private readonly batcher: WriteBatcher;

  constructor(readonly db: Db, readonly now: () => Date = () => new Date()) {
    this.ledger = new Ledger(db, now);
    this.queue = new SyncQueue(db, now);
    this.links = new Links(db, now);
    this.changes = new ChangeRecorder(this.ledger, this.queue);
    this.users = new Users(db, this.changes, now);
    this.groups = new Groups(db, this.changes, now);
    this.batcher = new WriteBatcher(db, () => this.storage.assertWritable());
    this.storage = new StorageGuard(db, () => now().getTime());
  }

  static open(file: string, now?: () => Date, options?: OpenOptions): Store {
    return new Store(openDatabase(file, options), now);
  }

  /** Runs fn in one IMMEDIATE transaction: all of its writes commit together or not at all. */
  transaction<T>(fn: () => T): T {
    this.storage.assertWritable();
    return atomically(this.db, fn);
  }

  /**
   * Runs fn as one atomic write (a savepoint) in a transaction shared with the other writes queued in
   * the same event-loop turn; resolves after that transaction committed (see WriteBatcher).
   */
  batched<T>(fn: () => T): Promise<T> {
    return this.batcher.run(fn);
  }

  close(): void {
    if (this.db.open) this.db.close();
  }
}
