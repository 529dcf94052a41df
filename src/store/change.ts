import type { Ledger } from './ledger';
import type { SubjectRef, SyncQueue } from './queue';

/** Who made a change and through which door; every ledger row of one request shares requestId. */
export interface ChangeContext {
  actor: string;
  requestId: string;
  source: 'scim' | 'admin' | 'cli' | 'sweeper' | 'reconciler' | 'engine';
  /** Why, when the writer is not a person answering for it (e.g. "identity expired at …"). */
  reason?: string;
}

export interface Change {
  kind: string;
  subject: SubjectRef;
  before?: unknown;
  after?: unknown;
  reason?: string;
  /** Other subjects whose target state this change may alter (e.g. the users added to a group). */
  alsoAffects?: SubjectRef[];
  /** false for evidence-only rows (a grant requested or approved): nothing to deliver yet. */
  deliver?: boolean;
}

/** Decides which targets a subject must be queued for: those whose scope it is in or was in. */
export type TargetRouter = (subject: SubjectRef) => string[];

/**
 * Records one accepted change: a ledger row plus a queue row per target it may concern.
 * Must run inside the transaction that writes the desired state, so all three commit together.
 */
export class ChangeRecorder {
  private router: TargetRouter = () => [];

  constructor(private readonly ledger: Ledger, private readonly queue: SyncQueue) {}

  routeWith(router: TargetRouter): void {
    this.router = router;
  }

  record(ctx: ChangeContext, change: Change): number {
    const seq = this.ledger.append({
      actor: ctx.actor,
      source: ctx.source,
      requestId: ctx.requestId,
      kind: change.kind,
      subject: `${change.subject.kind}:${change.subject.id}`,
      before: change.before,
      after: change.after,
      reason: change.reason ?? ctx.reason,
    });
    if (change.deliver === false) return seq;
    for (const subject of [change.subject, ...(change.alsoAffects ?? [])]) {
      for (const target of this.router(subject)) this.queue.enqueue(target, subject, ctx.requestId);
    }
    return seq;
  }
}
