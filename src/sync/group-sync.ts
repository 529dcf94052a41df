import type { GroupOperations, RemoteGroup, RemoteRef, TargetGroup } from '../../connectors/sdk/contract';
import { ConflictError, NotFoundError, PermanentError } from '../../connectors/sdk/errors';
import type { DeliveryJob } from './delivery-job';
import type { DesiredGroup } from './desired-state';
import { changesFor, type AppliedGroup } from './diff';
import { applyMembers, memberAccount, noteMember } from './group-members';
import { claimKey, claimRemote, waitForHolder } from './remote-ownership';
import { groupMappingFor } from './scope';
import type { GroupMappingConfig } from './target-config';
import type { SyncContext } from './sync-context';

/**
 * Brings one group on one target to its desired state: found or created, attributes updated, and
 * membership changed one addMember/removeMember per changed member (never a rewrite). A member whose
 * user is not on the target yet is left for a later pass, after that user has been created.
 */
export async function syncGroup(job: DeliveryJob, sync: SyncContext): Promise<void> {
  const groups = job.runtime.connector.groups;
  const group = sync.desired.group(job.subject.id);
  const mapping = group ? groupMappingFor(job.runtime.settings, group) : undefined;
  if (!group || !mapping) return withdraw(job, groups, sync, !group || group.deleted);
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
  const current = job.currentApplied<AppliedGroup>() ?? (await correlateOrCreate(job, groups, sync, desired, mapping.create));
  if (!current) return waitForHolder(job);
  const state = await updateAttributes(job, groups, current.remote, current.applied, desired);
  await applyMembers(job, groups, sync, current.remote, state, group.members);
}

/**
 * Like users: create first (one call) and adopt on conflict; without `create`, the group must be found.
 * undefined: another SCIM group holding the remote group is still being delivered (claimRemote).
 */
async function correlateOrCreate(job: DeliveryJob, groups: GroupOperations, sync: SyncContext, desired: TargetGroup, create: boolean) {
  if (!create) {
    const found = await findGroup(job, groups, desired.key);
    if (found) return adopt(job, sync, found, desired);
    throw new PermanentError(`group '${desired.key}' does not exist on the target and the mapping does not create it`);
  }
  if (claimKey(job, sync, desired.key) === 'wait') return undefined;
  try {
    const created = await job.call('groups.create', (ctx) => groups.create(desired, ctx));
    job.wrote('groups.create', 'applied', { key: desired.key });
    const applied: AppliedGroup = { key: desired.key, attributes: desired.attributes, members: {}, created: true, scimId: desired.scimId };
    return claimRemote(job, sync, created, applied) === 'linked' ? { remote: created, applied } : undefined;
  } catch (error) {
    if (!(error instanceof ConflictError)) throw error;
    const existing = (error.existing as RemoteGroup | undefined) ?? (await findGroup(job, groups, desired.key));
    if (!existing) throw new PermanentError(`the target reports group '${desired.key}' exists but cannot find it`, { cause: error });
    return adopt(job, sync, existing, desired);
  }
}

function findGroup(job: DeliveryJob, groups: GroupOperations, key: string): Promise<RemoteGroup | undefined> {
  const find = groups.find?.bind(groups);
  return find ? job.call('groups.find', (ctx) => find(key, ctx)) : Promise.resolve(undefined);
}

/** Members of an adopted group start unknown: adding is idempotent ('noop' when already there). */
function adopt(job: DeliveryJob, sync: SyncContext, remote: RemoteGroup, desired: TargetGroup) {
  const attributes = Object.fromEntries(Object.keys(desired.attributes).map((field) => [field, remote.attributes[field] ?? null]));
  const applied: AppliedGroup = { key: remote.key, attributes, members: {}, created: false, scimId: remote.scimId ?? null };
  if (claimRemote(job, sync, remote, applied) === 'wait') return undefined;
  job.wrote('link', 'noop', { remoteId: remote.id });
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

/**
 * The group is no longer pushed. Deleted in SCIM: delete the target group if the engine created it. Still
 * live but no longer matching a mapping (the mapping entry was removed or changed, another group took its
 * name): never delete - a target group can carry more than the members (permissions, repositories,
 * settings) - only take back the members the engine added. Either way a group it adopted keeps existing.
 */
async function withdraw(job: DeliveryJob, groups: GroupOperations | undefined, sync: SyncContext, deleted: boolean): Promise<void> {
  const current = job.currentApplied<AppliedGroup>();
  if (!current || !groups) return;
  const members = { ...current.applied.members };
  if (current.applied.created && deleted) {
    job.wrote('groups.delete', await job.call('groups.delete', (ctx) => groups.delete(current.remote, ctx)));
  } else {
    for (const [userId, entry] of Object.entries(members)) {
      const account = memberAccount(job, sync, userId, entry);
      job.wrote('groups.removeMember', await job.call('groups.removeMember', (ctx) => groups.removeMember(current.remote, account, ctx)));
      delete members[userId];
      noteMember(job, 'membersRemoved', userId);
      job.putLink(current.remote, { ...current.applied, members: { ...members } });
    }
  }
  job.removeLink();
}
