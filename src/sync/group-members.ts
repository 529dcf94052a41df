import type { GroupOperations, RemoteRef } from '../../connectors/sdk/contract';
import { NotFoundError, PermanentError, RetryableError } from '../../connectors/sdk/errors';
import type { DeliveryJob } from './delivery-job';
import type { DesiredGroup } from './desired-state';
import type { AppliedGroup } from './diff';
import { userInScope } from './scope';
import { heldForScopeLeave } from './scope-leave';
import type { SyncContext } from './sync-context';

/** How long a group waits for members whose users are not on the target yet. */
export const MEMBER_WAIT_MS = 100;

type Operation = 'groups.addMember' | 'groups.removeMember';

/** A member change the target refused; the others are applied regardless. */
export interface MemberFailure {
  userId: string;
  operation: Operation;
  error: string;
}

/** Some member changes were refused for good: the group is dead-lettered, naming each (the rest is applied). */
export class MemberChangesRefused extends PermanentError {
  constructor(readonly failures: MemberFailure[]) {
    super(`${failures.length} member change(s) refused, the others applied: ` +
      failures.map((failure) => `${failure.operation} user ${failure.userId}: ${failure.error}`).join('; '));
  }
}

interface MemberPlan {
  add: Array<[userId: string, account: RemoteRef]>;
  remove: string[];
  /** Wanted members whose account was renamed on the target since the entry was written (same account). */
  rekeyed: Array<[userId: string, account: RemoteRef]>;
  /** Wanted members whose users are not (or no longer) linked on the target. */
  waiting: string[];
  /** The accounts of wanted members: a departing entry holding one of them is dropped without a call. */
  wantedAccounts: Set<string>;
}

/**
 * Changes the group's membership one addMember/removeMember per changed member. Each member stands on its
 * own: a member whose account the target no longer has is re-provisioned (its link dropped, the user queued)
 * and one the target refuses is recorded, while the others are applied. Rate limits and transient failures
 * stop the pass (the link keeps what succeeded); a group that is gone stops it too (NotFoundError).
 */
export async function applyMembers(
  job: DeliveryJob, groups: GroupOperations, sync: SyncContext, ref: RemoteRef, applied: AppliedGroup, desiredMembers: DesiredGroup['members'],
): Promise<void> {
  // The link holds `members` itself, which fills in call by call: a failure part way keeps what succeeded.
  const members = { ...applied.members };
  const plan = planMembers(job, sync, members, desiredMembers);
  for (const [userId, account] of plan.rekeyed) members[userId] = account;
  if (plan.add.length || plan.remove.length || plan.rekeyed.length) job.putLink(ref, { ...applied, members });
  // Evidence goes into the job's changes as each call succeeds: whatever stops the pass, the ledger row
  // committed with the link names every member the link now holds or no longer holds.
  const failures: MemberFailure[] = [];
  const gone: string[] = [];
  for (const [userId, account] of plan.add) {
    const result = await addMember(job, groups, ref, account);
    if (result === 'applied' || result === 'noop') {
      members[userId] = account;
      noteMember(job, 'membersAdded', userId);
    } else if (result === 'user-gone') {
      gone.push(forgetAccount(job, members, userId, account));
      noteMember(job, 'membersGone', userId);
    } else {
      failures.push({ userId, operation: 'groups.addMember', error: job.runtime.scrub(result.message) });
      job.changes.memberFailures = failures;
    }
  }
  for (const userId of plan.remove) {
    const account = memberAccount(job, sync, userId, members[userId]);
    const failure = plan.wantedAccounts.has(account.id) ? undefined : await removeMember(job, groups, ref, account);
    if (failure) {
      failures.push({ userId, operation: 'groups.removeMember', error: job.runtime.scrub(failure.message) });
      job.changes.memberFailures = failures;
    } else {
      delete members[userId];
      noteMember(job, 'membersRemoved', userId);
    }
  }
  if (failures.length) throw new MemberChangesRefused(failures);
  if (gone.length) throw new RetryableError(`the target no longer has the account of member(s) ${gone.join(', ')}; re-provisioning them`);
  waitFor(job, sync, plan.waiting);
}

function planMembers(job: DeliveryJob, sync: SyncContext, members: AppliedGroup['members'], desiredMembers: DesiredGroup['members']): MemberPlan {
  const plan: MemberPlan = { add: [], remove: [], rekeyed: [], waiting: [], wantedAccounts: new Set() };
  const wanted = new Set<string>();
  for (const member of desiredMembers) {
    if (!belongsOnTarget(job, sync, member)) continue;
    wanted.add(member.id);
    const link = sync.links.get(job.runtime.name, { kind: 'user', id: member.id });
    if (!link) {
      plan.waiting.push(member.id);
      continue;
    }
    plan.wantedAccounts.add(link.remote_id);
    const account = { id: link.remote_id, key: link.remote_key ?? '' };
    // Also when the entry names another account: the user was re-created or adopted another one since.
    if (members[member.id]?.id !== account.id) plan.add.push([member.id, account]);
    else if (members[member.id].key !== account.key) plan.rekeyed.push([member.id, account]);
  }
  plan.remove = Object.keys(members).filter((id) => !wanted.has(id));
  return plan;
}

async function addMember(job: DeliveryJob, groups: GroupOperations, group: RemoteRef, account: RemoteRef) {
  try {
    const outcome = await job.call('groups.addMember', (ctx) => groups.addMember(group, account, ctx));
    job.wrote('groups.addMember', outcome);
    return outcome;
  } catch (error) {
    if (error instanceof NotFoundError && (await userIsGone(job, groups, group, error))) return 'user-gone' as const;
    if (error instanceof PermanentError) return error;
    throw error;
  }
}

/** undefined when removed (or already gone), the refusal otherwise. */
async function removeMember(job: DeliveryJob, groups: GroupOperations, group: RemoteRef, account: RemoteRef): Promise<PermanentError | undefined> {
  try {
    job.wrote('groups.removeMember', await job.call('groups.removeMember', (ctx) => groups.removeMember(group, account, ctx)));
    return undefined;
  } catch (error) {
    if (error instanceof NotFoundError) return undefined;
    if (error instanceof PermanentError) return error;
    throw error;
  }
}

/** addMember says the group or the user is gone: the connector's `subject`, or else a read of the group. */
async function userIsGone(job: DeliveryJob, groups: GroupOperations, group: RemoteRef, error: NotFoundError): Promise<boolean> {
  if (error.subject) return error.subject === 'user';
  try {
    const find = groups.find?.bind(groups);
    if (find) return (await job.call('groups.find', (ctx) => find(group.key, ctx)))?.id === group.id;
    const listMembers = groups.listMembers.bind(groups);
    await job.call('groups.listMembers', async (ctx) => {
      for await (const member of listMembers(group, { pageSize: 1 }, ctx)) return member;
      return undefined;
    });
    return true;
  } catch (probeError) {
    if (probeError instanceof NotFoundError) return false;
    throw probeError;
  }
}

/** The target lost the member's account: drop the user's link (if still that account) and queue the user. */
function forgetAccount(job: DeliveryJob, members: AppliedGroup['members'], userId: string, account: RemoteRef): string {
  const user = { kind: 'user' as const, id: userId };
  job.staleLinks.push({ subject: user, remoteId: account.id });
  job.alsoEnqueue.push(user);
  delete members[userId];
  return userId;
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
    if (!user) return false;
    // One who left the scope keeps their memberships as long as their account is held (scope-leave.ts).
    if (!userInScope(target, user, sync.desired)) return member.active && heldForScopeLeave(job, sync, member.id);
  }
  return member.active || sync.links.get(target.name, userRef) !== undefined;
}

/**
 * The account to take out of a group for a user: the one the user's link names now, so a member whose
 * account was re-keyed since it was added (a GitHub invitation that became a login) is removed under its
 * current key; the group's own entry only when the user has no link any more.
 */
export function memberAccount(job: DeliveryJob, sync: SyncContext, userId: string, entry: RemoteRef): RemoteRef {
  const link = sync.links.get(job.runtime.name, { kind: 'user', id: userId });
  return link ? { id: link.remote_id, key: link.remote_key ?? entry.key } : entry;
}

/** Adds a member to the job's ledger evidence (`changes.membersAdded` …) the moment the target has it so. */
export function noteMember(job: DeliveryJob, list: 'membersAdded' | 'membersRemoved' | 'membersGone', userId: string): void {
  ((job.changes[list] ??= []) as string[]).push(userId);
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
