import type { OpContext, Outcome, RemoteRef } from '../../connectors/sdk/contract';
import type { Link, QueueItem, SubjectRef } from '../store';
import type { AppliedGroup, AppliedUser } from './diff';
import type { DeliveryObserver } from './observer';
import type { TargetRuntime } from './target-runtime';

export const OPERATION_TIMEOUT_MS = 60_000;

export type LinkChange = { put: { remote: RemoteRef; applied: AppliedUser | AppliedGroup } } | { remove: true };

/**
 * One claimed queue item being delivered. It collects what happened (connector writes, the link to
 * store, a diff for the ledger) so that the outcome - success or failure part way - is persisted in one
 * transaction afterwards.
 */
export class DeliveryJob {
  readonly subject: SubjectRef;
  linkChange?: LinkChange;
  readonly writes: Array<{ operation: string; outcome: Outcome }> = [];
  readonly changes: Record<string, unknown> = {};
  /** Come back later without counting an attempt (a scheduled delete, members waiting for their users). */
  rescheduleInMs?: number;
  /** Subjects on this target to queue as well (groups whose member was deprovisioned, members not yet created). */
  readonly alsoEnqueue: SubjectRef[] = [];
  /** Other subjects' links to drop if they still point at that remote object (a member the target no longer has). */
  readonly staleLinks: Array<{ subject: SubjectRef; remoteId: string }> = [];

  constructor(
    readonly runtime: TargetRuntime,
    readonly item: QueueItem,
    readonly existingLink: Link | undefined,
    private readonly signal: AbortSignal,
    private readonly observer: DeliveryObserver,
  ) {
    this.subject = { kind: item.subject_kind, id: item.subject_id };
  }

  /** Calls the connector once the target's limiter allows it. */
  async call<T>(operation: string, run: (ctx: OpContext) => Promise<T>): Promise<T> {
    await this.runtime.limiter.acquire(this.signal);
    const ctx: OpContext = {
      idempotencyKey: `${this.item.target}:${this.item.subject_kind}:${this.item.subject_id}:${this.item.generation}:${operation}`,
      // A hung target must not hold a delivery slot forever: the call is aborted and retried with backoff.
      signal: AbortSignal.any([this.signal, AbortSignal.timeout(OPERATION_TIMEOUT_MS)]),
      requestId: this.item.request_id ?? `sync-${this.item.target}-${this.item.subject_id}`,
    };
    const report = (ok: boolean) => this.observer.targetCall?.({ target: this.runtime.name, connector: this.runtime.kind, operation, ok });
    try {
      const result = await run(ctx);
      report(true);
      return result;
    } catch (error) {
      report(false);
      throw error;
    }
  }

  wrote(operation: string, outcome: Outcome, detail?: unknown): void {
    this.writes.push({ operation, outcome });
    if (detail !== undefined) this.changes[operation] = detail;
  }

  putLink(remote: RemoteRef, applied: AppliedUser | AppliedGroup): void {
    this.linkChange = { put: { remote: { id: remote.id, key: remote.key }, applied } };
  }

  removeLink(): void {
    this.linkChange = { remove: true };
  }

  /** The link as it stands after what this job did so far (undefined when there is none). */
  currentApplied<T extends AppliedUser | AppliedGroup>(): { remote: RemoteRef; applied: T } | undefined {
    if (this.linkChange) return 'put' in this.linkChange ? (this.linkChange.put as { remote: RemoteRef; applied: T }) : undefined;
    if (!this.existingLink) return undefined;
    const applied = JSON.parse(this.existingLink.last_applied) as T;
    return { remote: { id: this.existingLink.remote_id, key: this.existingLink.remote_key ?? applied.key }, applied };
  }

  /** True when any connector write changed something on the target. */
  get applied(): boolean {
    return this.writes.some((write) => write.outcome === 'applied');
  }
}
