import type { RemoteRef } from '../../connectors/sdk/contract';
import type { Link, SubjectRef } from '../store';
import type { DeliveryJob } from './delivery-job';
import type { AppliedGroup, AppliedUser } from './diff';
import { MappingError } from './mapping';
import { groupMappingFor } from './scope';
import type { SyncContext } from './sync-context';

/** How long a subject waits for the delivery of the subject that still holds the remote object it wants. */
export const HOLDER_WAIT_MS = 1000;

/** Two live subjects map to one remote object: a data conflict to fix in the directory, never merged. */
export class SharedRemoteError extends MappingError {
  constructor(message: string) {
    super(message);
    this.name = 'SharedRemoteError';
  }
}

/**
 * Links `remote` to the job's subject. A remote object belongs to one subject per target (links_remote is
 * unique). When another subject holds it:
 * - that subject's delivery is running or due: 'wait' (it may be moving the object away, or deleting it);
 * - it is a live group no longer mapped here: queue its withdrawal and 'wait';
 * - that subject is gone from the directory (a rehire adopting the account of the deleted user it
 *   replaces): ownership moves at once, in its own transaction, so the old subject's pending deprovision
 *   (a scheduled delete) can no longer reach the account, whichever runs first;
 * - that subject is live: two users (or groups) map to one remote object. SharedRemoteError: the item is
 *   dead-lettered with both ids, and the holder's account is not touched.
 */
export function claimRemote(job: DeliveryJob, sync: SyncContext, remote: RemoteRef, applied: AppliedUser | AppliedGroup): 'linked' | 'wait' {
  const holder = sync.links.byRemoteId(job.runtime.name, job.subject.kind, remote.id);
  if (holder && holder.subject_id !== job.subject.id) {
    if (holderVerdict(job, sync, holder, remote) === 'wait') return 'wait';
    transfer(job, sync, holder, remote, applied);
    job.changes.takenOver = { remoteId: remote.id, from: `${holder.subject_kind}:${holder.subject_id}` };
  }
  job.putLink(remote, applied);
  return 'linked';
}

/**
 * Before creating `key` on the target: another subject linked to a remote object with that key is the
 * same conflict as above, whether or not the target would refuse the duplicate (AWS IAM refuses a
 * second group of one name, a SCIM server may accept it). 'free': nobody live holds it, create; a
 * deleted holder's account is taken over when the create finds it there (claimRemote).
 */
export function claimKey(job: DeliveryJob, sync: SyncContext, key: string): 'free' | 'wait' {
  const holder = sync.links.holderOfKey(job.runtime.name, job.subject, key);
  if (!holder) return 'free';
  return holderVerdict(job, sync, holder, { id: holder.remote_id, key }) === 'wait' ? 'wait' : 'free';
}

/** What to do about another subject's link to the remote object: wait for it, take it over ('gone'), or conflict (throws). */
function holderVerdict(job: DeliveryJob, sync: SyncContext, holder: Link, remote: RemoteRef): 'wait' | 'gone' {
  const previous: SubjectRef = { kind: holder.subject_kind, id: holder.subject_id };
  if (deliveryUnderway(sync, job.runtime.name, previous)) return 'wait';
  if (releasing(job, sync, previous)) {
    job.alsoEnqueue.push(previous);
    return 'wait';
  }
  if (sync.desired.isLive(previous)) throw new SharedRemoteError(conflictMessage(job, remote, previous));
  return 'gone';
}

/** Waits come back after HOLDER_WAIT_MS without counting an attempt. */
export function waitForHolder(job: DeliveryJob): void {
  job.rescheduleInMs = HOLDER_WAIT_MS;
}

function deliveryUnderway(sync: SyncContext, target: string, subject: SubjectRef): boolean {
  const row = sync.queue.get(target, subject);
  return row !== undefined && (row.state === 'inflight' || (row.state === 'pending' && row.due_at <= sync.now().getTime()));
}

/**
 * A live group that no longer matches a mapping (another group took its name) gives its remote group up
 * when its withdrawal runs. A live user keeps its account even when suspended: that is a conflict.
 */
function releasing(job: DeliveryJob, sync: SyncContext, holder: SubjectRef): boolean {
  // A withdrawal that is dead will not release it by itself: that is the conflict to show.
  if (holder.kind !== 'group' || sync.queue.get(job.runtime.name, holder)?.state === 'dead') return false;
  const group = sync.desired.group(holder.id);
  return group !== undefined && !group.deleted && groupMappingFor(job.runtime.settings, group) === undefined;
}

function transfer(job: DeliveryJob, sync: SyncContext, holder: Link, remote: RemoteRef, applied: AppliedUser | AppliedGroup): void {
  const target = job.runtime.name;
  const previous: SubjectRef = { kind: holder.subject_kind, id: holder.subject_id };
  sync.transaction(() => {
    sync.links.remove(target, previous);
    sync.links.put(target, job.subject, remote, applied);
    // The previous holder's row (a scheduled delete) runs now and finds nothing left to do, so its tombstone
    // can go; groups that listed it drop it without touching the account.
    for (const subject of [previous, ...(previous.kind === 'user' ? sync.groupsListing(target, previous.id) : [])]) {
      sync.queue.enqueue(target, subject, job.item.request_id);
    }
    sync.ledger.append({
      actor: 'sync-engine', source: 'engine', requestId: job.item.request_id, kind: 'link.transferred',
      subject: `${job.subject.kind}:${job.subject.id}`, target,
      before: { subject: `${previous.kind}:${previous.id}`, remoteId: holder.remote_id },
      after: { subject: `${job.subject.kind}:${job.subject.id}`, remoteId: remote.id },
      reason: `the ${previous.kind} that held ${job.subject.kind === 'user' ? 'the account' : 'the group'} '${remote.key}' was deleted`,
    });
  });
}

function conflictMessage(job: DeliveryJob, remote: RemoteRef, holder: SubjectRef): string {
  const what = job.subject.kind === 'user' ? 'account' : 'group';
  return `${what} '${remote.key}' (remote id ${remote.id}) on target ${job.runtime.name} already belongs to ${holder.kind} ${holder.id}, ` +
    `which is still in the directory: both map to the same ${what}. Change the key of one of them, or delete the other, then retry`;
}
