import type { RemoteRef, RemoteUser, TargetUser } from '../../connectors/sdk/contract';
import { ConflictError, NotFoundError, PermanentError } from '../../connectors/sdk/errors';
import type { DeliveryJob } from './delivery-job';
import { changesFor, type AppliedUser } from './diff';
import { claimKey, claimRemote, waitForHolder } from './remote-ownership';
import { groupMappingFor, userInScope } from './scope';
import { backInScope, holdScopeLeave } from './scope-leave';
import type { SyncContext } from './sync-context';
import { queueDependents, reopenResolvedReferences, unresolvedReferences } from './user-references';

/**
 * Brings one user on one target to its desired state: present (created or correlated, then updated
 * with the difference only, enabled) or deprovisioned by the target's policy.
 */
export async function syncUser(job: DeliveryJob, sync: SyncContext): Promise<void> {
  const user = sync.desired.user(job.subject.id);
  const target = job.runtime.settings;
  if (user && user.active && userInScope(target, user, sync.desired)) return ensurePresent(job, sync, job.runtime.mapping.user(user));
  if (!job.currentApplied()) return; // never provisioned there: nothing to take away
  const leftScopeOnly = user !== undefined && user.active && !user.deleted;
  if (leftScopeOnly && holdScopeLeave(job, sync)) return;
  await deprovision(job, sync, !user || user.deleted);
}

async function ensurePresent(job: DeliveryJob, sync: SyncContext, desired: TargetUser): Promise<void> {
  const current = job.currentApplied<AppliedUser>();
  if (!current) return correlateOrCreate(job, sync, desired);
  const applied = backInScope(current.applied);
  if (applied !== current.applied) job.putLink(current.remote, applied);
  try {
    await bringUpToDate(job, sync, current.remote, applied, desired);
  } catch (error) {
    if (!(error instanceof NotFoundError)) throw error;
    job.removeLink(); // deleted on the target behind our back: find it again or recreate it
    await correlateOrCreate(job, sync, desired);
  }
}

/**
 * Create first, correlate on conflict: the contract makes create of an existing account a ConflictError
 * carrying it, so a new user costs one call instead of find + create, and a create repeated after a
 * crash (done on the target, not yet linked here) adopts the account instead of duplicating it.
 */
async function correlateOrCreate(job: DeliveryJob, sync: SyncContext, desired: TargetUser): Promise<void> {
  const users = job.runtime.connector.users;
  if (claimKey(job, sync, desired.key) === 'wait') return waitForHolder(job);
  try {
    const created = await job.call('users.create', (ctx) => users.create(desired, ctx));
    job.wrote('users.create', 'applied', { key: desired.key, attributes: Object.keys(desired.attributes) });
    const applied: AppliedUser = { key: desired.key, attributes: desired.attributes, active: true, scimId: desired.scimId, unresolved: unresolvedReferences(job, sync, desired) };
    if (claimRemote(job, sync, created, applied) === 'wait') return waitForHolder(job);
    arrived(job, sync);
  } catch (error) {
    if (!(error instanceof ConflictError)) throw error;
    const existing = (error.existing as RemoteUser | undefined) ?? (await job.call('users.find', (ctx) => users.find(desired.key, ctx)));
    if (!existing) throw new PermanentError(`the target reports '${desired.key}' exists but cannot find it`, { cause: error });
    await adopt(job, sync, existing, desired);
  }
}

/** Links an account that already exists on the target, then changes only what differs from desired. */
async function adopt(job: DeliveryJob, sync: SyncContext, remote: RemoteUser, desired: TargetUser): Promise<void> {
  const attributes = Object.fromEntries(Object.keys(desired.attributes).map((field) => [field, remote.attributes[field] ?? null]));
  const applied: AppliedUser = { key: remote.key, attributes, active: remote.active, scimId: remote.scimId ?? null };
  if (claimRemote(job, sync, remote, applied) === 'wait') return waitForHolder(job);
  job.wrote('link', 'noop', { remoteId: remote.id });
  arrived(job, sync);
  await bringUpToDate(job, sync, remote, applied, desired);
}

async function bringUpToDate(job: DeliveryJob, sync: SyncContext, ref: RemoteRef, applied: AppliedUser, desired: TargetUser): Promise<void> {
  const users = job.runtime.connector.users;
  let state = applied;
  if (!state.active && users.enable) {
    const enable = users.enable.bind(users);
    job.wrote('users.enable', await job.call('users.enable', (ctx) => enable(ref, ctx)));
    state = { ...state, active: true, suspendedAt: undefined };
    job.putLink(ref, state);
    rejoinGroups(job, sync);
  }
  const changes = changesFor(reopenResolvedReferences(job, sync, state), desired);
  if (!changes) return;
  const outcome = await job.call('users.update', (ctx) => users.update(ref, changes, ctx));
  job.wrote('users.update', outcome, changes);
  const unresolved = unresolvedReferences(job, sync, desired);
  job.putLink({ id: ref.id, key: desired.key }, { ...state, key: desired.key, attributes: desired.attributes, scimId: desired.scimId, unresolved });
}

/** The user has an account on the target now (created or adopted): its groups and the users naming it follow. */
function arrived(job: DeliveryJob, sync: SyncContext): void {
  rejoinGroups(job, sync);
  queueDependents(job, sync);
}

/**
 * The user's presence on the target changed (created, adopted, enabled): the mapped groups it is a member
 * of add it (again). A group with a pending delivery adds it when that runs; any other is queued, since it
 * settled while the user was not there (deprovisioned, out of scope, not created yet).
 */
function rejoinGroups(job: DeliveryJob, sync: SyncContext): void {
  const target = job.runtime.settings;
  for (const group of sync.desired.groupsOf(job.subject.id)) {
    if (!groupMappingFor(target, group)) continue;
    const subject = { kind: 'group' as const, id: group.id };
    const queued = job.alsoEnqueue.some((other) => other.kind === 'group' && other.id === group.id);
    if (!queued && sync.queue.get(target.name, subject)?.state !== 'pending') job.alsoEnqueue.push(subject);
  }
}

type Action = 'suspend' | 'delete';

async function deprovision(job: DeliveryJob, sync: SyncContext, deleted: boolean): Promise<void> {
  const current = job.currentApplied<AppliedUser>();
  if (!current) return;
  const { mode, deleteAfterMs } = job.runtime.settings.deprovision;
  const now = sync.now().getTime();
  let action = effectiveAction(job, mode === 'delete' ? 'delete' : 'suspend');
  if (mode === 'suspend-then-delete' && action === 'suspend' && !current.applied.active) {
    const dueAt = Date.parse(current.applied.suspendedAt ?? new Date(now).toISOString()) + deleteAfterMs;
    if (now >= dueAt) action = effectiveAction(job, 'delete');
    else job.rescheduleInMs = dueAt - now;
  }
  try {
    if (action === 'delete') await deleteAccount(job, sync, current.remote);
    else await suspend(job, current.remote, current.applied, now);
  } catch (error) {
    if (!(error instanceof NotFoundError)) throw error;
    job.wrote('gone', 'noop');
    job.removeLink();
  }
  if (mode === 'suspend-then-delete' && action === 'suspend' && job.rescheduleInMs === undefined) job.rescheduleInMs = deleteAfterMs;
  // A deleted user suspended for good has been acknowledged: forget the link so the tombstone can go.
  if (deleted && mode === 'suspend') job.removeLink();
  if (deleted || action === 'delete') job.alsoEnqueue.push(...sync.groupsListing(job.runtime.name, job.subject.id));
}

/** The policy's action, or the other one when the connector cannot do it. */
function effectiveAction(job: DeliveryJob, wanted: Action): Action {
  const users = job.runtime.connector.users;
  const can = { suspend: users.disable !== undefined, delete: users.delete !== undefined };
  if (can[wanted]) return wanted;
  const fallback: Action = wanted === 'suspend' ? 'delete' : 'suspend';
  if (can[fallback]) return fallback;
  throw new PermanentError(`connector ${job.runtime.kind} can neither disable nor delete users`);
}

async function deleteAccount(job: DeliveryJob, sync: SyncContext, ref: RemoteRef): Promise<void> {
  const users = job.runtime.connector.users;
  const remove = users.delete!.bind(users);
  // The account may have moved to another subject (a rehire adopted it): then it is not ours to delete.
  if (sync.links.get(job.runtime.name, job.subject)?.remote_id === ref.id) {
    job.wrote('users.delete', await job.call('users.delete', (ctx) => remove(ref, ctx)));
  }
  job.removeLink();
}

async function suspend(job: DeliveryJob, ref: RemoteRef, applied: AppliedUser, now: number): Promise<void> {
  if (!applied.active) return;
  const users = job.runtime.connector.users;
  const disable = users.disable!.bind(users);
  job.wrote('users.disable', await job.call('users.disable', (ctx) => disable(ref, ctx)));
  job.putLink(ref, { ...applied, active: false, suspendedAt: new Date(now).toISOString() });
}
