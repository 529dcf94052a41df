import type { ChangeContext, LedgerRow, QueueItem, QueueState, Store, SubjectKind, SubjectRef } from '../store';
import type { Link } from '../store/links';
import { TargetStates, type TargetStateRow } from './target-state';

export interface TargetOverview extends TargetStateRow {
  queue: Record<QueueState, number>;
  /** Oldest pending change (ISO), when something waits. */
  oldestPending: string | null;
}

export interface SubjectHistory {
  subject: string;
  ledger: LedgerRow[];
  targets: Array<{ target: string; queue: QueueItem | null; link: (Omit<Link, 'last_applied'> & { last_applied: unknown }) | null }>;
}

export class UnknownTargetNameError extends Error {
  readonly status = 404;
  constructor(target: string) {
    super(`no target named '${target}'`);
  }
}

/**
 * Operator actions on deliveries, shared by the admin API and the CLI. They only change the queue and
 * targets_state (with a ledger row); the engine does the delivering, so there is still one write path.
 */
export class DeliveryAdmin {
  private readonly states: TargetStates;

  constructor(private readonly store: Store, private readonly targetNames: readonly string[], private readonly onChange: (target?: string) => void = () => {}) {
    this.states = new TargetStates(store.db, store.now);
  }

  targets(): TargetOverview[] {
    const depth = this.store.queue.depth();
    const oldest = this.store.db.prepare(`SELECT target, MIN(enqueued_at) AS at FROM sync_queue WHERE state = 'pending' GROUP BY target`).all() as Array<{ target: string; at: string }>;
    return this.targetNames.map((target) => {
      const queue: Record<QueueState, number> = { pending: 0, inflight: 0, dead: 0 };
      for (const row of depth) if (row.target === target) queue[row.state] = row.count;
      return { ...this.states.get(target), queue, oldestPending: oldest.find((row) => row.target === target)?.at ?? null };
    });
  }

  pause(target: string, reason: string, ctx: ChangeContext): void {
    this.requireTarget(target);
    this.store.transaction(() => {
      this.states.pause(target, reason);
      this.store.ledger.append({ actor: ctx.actor, source: ctx.source, requestId: ctx.requestId, kind: 'target.paused', subject: `target:${target}`, target, reason });
    });
  }

  resume(target: string, ctx: ChangeContext): void {
    this.requireTarget(target);
    this.store.transaction(() => {
      this.states.resume(target);
      this.store.ledger.append({ actor: ctx.actor, source: ctx.source, requestId: ctx.requestId, kind: 'target.resumed', subject: `target:${target}`, target });
    });
    this.onChange(target);
  }

  deliveries(filter: { target?: string; state?: QueueState; limit?: number }): QueueItem[] {
    if (filter.target) this.requireTarget(filter.target);
    return this.store.queue.list(filter);
  }

  /** Puts dead items back in the queue with fresh attempts: one subject, or every dead item of the target. */
  retry(target: string, subject: SubjectRef | undefined, ctx: ChangeContext): number {
    this.requireTarget(target);
    const retried = this.store.transaction(() => {
      const count = this.store.queue.retryDead(target, subject);
      if (count > 0) {
        this.store.ledger.append({
          actor: ctx.actor, source: ctx.source, requestId: ctx.requestId, kind: 'delivery.retry-requested',
          subject: subject ? `${subject.kind}:${subject.id}` : `target:${target}`, target, after: { items: count },
        });
      }
      return count;
    });
    if (retried > 0) this.onChange(target);
    return retried;
  }

  history(kind: SubjectKind, id: string): SubjectHistory {
    const subject = { kind, id };
    return {
      subject: `${kind}:${id}`,
      ledger: this.store.ledger.forSubject(`${kind}:${id}`),
      targets: this.targetNames.map((target) => {
        const link = this.store.links.get(target, subject);
        return {
          target,
          queue: this.store.queue.get(target, subject) ?? null,
          link: link ? { ...link, last_applied: JSON.parse(link.last_applied) as unknown } : null,
        };
      }),
    };
  }

  private requireTarget(target: string): void {
    if (!this.targetNames.includes(target)) throw new UnknownTargetNameError(target);
  }
}
