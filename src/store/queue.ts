import type { Db } from './db';
import { StatementCache } from './resource-query';

export type SubjectKind = 'user' | 'group';
export type QueueState = 'pending' | 'inflight' | 'dead';

export interface QueueItem {
  target: string;
  subject_kind: SubjectKind;
  subject_id: string;
  state: QueueState;
  due_at: number;
  attempts: number;
  generation: number;
  /** Consecutive rate-limited attempts (the engine lengthens the wait and thins out ledger rows). */
  throttled: number;
  last_error: string | null;
  request_id: string | null;
  enqueued_at: string;
  updated_at: string;
}

export interface SubjectRef {
  kind: SubjectKind;
  id: string;
}

/**
 * The sync queue: one row per (target, subject) meaning "may be out of date there". Enqueueing an
 * existing row bumps its generation instead of adding a row, which is what coalesces bursts of changes.
 */
export class SyncQueue {
  private readonly upsert;
  private readonly claimStmt;
  private readonly listeners: Array<(target: string) => void> = [];
  private readonly statements: StatementCache;

  constructor(private readonly db: Db, private readonly now: () => Date = () => new Date()) {
    this.statements = new StatementCache(db);
    // A new change revives a dead item (with fresh attempts) but does not cut short a backoff in progress;
    // it does cut short a wait that is not a failure (attempts = 0: a scheduled delete, a deferred group).
    this.upsert = db.prepare(`
      INSERT INTO sync_queue (target, subject_kind, subject_id, state, due_at, attempts, generation, request_id, enqueued_at, updated_at)
      VALUES (@target, @kind, @id, 'pending', @due, 0, 1, @requestId, @at, @at)
      ON CONFLICT (target, subject_kind, subject_id) DO UPDATE SET
        generation = generation + 1,
        request_id = excluded.request_id,
        updated_at = excluded.updated_at,
        attempts   = CASE WHEN state = 'dead' THEN 0 ELSE attempts END,
        due_at     = CASE WHEN state = 'dead' THEN excluded.due_at
                          WHEN state = 'pending' AND attempts = 0 THEN MIN(due_at, excluded.due_at) ELSE due_at END,
        state      = CASE WHEN state = 'dead' THEN 'pending' ELSE state END`);
    this.claimStmt = db.prepare(`
      UPDATE sync_queue SET state = 'inflight', updated_at = @at
      WHERE rowid IN (SELECT rowid FROM sync_queue WHERE target = @target AND state = 'pending' AND due_at <= @due
                      ORDER BY due_at LIMIT @limit)
      RETURNING *`);
  }

  enqueue(target: string, subject: SubjectRef, requestId?: string | null, delayMs = 0): void {
    const now = this.now();
    this.upsert.run({
      target,
      kind: subject.kind,
      id: subject.id,
      due: now.getTime() + delayMs,
      requestId: requestId ?? null,
      at: now.toISOString(),
    });
    this.notify(target);
  }

  /**
   * Enqueues unless a delivery is already waiting for the subject: that one settles it with the request id
   * of the change that queued it, and keeps its due time (a scheduled delete is not brought forward).
   * For re-checks that come from the bridge itself (a reconcile fix, a start's settings check), not the IdP.
   */
  enqueueUnlessPending(target: string, subject: SubjectRef, requestId?: string | null): void {
    if (this.get(target, subject)?.state !== 'pending') this.enqueue(target, subject, requestId);
  }

  /**
   * Calls `listener(target)` after something became due for that target (an enqueue or a retry), once
   * the current synchronous work - including the enclosing transaction - has finished.
   */
  onEnqueue(listener: (target: string) => void): () => void {
    this.listeners.push(listener);
    return () => this.listeners.splice(this.listeners.indexOf(listener), 1);
  }

  private notify(target: string): void {
    if (this.listeners.length === 0) return;
    setImmediate(() => this.listeners.forEach((listener) => listener(target)));
  }

  /** Marks up to `limit` due items of one target in flight and returns them. */
  claim(target: string, limit: number): QueueItem[] {
    const now = this.now();
    return this.claimStmt.all({ target, due: now.getTime(), limit, at: now.toISOString() }) as QueueItem[];
  }

  /** Done with `generation`: removes the row, or hands it back if a newer change arrived meanwhile. */
  complete(item: QueueItem): void {
    const removed = this.statements.get(`DELETE FROM sync_queue WHERE target = ? AND subject_kind = ? AND subject_id = ? AND generation = ?`)
      .run(item.target, item.subject_kind, item.subject_id, item.generation);
    if (removed.changes === 0) this.release(item, 0, null, false);
  }

  /** Schedules another attempt after `delayMs`; `countAttempt` false for waits that are not failures. */
  release(item: QueueItem, delayMs: number, error: string | null, countAttempt = true): void {
    const now = this.now();
    this.statements.get(`UPDATE sync_queue SET state = 'pending', due_at = ?, attempts = attempts + ?, throttled = 0, last_error = ?, updated_at = ?
                WHERE target = ? AND subject_kind = ? AND subject_id = ?`)
      .run(now.getTime() + delayMs, countAttempt ? 1 : 0, error, now.toISOString(), item.target, item.subject_kind, item.subject_id);
  }

  /**
   * The attempt succeeded but the subject must be looked at again after `delayMs` (a scheduled delete, a
   * grace, members waiting): not a failure, so attempts start over and a new change cuts the wait short.
   */
  reschedule(item: QueueItem, delayMs: number): void {
    const now = this.now();
    this.statements.get(`UPDATE sync_queue SET state = 'pending', due_at = ?, attempts = 0, throttled = 0, last_error = NULL, updated_at = ?
                WHERE target = ? AND subject_kind = ? AND subject_id = ?`)
      .run(now.getTime() + delayMs, now.toISOString(), item.target, item.subject_kind, item.subject_id);
  }

  /** The target rate-limited the attempt: try again after `delayMs`, counting it as throttled, not as an attempt. */
  throttle(item: QueueItem, delayMs: number, error: string): void {
    const now = this.now();
    this.statements.get(`UPDATE sync_queue SET state = 'pending', due_at = ?, throttled = throttled + 1, last_error = ?, updated_at = ?
                WHERE target = ? AND subject_kind = ? AND subject_id = ?`)
      .run(now.getTime() + delayMs, error, now.toISOString(), item.target, item.subject_kind, item.subject_id);
  }

  /** Hands the row back due now with fresh attempts (a newer change superseded the one that failed). */
  restart(item: QueueItem, error: string): void {
    const now = this.now();
    this.statements.get(`UPDATE sync_queue SET state = 'pending', due_at = ?, attempts = 0, throttled = 0, last_error = ?, updated_at = ?
                WHERE target = ? AND subject_kind = ? AND subject_id = ?`)
      .run(now.getTime(), error, now.toISOString(), item.target, item.subject_kind, item.subject_id);
    this.notify(item.target);
  }

  deadLetter(item: QueueItem, error: string): void {
    this.statements.get(`UPDATE sync_queue SET state = 'dead', attempts = attempts + 1, throttled = 0, last_error = ?, updated_at = ?
                WHERE target = ? AND subject_kind = ? AND subject_id = ?`)
      .run(error, this.now().toISOString(), item.target, item.subject_kind, item.subject_id);
  }

  /** After a crash nothing is really in flight: hand every inflight row back (called at startup). */
  recoverInflight(): number {
    return this.statements.get(`UPDATE sync_queue SET state = 'pending' WHERE state = 'inflight'`).run().changes;
  }

  /** Retries dead items now; all of a target's when no subject is given. Returns how many. */
  retryDead(target: string, subject?: SubjectRef): number {
    const now = this.now();
    const where = subject ? 'AND subject_kind = ? AND subject_id = ?' : '';
    const params: unknown[] = [now.getTime(), now.toISOString(), target, ...(subject ? [subject.kind, subject.id] : [])];
    const retried = this.statements.get(`UPDATE sync_queue SET state = 'pending', attempts = 0, due_at = ?, updated_at = ? WHERE target = ? AND state = 'dead' ${where}`)
      .run(...params).changes;
    if (retried > 0) this.notify(target);
    return retried;
  }

  /** Whether any target still has a queue row for the subject. */
  hasAny(subject: SubjectRef): boolean {
    return this.statements.get('SELECT 1 FROM sync_queue WHERE subject_kind = ? AND subject_id = ? LIMIT 1').get(subject.kind, subject.id) !== undefined;
  }

  get(target: string, subject: SubjectRef): QueueItem | undefined {
    return this.statements.get('SELECT * FROM sync_queue WHERE target = ? AND subject_kind = ? AND subject_id = ?')
      .get(target, subject.kind, subject.id) as QueueItem | undefined;
  }

  list(filter: { target?: string; state?: QueueState; limit?: number } = {}): QueueItem[] {
    return this.statements.get(`SELECT * FROM sync_queue WHERE (@target IS NULL OR target = @target) AND (@state IS NULL OR state = @state)
                ORDER BY due_at LIMIT @limit`)
      .all({ target: filter.target ?? null, state: filter.state ?? null, limit: filter.limit ?? 1000 }) as QueueItem[];
  }

  depth(): Array<{ target: string; state: QueueState; count: number }> {
    return this.statements.get('SELECT target, state, COUNT(*) AS count FROM sync_queue GROUP BY target, state ORDER BY target, state')
      .all() as Array<{ target: string; state: QueueState; count: number }>;
  }

  /** Milliseconds until the next pending item of `target` is due, or undefined when none is pending. */
  nextDueIn(target: string): number | undefined {
    const row = this.statements.get(`SELECT MIN(due_at) AS due FROM sync_queue WHERE target = ? AND state = 'pending'`)
      .get(target) as { due: number | null };
    return row.due === null ? undefined : Math.max(0, row.due - this.now().getTime());
  }
}
