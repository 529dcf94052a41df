import type { Logger } from '../log';
import type { QueueItem } from '../store';
import { DeliveryJob } from './delivery-job';
import type { DeliveryOutcomes } from './delivery-outcome';
import { syncGroup } from './group-sync';
import type { DeliveryObserver } from './observer';
import type { SyncContext } from './sync-context';
import type { TargetRuntime } from './target-runtime';
import type { TargetStates } from './target-state';
import { syncUser } from './user-sync';

export interface WorkerDeps {
  sync: SyncContext;
  outcomes: DeliveryOutcomes;
  states: TargetStates;
  observer: DeliveryObserver;
  logger: Logger;
  /** Longest sleep between looks at the queue (a pause or item written by another process shows up). */
  pollMs: number;
}

/**
 * Delivers one target's queue: claims due items up to the target's concurrency, runs each through the
 * user or group sync, and records the outcome. Woken at once when something is enqueued for the target,
 * otherwise it looks again when the next item is due (at most every pollMs).
 */
export class TargetWorker {
  private readonly running = new Set<Promise<void>>();
  /** Claimed in one batch (one write transaction instead of one per item), started as slots free up. */
  private readonly claimed: QueueItem[] = [];
  private readonly abort = new AbortController();
  private timer?: NodeJS.Timeout;
  private wakePending = false;
  private stopped = true;

  constructor(private readonly runtime: TargetRuntime, private readonly deps: WorkerDeps) {}

  start(): void {
    this.stopped = false;
    this.wake();
  }

  wake(): void {
    if (this.stopped || this.wakePending) return;
    this.wakePending = true;
    setImmediate(() => {
      this.wakePending = false;
      this.pump();
    });
  }

  get busy(): number {
    return this.running.size;
  }

  /** Aborts in-flight operations, waits for them to settle (their items go back to the queue). */
  async stop(): Promise<void> {
    this.stopped = true;
    clearTimeout(this.timer);
    this.abort.abort(new Error('sync engine stopping'));
    this.releaseClaimed();
    await Promise.allSettled([...this.running]);
  }

  private pump(): void {
    if (this.stopped) return;
    clearTimeout(this.timer);
    const { name, limiter, settings } = this.runtime;
    const paused = this.deps.states.isPaused(name);
    if (paused) this.releaseClaimed();
    // Reading when the next item is due is a plain read; claiming is a write, so only claim when one is due.
    let nextDue = paused ? undefined : this.deps.sync.queue.nextDueIn(name);
    if (!paused && limiter.pausedFor() === 0 && (nextDue === 0 || this.claimed.length > 0)) {
      this.startClaimed(settings.delivery.concurrency);
      nextDue = this.deps.sync.queue.nextDueIn(name);
    }
    const delay = Math.max(limiter.pausedFor(), Math.min(this.deps.pollMs, nextDue ?? this.deps.pollMs));
    this.timer = setTimeout(() => this.pump(), Math.max(1, delay));
    this.timer.unref();
  }

  private startClaimed(concurrency: number): void {
    let free = concurrency - this.running.size;
    if (free <= 0) return;
    if (this.claimed.length === 0) this.claimed.push(...this.deps.sync.queue.claim(this.runtime.name, concurrency));
    while (free-- > 0 && this.claimed.length > 0) this.startItem(this.claimed.shift()!);
  }

  /** Hands claimed-but-unstarted items back to the queue (paused or stopping), as if never claimed. */
  private releaseClaimed(): void {
    for (const item of this.claimed.splice(0)) this.deps.sync.queue.release(item, 0, item.last_error, false);
  }

  private startItem(item: QueueItem): void {
    const done = this.deliver(item).finally(() => {
      this.running.delete(done);
      this.wake();
    });
    this.running.add(done);
  }

  /** Last resort after a storage error: try again in a while (startup recovery covers a failure here too). */
  private releaseLater(item: QueueItem): void {
    try {
      this.deps.sync.queue.release(item, this.deps.pollMs * 4, 'could not record the outcome', false);
    } catch {
      // still failing: the row stays in flight until the next start's recoverInflight()
    }
  }

  private async deliver(item: QueueItem): Promise<void> {
    const { sync, outcomes, observer, logger } = this.deps;
    const link = sync.links.get(item.target, { kind: item.subject_kind, id: item.subject_id });
    const job = new DeliveryJob(this.runtime, item, link, this.abort.signal, observer);
    let failure: unknown;
    try {
      await (item.subject_kind === 'user' ? syncUser(job, sync) : syncGroup(job, sync));
    } catch (error) {
      failure = error ?? new Error('unknown failure');
    }
    try {
      const outcome = outcomes.record(job, failure, this.abort.signal.aborted);
      if (outcome === 'retry' || outcome === 'dead') {
        logger.warn('delivery failed', { target: item.target, subject: `${item.subject_kind}:${item.subject_id}`, outcome, error: this.runtime.scrub(String((failure as Error)?.message ?? failure)) });
      }
    } catch (error) {
      logger.error('could not record a delivery outcome', { target: item.target, subject: item.subject_id, error: String(error) });
      this.releaseLater(item);
    }
  }
}
