import { ConfigError, ConflictError, NotFoundError, PermanentError, RateLimitedError } from '../../connectors/sdk/errors';
import { redact } from '../log';
import type { Store } from '../store';
import type { DeliveryJob } from './delivery-job';
import { MappingError } from './mapping';
import type { DeliveryObserver, DeliveryOutcome } from './observer';
import { backoffDelay, rateLimitWait, worthRecording } from './retry';
import { CONFIGURATION_PAUSE, type TargetStates } from './target-state';
import type { Tombstones } from './tombstones';

const ACTOR = 'sync-engine';
const MAX_ERROR_LENGTH = 500;

/** The engine is stopping: the item goes back to the queue untouched. */
export class DeliveryAborted extends Error {}

/**
 * Persists what a job did and what happens next in ONE transaction: the link, the ledger row
 * (delivery.applied / noop / retry / dead) and the queue row (done, again later, or dead).
 */
export class DeliveryOutcomes {
  private readonly renameMemberEntries;

  constructor(
    private readonly store: Store,
    private readonly states: TargetStates,
    private readonly tombstones: Tombstones,
    private readonly observer: DeliveryObserver,
    private readonly random: () => number,
  ) {
    this.renameMemberEntries = store.db.prepare(`
      UPDATE links SET last_applied = json_set(last_applied, '$.members."' || @user || '".key', @key)
      WHERE target = @target AND subject_kind = 'group' AND json_extract(last_applied, '$.members."' || @user || '".id') = @id`);
  }

  record(job: DeliveryJob, failure: unknown, aborted: boolean): DeliveryOutcome | 'aborted' {
    const outcome = this.store.transaction(() => {
      this.saveLink(job);
      for (const subject of job.alsoEnqueue) this.store.queue.enqueue(job.runtime.name, subject, job.item.request_id);
      if (failure === undefined) return this.succeeded(job);
      if (aborted) {
        this.store.queue.release(job.item, 0, null, false);
        // What reached the target before the stop is in the link: the ledger says so too.
        if (job.writes.length > 0) this.ledger(job, 'delivery.retry', 'the engine stopped part way; the rest is delivered when it starts again');
        return 'aborted' as const;
      }
      return this.failed(job, failure);
    });
    if (outcome !== 'aborted') {
      const latencyMs = this.store.now().getTime() - Date.parse(job.item.enqueued_at);
      this.observer.delivered?.({ target: job.item.target, subjectKind: job.subject.kind, subjectId: job.subject.id, outcome, latencyMs });
    }
    return outcome;
  }

  private saveLink(job: DeliveryJob): void {
    for (const { subject, remoteId } of job.staleLinks) this.store.links.removeIfRemote(job.runtime.name, subject, remoteId);
    const change = job.linkChange;
    if (!change) return;
    if ('remove' in change) this.store.links.remove(job.runtime.name, job.subject);
    else this.store.links.put(job.runtime.name, job.subject, change.put.remote, change.put.applied);
    if ('put' in change) this.followRename(job, change.put.remote);
  }

  /** A user's account got a new key (same account): the groups' member entries for it say so too. */
  private followRename(job: DeliveryJob, remote: { id: string; key: string }): void {
    const before = job.existingLink;
    if (job.subject.kind !== 'user' || !before || before.remote_id !== remote.id || before.remote_key === remote.key) return;
    this.renameMemberEntries.run({ target: job.runtime.name, user: job.subject.id, id: remote.id, key: remote.key });
  }

  private succeeded(job: DeliveryJob): DeliveryOutcome {
    const { queue } = this.store;
    if (job.rescheduleInMs === undefined) queue.complete(job.item);
    else queue.reschedule(job.item, this.superseded(job) ? 0 : job.rescheduleInMs);
    const outcome: DeliveryOutcome = job.applied ? 'applied' : job.rescheduleInMs !== undefined && job.writes.length === 0 ? 'deferred' : 'noop';
    if (outcome !== 'deferred') this.ledger(job, `delivery.${outcome}`);
    if (!job.runtime.health.ok && job.writes.length > 0) job.runtime.health = { ok: true, message: 'delivering' };
    this.tombstones.purgeIfAcknowledged(job.subject);
    return outcome;
  }

  private failed(job: DeliveryJob, failure: unknown): DeliveryOutcome {
    const { queue } = this.store;
    const message = job.runtime.scrub(describe(failure));
    if (failure instanceof RateLimitedError) return this.throttled(job, failure, message);
    if (failure instanceof ConfigError) {
      this.pauseTarget(job, message);
      queue.release(job.item, 0, message, false);
      this.ledger(job, 'delivery.retry', 'target paused: configuration error', message);
      return 'retry';
    }
    const attempts = job.item.attempts + 1;
    const givingUp = isPermanent(failure) || attempts >= job.runtime.settings.delivery.maxAttempts;
    if (givingUp && this.superseded(job)) {
      // What failed is no longer what is wanted: the newer change gets its own attempts, starting now.
      queue.restart(job.item, message);
      this.ledger(job, 'delivery.retry', 'a newer change arrived while this attempt failed; delivering that now', message);
      return 'retry';
    }
    if (givingUp) {
      queue.deadLetter(job.item, message);
      this.ledger(job, 'delivery.dead', isPermanent(failure) ? 'the target refused the change' : `gave up after ${attempts} attempts`, message);
      return 'dead';
    }
    const delayMs = backoffDelay(attempts, job.runtime.settings.delivery.backoff, this.random);
    queue.release(job.item, delayMs, message, true);
    this.ledger(job, 'delivery.retry', `attempt ${attempts} failed; retrying in ${delayMs} ms`, message);
    return 'retry';
  }

  /** The whole target rests (a limit is the target's, not the item's); the item keeps its attempts. */
  private throttled(job: DeliveryJob, failure: RateLimitedError, message: string): DeliveryOutcome {
    const consecutive = job.item.throttled + 1;
    const waitMs = rateLimitWait(failure.retryAfterMs, consecutive, job.runtime.settings.delivery.backoff);
    job.runtime.limiter.pauseFor(waitMs);
    this.store.queue.throttle(job.item, waitMs, message);
    // Writes made before the limit hit are always evidence; a bare refusal only now and then.
    if (job.writes.length > 0 || worthRecording(consecutive)) {
      const inARow = consecutive > 1 ? ` (${consecutive} times in a row)` : '';
      this.ledger(job, 'delivery.retry', `rate limited for ${waitMs} ms${inARow}`, message);
    }
    return 'retry';
  }

  /** A change arrived after the job was claimed: the queue row's generation moved on. */
  private superseded(job: DeliveryJob): boolean {
    return this.store.queue.get(job.item.target, job.subject)?.generation !== job.item.generation;
  }

  private pauseTarget(job: DeliveryJob, message: string): void {
    job.runtime.health = { ok: false, message };
    if (this.states.isPaused(job.runtime.name)) return;
    const reason = `${CONFIGURATION_PAUSE}${message}`;
    this.states.pause(job.runtime.name, reason);
    this.store.ledger.append({
      actor: ACTOR, source: 'engine', requestId: job.item.request_id, kind: 'target.paused',
      subject: `target:${job.runtime.name}`, target: job.runtime.name, reason,
    });
  }

  private ledger(job: DeliveryJob, kind: string, reason?: string, error?: string): void {
    this.store.ledger.append({
      actor: ACTOR,
      source: 'engine',
      requestId: job.item.request_id,
      kind,
      subject: `${job.subject.kind}:${job.subject.id}`,
      target: job.runtime.name,
      after: redact({ operations: job.writes, changes: job.changes, ...(error ? { error } : {}) }),
      reason: reason ?? null,
    });
  }
}

function isPermanent(failure: unknown): boolean {
  return failure instanceof PermanentError || failure instanceof MappingError || (failure instanceof ConflictError && !failure.existing);
}

/** Connector errors carry secret-free messages by contract; anything else is cut short and named. */
function describe(failure: unknown): string {
  const error = failure instanceof Error ? failure : new Error(String(failure));
  const known = error instanceof NotFoundError || 'kind' in error;
  const text = known ? error.message : `${error.name}: ${error.message}`;
  return text.length > MAX_ERROR_LENGTH ? `${text.slice(0, MAX_ERROR_LENGTH)}…` : text;
}
