import type { GroupOperations, RemoteGroup, RemoteRef } from '../../connectors/sdk/contract';
import type { Link } from '../store';
import type { DesiredGroup } from '../sync/desired-state';
import type { AppliedGroup } from '../sync/diff';
import { userInScope } from '../sync/scope';
import { attributeDrift, projectAttributes, sameKey, type FieldDrift } from './drift';
import { desiredGroups, type DesiredAccounts, type DesiredGroupEntry } from './desired-index';
import { deliveryState, type RunContext } from './run-context';

export interface GroupScan {
  /** Groups the target listed. */
  listed: number;
  /** Groups desired on the target. */
  desired: number;
  /** Memberships listed in the groups compared with desired membership. */
  memberships: number;
}

/**
 * Streams the target's groups; for each group the target's mapping pushes there, compares attributes and
 * streams its members against desired membership (one group's members in memory at a time).
 */
export async function scanGroups(run: RunContext, groups: GroupOperations, accounts: DesiredAccounts): Promise<GroupScan> {
  const wanted = desiredGroups(run.store.db, run.target);
  const byId = new Map([...wanted.values()].map((entry) => [entry.id, entry]));
  let listed = 0;
  let memberships = 0;
  for await (const remote of groups.list({ pageSize: run.pageSize }, run.op)) {
    memberships += await classify(run, groups, accounts, remote, wanted, byId);
    run.progress('groups', ++listed);
  }
  for (const entry of wanted.values()) {
    if (entry.seen) continue;
    const subject = { kind: 'group' as const, id: entry.id };
    const link = run.store.links.get(run.target.name, subject);
    const delivery = deliveryState(run, subject);
    const note = link ? 'the linked group no longer exists on the target'
      : !entry.mapping.create ? 'does not exist and the mapping does not create it'
      : delivery ? `not created yet: ${delivery}` : 'not created yet';
    run.sink.emit({ kind: 'missing-group', subject, key: entry.mapping.target, action: 'create', note });
  }
  return { listed, desired: wanted.size, memberships };
}

/** Sorts one remote group; returns how many of its members were listed (0 when they were not compared). */
async function classify(
  run: RunContext, groups: GroupOperations, accounts: DesiredAccounts, remote: RemoteGroup,
  wanted: Map<string, DesiredGroupEntry>, byId: Map<string, DesiredGroupEntry>,
): Promise<number> {
  const link = run.store.links.byRemoteId(run.target.name, 'group', remote.id);
  const entry = link ? byId.get(link.subject_id) : wanted.get(remote.key.toLowerCase());
  const snapshot = { id: remote.id, key: remote.key };
  if (!entry || entry.seen) {
    if (link) orphanGroup(run, link, snapshot);
    else run.sink.emit({ kind: 'unmanaged-group', remote: snapshot, action: 'none' });
    return 0;
  }
  entry.seen = true;
  const group = run.desired.group(entry.id)!;
  const mapped = run.mapping.group(group, entry.mapping);
  if (!link) {
    run.sink.emit({
      kind: 'unlinked-match', subject: { kind: 'group', id: entry.id },
      remote: { ...snapshot, attributes: projectAttributes(Object.keys(mapped.attributes), remote.attributes) },
      fields: attributeDrift(mapped.attributes, remote.attributes), action: 'link',
    });
    return 0; // adopting adds every desired member (idempotently), so members are not compared yet
  }
  const fields: FieldDrift[] = attributeDrift(mapped.attributes, remote.attributes);
  if (!sameKey(mapped.key, remote.key)) fields.unshift({ field: 'key', desired: mapped.key, actual: remote.key });
  if (fields.length) run.sink.emit({ kind: 'attribute-drift', subject: { kind: 'group', id: entry.id }, remote: snapshot, fields, action: 'update' });
  return compareMembers(run, groups, accounts, group, remote);
}

/**
 * A group the engine pushed that is no longer pushed here. Withdrawing it does what the engine does: delete
 * it when the engine created it and the SCIM group is gone, else take back the members the engine added.
 */
function orphanGroup(run: RunContext, link: Link, remote: { id: string; key: string }): void {
  const applied = JSON.parse(link.last_applied) as AppliedGroup;
  const memberships = Object.keys(applied.members ?? {}).length;
  const scimGroup = run.desired.group(link.subject_id);
  const withdrawal = { deletesGroup: applied.created === true && (!scimGroup || scimGroup.deleted), memberships };
  const effect = withdrawal.deletesGroup ? 'the bridge created it and the SCIM group is deleted: withdrawing deletes it' : `withdrawing removes the ${memberships} members the bridge added and keeps the group`;
  run.sink.emit({ kind: 'orphaned-group', subject: { kind: 'group', id: link.subject_id }, remote, action: 'withdraw', withdrawal, note: `linked to a group no longer pushed to this target; ${effect}` });
}

async function compareMembers(run: RunContext, groups: GroupOperations, accounts: DesiredAccounts, group: DesiredGroup, remote: RemoteRef): Promise<number> {
  const subject = { kind: 'group' as const, id: group.id };
  const expected = new Map<string, { userId: string; link: Link }>();
  for (const member of group.members) {
    const link = run.store.links.get(run.target.name, { kind: 'user', id: member.id });
    // Users not on the target yet are missing accounts; the engine adds their memberships after creating them.
    if (link && belongsOnTarget(run, accounts, member)) expected.set(link.remote_id, { userId: member.id, link });
  }
  const actual = new Map<string, string>();
  for await (const member of groups.listMembers(remote, { pageSize: run.pageSize }, run.op)) actual.set(member.id, member.key);
  for (const [remoteId, { userId, link }] of expected) {
    if (actual.has(remoteId)) continue;
    run.sink.emit({ kind: 'missing-membership', subject, remote: { id: remote.id, key: remote.key }, member: { subjectId: userId, remote: { id: remoteId, key: link.remote_key ?? '' } }, action: 'add-member' });
  }
  for (const [remoteId, key] of actual) {
    if (expected.has(remoteId)) continue;
    const userLink = run.store.links.byRemoteId(run.target.name, 'user', remoteId);
    run.sink.emit({
      kind: 'extra-membership', subject, remote: { id: remote.id, key: remote.key },
      member: { ...(userLink ? { subjectId: userLink.subject_id } : {}), remote: { id: remoteId, key } },
      action: userLink ? 'remove-member' : 'none',
      ...(userLink ? {} : { note: 'the member is an account the bridge does not manage: listed, not removed' }),
    });
  }
  return actual.size;
}

/** The engine's rule: a member in the target's scope that is active, or suspended but still linked there. */
function belongsOnTarget(run: RunContext, accounts: DesiredAccounts, member: { id: string; active: boolean }): boolean {
  if (accounts.byIdOf(member.id)) return true;
  if (member.active) return false;
  const user = run.desired.user(member.id);
  return !!user && userInScope(run.target, user, run.desired);
}
