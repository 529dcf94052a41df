import type { Attributes, TargetUser } from '../../connectors/sdk/contract';
import { enterpriseUserSchema } from '../store/filter/schema-catalogue';
import type { DeliveryJob } from './delivery-job';
import type { AppliedUser } from './diff';
import type { SyncContext } from './sync-context';

/**
 * SCIM attributes whose value is the id of another user (RFC 7643 4.3: the enterprise `manager.value`).
 * A target field mapped from one depends on that user: a connector can only express the relation once the
 * named user exists on the target (Google Workspace writes the manager's address). Migration 12 indexes it.
 */
export const MANAGER_PATH = `${enterpriseUserSchema}:manager.value`;
export const MANAGER_JSON_PATH = `$."${enterpriseUserSchema}".manager.value`;

/** Live users naming @user as their manager that are on @target or queued for it (served by users_manager). */
export const USERS_NAMING_SQL = `
  SELECT u.id FROM users u
  WHERE json_extract(u.resource, '${MANAGER_JSON_PATH}') = @user AND u.deleted_at IS NULL AND u.id <> @user
    AND (EXISTS (SELECT 1 FROM links l WHERE l.target = @target AND l.subject_kind = 'user' AND l.subject_id = u.id)
      OR EXISTS (SELECT 1 FROM sync_queue q WHERE q.target = @target AND q.subject_kind = 'user' AND q.subject_id = u.id))`;

/** The target fields whose mapping is a reference to another user. */
export function userReferenceFields(attributes: Record<string, string>): string[] {
  return Object.entries(attributes).filter(([, expression]) => expression.trim().toLowerCase() === MANAGER_PATH.toLowerCase()).map(([field]) => field);
}

/** The reference fields of `desired` naming a user who has no account on the target yet. */
export function unresolvedReferences(job: DeliveryJob, sync: SyncContext, desired: TargetUser): string[] | undefined {
  const unresolved = job.runtime.settings.userReferences.filter((field) => {
    const userId = desired.attributes[field];
    return typeof userId === 'string' && userId !== '' && !sync.links.get(job.runtime.name, { kind: 'user', id: userId });
  });
  return unresolved.length ? unresolved : undefined;
}

/**
 * The applied state with each reference field that was applied while its user was missing, and whose user
 * is on the target now, taken out: the difference then sends it again and the connector can resolve it.
 */
export function reopenResolvedReferences(job: DeliveryJob, sync: SyncContext, applied: AppliedUser): AppliedUser {
  const resolved = (applied.unresolved ?? []).filter((field) => {
    const userId = applied.attributes[field];
    return typeof userId === 'string' && sync.links.get(job.runtime.name, { kind: 'user', id: userId }) !== undefined;
  });
  if (resolved.length === 0) return applied;
  const attributes: Attributes = { ...applied.attributes };
  for (const field of resolved) delete attributes[field];
  return { ...applied, attributes };
}

/**
 * The job's user now has an account on the target (created or adopted): users whose reference fields name
 * it and that are (or are being) delivered there are queued, so a report delivered before its manager
 * gets the relation without waiting for a reconciliation.
 */
export function queueDependents(job: DeliveryJob, sync: SyncContext): void {
  if (job.runtime.settings.userReferences.length === 0) return;
  for (const id of sync.usersNaming(job.runtime.name, job.subject.id)) job.alsoEnqueue.push({ kind: 'user', id });
}
