import type { GroupOperations, RemoteGroup, RemoteRef, TargetGroup } from '../../connectors/sdk/contract';
import { ConflictError, NotFoundError, PermanentError } from '../../connectors/sdk/errors';
import type { DeliveryJob } from './delivery-job';
import type { DesiredGroup } from './desired-state';
import { changesFor, diffMembers, type AppliedGroup } from './diff';
import { groupMappingFor, userInScope } from './scope';
import type { GroupMappingConfig } from './target-config';
import type { SyncContext } from './sync-context';

/** How long a group waits for members whose users are not on the target yet. */
export const MEMBER_WAIT_MS = 100;

/**
 * Brings one group on one target to its desired state: found or created, attributes updated, and
 * membership changed one addMember/removeMember per changed member (never a rewrite). A member whose
 * user is not on the target yet is left for a later pass, after that user has been created.
 */
export async function syncGroup(job: DeliveryJob, sync: SyncContext): Promise<void> {
  const groups = job.runtime.connector.groups;
  const group = sync.desired.group(job.subject.id);
  const mapping = group ? groupMappingFor(job.runtime.settings, group) : undefined;
  if (!group || !mapping) return withdraw(job, groups);
  if (!groups) throw new PermanentError(`connector ${job.runtime.kind} has no groups; remove the target's group mapping`);
  try {
    await ensureGroup(job, groups, sync, group, mapping);
  } catch (error) {
    // The group vanished on the target: forget it; the retry finds or recreates it and re-adds members.
    if (error instanceof NotFoundError) job.removeLink();
    throw error;
  }
}

async function ensureGroup(job: DeliveryJob, groups: GroupOperations, sync: SyncContext, group: DesiredGroup, mapping: Required<GroupMappingConfig>) {
  const desired = job.runtime.mapping.group(group, mapping);
  const current = job.currentApplied<AppliedGroup>() ?? (await correlateOrCreate(job, groups, desired, mapping.create));
  const state = await updateAttributes(job, groups, current.remote, current.applied, desired);
  await applyMembers(job, groups, sync, current.remote, state, group.members);
}

/** Like users: create first (one call) and adopt on conflict; without `create`, the group must be found. */
async function correlateOrCreate(job: DeliveryJob, groups: GroupOperations, desired: TargetGroup, create: boolean) {
  if (!create) {
    const found = await findGroup(job, groups, desired.key);
    if (found) return adopt(job, found, desired, false);
    throw new PermanentError(`group '${desired.key}' does not exist on the target and the mapping does not create it`);
  }
  try {
    const created = await job.call('groups.create', (ctx) => groups.create(desired, ctx));
    job.wrote('groups.create', 'applied', { key: desired.key });
    const applied: AppliedGroup = { key: desired.key, attributes: desired.attributes, members: {}, created: true, scimId: desired.scimId };
    job.putLink(created, applied);
    return { remote: created, applied };
  } catch (error) {
    if (!(error instanceof ConflictError)) throw error;
    const existing = (error.existing as RemoteGroup | undefined) ?? (await findGroup(job, groups, desired.key));
    if (!existing) throw new PermanentError(`the target reports group '${desired.key}' exists but cannot find it`, { cause: error });
    return adopt(job, existing, desired, false);
  }
}

function findGroup(job: DeliveryJob, groups: GroupOperations, key: string): Promise<RemoteGroup | undefined> {
  const find = groups.find?.bind(groups);
  return find ? job.call('groups.find', (ctx) => find(key, ctx)) : Promise.resolve(undefined);
}

/** Members of an adopted group start unknown: adding is idempotent ('noop' when already there). */
function adopt(job: DeliveryJob, remote: RemoteGroup, desired: TargetGroup, created: boolean) {
  const attributes = Object.fromEntries(Object.keys(desired.attributes).map((field) => [field, remote.attributes[field] ?? null]));
  const applied: AppliedGroup = { key: remote.key, attributes, members: {}, created, scimId: remote.scimId ?? null };
  job.wrote('link', 'noop', { remoteId: remote.id });
  job.putLink(remote, applied);
  return { remote: remote as RemoteRef, applied };
}

async function updateAttributes(job: DeliveryJob, groups: GroupOperations, ref: RemoteRef, applied: AppliedGroup, desired: TargetGroup) {
  const changes = changesFor(applied, desired);
  if (!changes || !groups.update) return applied;
  const update = groups.update.bind(groups);
  job.wrote('groups.update', await job.call('groups.update', (ctx) => update(ref, changes, ctx)), changes);
  const next: AppliedGroup = { ...applied, key: desired.key, attributes: desired.attributes, scimId: desired.scimId };
  job.putLink({ id: ref.id, key: desired.key }, next);
  return next;
}

async function applyMembers(job: DeliveryJob, groups: GroupOperations, sync: SyncContext, ref: RemoteRef, applied: AppliedGroup, desiredMembers: DesiredGroup['members']) {
  const target = job.runtime.settings;
  const members = { ...applied.members };
  const waiting: string[] = [];
  const wanted = desiredMembers.filter((member) => belongsOnTarget(job, sync, member)).map((member) => member.id);
  const { add, remove } = diffMembers(Object.keys(members), wanted);
  // The link holds `members` itself, which fills in call by call: a failure part way keeps what succeeded.
  if (add.length || remove.length) job.putLink(ref, { ...applied, members });
  for (const userId of add) {
    const userLink = sync.links.get(target.name, { kind: 'user', id: userId });
    if (!userLink) {
      waiting.push(userId);
      continue;
    }
    const userRef = { id: userLink.remote_id, key: userLink.remote_key ?? '' };
    job.wrote('groups.addMember', await job.call('groups.addMember', (ctx) => groups.addMember(ref, userRef, ctx)), undefined);
    members[userId] = userRef;
  }
  for (const userId of remove) {
    const userRef = members[userId];
    job.wrote('groups.removeMember', await job.call('groups.removeMember', (ctx) => groups.removeMember(ref, userRef, ctx)), undefined);
    delete members[userId];
  }
  recordMembershipChanges(job, add.filter((id) => members[id]), remove);
  waitFor(job, sync, waiting);
}

/**
 * A member is pushed when its user is in the target's scope and is (or stays, suspended) on the target:
 * an inactive user that was never provisioned there is no member there either.
 */
function belongsOnTarget(job: DeliveryJob, sync: SyncContext, member: { id: string; active: boolean }): boolean {
  const target = job.runtime.settings;
  const userRef = { kind: 'user' as const, id: member.id };
  if (target.scope.groups || target.scope.filter) {
    const user = sync.desired.user(member.id);
    if (!user || !userInScope(target, user, sync.desired)) return false;
  }
  return member.active || sync.links.get(target.name, userRef) !== undefined;
}

function recordMembershipChanges(job: DeliveryJob, added: string[], removed: string[]): void {
  if (added.length) job.changes.membersAdded = added;
  if (removed.length) job.changes.membersRemoved = removed;
}

/**
 * Users not on the target yet: make sure they are queued (unless dead there), and come back when the
 * earliest of them is due (a user in backoff does not make the group spin), but not sooner than MEMBER_WAIT_MS.
 */
function waitFor(job: DeliveryJob, sync: SyncContext, userIds: string[]): void {
  const target = job.runtime.name;
  const now = sync.now().getTime();
  let earliest: number | undefined;
  for (const id of userIds) {
    const queued = sync.queue.get(target, { kind: 'user', id });
    if (queued?.state === 'dead') continue;
    if (!queued) job.alsoEnqueue.push({ kind: 'user', id });
    const due = queued?.state === 'pending' ? queued.due_at : now;
    earliest = Math.min(earliest ?? due, due);
  }
  if (earliest !== undefined) job.rescheduleInMs = Math.max(MEMBER_WAIT_MS, earliest - now + MEMBER_WAIT_MS);
}

/** The group is no longer pushed: delete it if the engine created it, else take back the members it added. */
async function withdraw(job: DeliveryJob, groups: GroupOperations | undefined): Promise<void> {
  const current = job.currentApplied<AppliedGroup>();
  if (!current || !groups) return;
  const members = { ...current.applied.members };
  if (current.applied.created) {
    job.wrote('groups.delete', await job.call('groups.delete', (ctx) => groups.delete(current.remote, ctx)));
  } else {
    for (const [userId, userRef] of Object.entries(members)) {
      job.wrote('groups.removeMember', await job.call('groups.removeMember', (ctx) => groups.removeMember(current.remote, userRef, ctx)));
      delete members[userId];
      job.putLink(current.remote, { ...current.applied, members: { ...members } });
    }
  }
  job.removeLink();
}
