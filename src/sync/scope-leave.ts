import type { DeliveryJob } from './delivery-job';
import type { AppliedUser } from './diff';
import type { SyncContext } from './sync-context';

/**
 * A user who left the target's scope but is still active in the directory (out of every scope group, no
 * longer matching the filter) keeps the account for the target's scopeLeaveGraceMs: an IdP moving someone
 * from one scope group to another sends the removal and the addition in separate requests, and a delivery
 * in between must not suspend or delete the account. Level-triggered: the grace is a due time in the
 * queue, and when it comes the engine reads the desired state again. Counted from when the engine first
 * saw the user out of scope (links.last_applied.leftScopeAt), never shorter than configured.
 */

/** When the grace of an account whose user is out of scope ends; undefined when it is not (or no longer) held. */
function heldUntil(graceMs: number, applied: AppliedUser, now: number): number | undefined {
  if (graceMs === 0 || !applied.active) return undefined;
  const until = (applied.leftScopeAt ? Date.parse(applied.leftScopeAt) : now) + graceMs;
  return now < until ? until : undefined;
}

/** Holds the deprovision of the job's user (out of scope, still active) while the grace runs: true when held. */
export function holdScopeLeave(job: DeliveryJob, sync: SyncContext): boolean {
  const current = job.currentApplied<AppliedUser>();
  if (!current) return false;
  const now = sync.now().getTime();
  const until = heldUntil(job.runtime.settings.deprovision.scopeLeaveGraceMs, current.applied, now);
  if (until === undefined) return false;
  if (!current.applied.leftScopeAt) job.putLink(current.remote, { ...current.applied, leftScopeAt: new Date(now).toISOString() });
  job.rescheduleInMs = until - now;
  return true;
}

/** Whether an out-of-scope member still has their account held on the job's target (so stays a member). */
export function heldForScopeLeave(job: DeliveryJob, sync: SyncContext, userId: string): boolean {
  const link = sync.links.get(job.runtime.name, { kind: 'user', id: userId });
  if (!link) return false;
  return heldUntil(job.runtime.settings.deprovision.scopeLeaveGraceMs, JSON.parse(link.last_applied) as AppliedUser, sync.now().getTime()) !== undefined;
}

/** The user is in scope again: the account is no longer leaving (a later leave starts a new grace). */
export function backInScope(applied: AppliedUser): AppliedUser {
  if (!applied.leftScopeAt) return applied;
  const { leftScopeAt: _ended, ...rest } = applied;
  return rest;
}
