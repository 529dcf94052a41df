import { atomically, type Db } from './db';

interface Job {
  write: () => unknown;
  resolve: (value: unknown) => void;
  reject: (error: unknown) => void;
}

/**
 * Group commit for concurrent writes. Writes queued in the same event-loop turn run in one IMMEDIATE
 * transaction, each inside its own savepoint (better-sqlite3 nests `db.transaction` that way): a
 * write that throws rolls back alone, the others commit together, and every promise settles only
 * after COMMIT returned, so nothing is acknowledged before it is durable. Under load this shares one
 * commit (WAL append, checkpoint fsyncs) among many requests; alone, a write costs one setImmediate.
 */
export class WriteBatcher {
  private pending: Job[] = [];

  /** `beforeTransaction` runs once per shared transaction (the storage check: one answer for every write in it). */
  constructor(private readonly db: Db, private readonly beforeTransaction: () => void = () => undefined) {}

  run<T>(write: () => T): Promise<T> {
    return new Promise<T>((resolve, reject) => {
      this.pending.push({ write, resolve: resolve as (value: unknown) => void, reject });
      if (this.pending.length === 1) setImmediate(() => this.flush());
    });
  }

  private flush(): void {
    const jobs = this.pending;
    this.pending = [];
    const outcomes: Array<{ ok: true; value: unknown } | { ok: false; error: unknown }> = [];
    try {
      this.beforeTransaction();
      atomically(this.db, () => {
        for (const job of jobs) {
          try {
            outcomes.push({ ok: true, value: atomically(this.db, job.write) });
          } catch (error) {
            outcomes.push({ ok: false, error });
          }
        }
      });
    } catch (error) {
      for (const job of jobs) job.reject(error);
      return;
    }
    jobs.forEach((job, index) => {
      const outcome = outcomes[index];
      if (outcome.ok) job.resolve(outcome.value);
      else job.reject(outcome.error);
    });
  }
}
