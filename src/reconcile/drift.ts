import canonicalize from 'canonicalize';
import type { Attributes, JsonValue } from '../../connectors/sdk/contract';
import type { SubjectKind } from '../store';

/** What a run can find. Each kind says what differs between the target and desired state. */
export type FindingKind =
  | 'missing-account'
  | 'orphaned-account'
  | 'unmanaged-account'
  | 'attribute-drift'
  | 'unlinked-match'
  | 'missing-group'
  | 'orphaned-group'
  | 'unmanaged-group'
  | 'missing-membership'
  | 'extra-membership';

/**
 * What fixing the finding does on the sync path (never a connector call from here):
 * `create`/`update`/`link`/`add-member`/`remove-member`/`suspend`/`delete`/`withdraw` enqueue the subject
 * (after correcting the link the engine diffs against); `none` is only reported (unmanaged: never touched).
 */
export type FixAction = 'create' | 'update' | 'link' | 'suspend' | 'delete' | 'withdraw' | 'add-member' | 'remove-member' | 'none';

/** What became of the planned fix: `planned` in report mode and dry runs; `blocked` by the blast radius. */
export type FixStatus = 'planned' | 'applied' | 'blocked' | 'superseded' | 'deferred' | 'not-fixable';

export interface FieldDrift {
  field: string;
  desired: JsonValue | null;
  actual: JsonValue | null;
}

/** What a fix needs to know about the remote object, captured while listing. */
export interface RemoteSnapshot {
  id: string;
  key: string;
  active?: boolean;
  /** The remote's values of the desired fields (attribute drift, adoption of an unlinked account). */
  attributes?: Attributes;
}

export interface Finding {
  kind: FindingKind;
  subject?: { kind: SubjectKind; id: string };
  remote?: RemoteSnapshot;
  /** The target's key for what is missing there (no remote object to name it). */
  key?: string;
  action: FixAction;
  /** For attribute drift (`key` and `active` count as fields). */
  fields?: FieldDrift[];
  /** For membership findings: the user whose membership differs (bridge id when known, and remote). */
  member?: { subjectId?: string; remote: { id: string; key: string } };
  /** For an orphaned group: what the engine's withdrawal takes away (it deletes only groups it created whose SCIM group is deleted). */
  withdrawal?: { deletesGroup: boolean; memberships: number };
  note?: string;
}

/** What fixing a finding takes away on the target, counted against the blast-radius limits. */
export interface Removals {
  /** Accounts suspended or deleted, groups deleted (maxDeletes). */
  deletions: number;
  /** Members taken out of groups (maxMembershipRemovals). */
  membershipRemovals: number;
}

export function removalsOf(finding: Finding): Removals {
  switch (finding.action) {
    case 'suspend':
    case 'delete':
      return { deletions: 1, membershipRemovals: 0 };
    case 'remove-member':
      return { deletions: 0, membershipRemovals: 1 };
    case 'withdraw': {
      // Without the link's detail, assume the worse: a group deleted.
      const withdrawal = finding.withdrawal ?? { deletesGroup: true, memberships: 0 };
      return withdrawal.deletesGroup ? { deletions: 1, membershipRemovals: 0 } : { deletions: 0, membershipRemovals: withdrawal.memberships };
    }
    default:
      return { deletions: 0, membershipRemovals: 0 };
  }
}

/** Null, undefined and '' all mean "no value"; everything else compares by canonical JSON, so 42 ≠ "42" never flags twice. */
export function normalizedValue(value: JsonValue | undefined): string | null {
  if (value === undefined || value === null || value === '') return null;
  if (typeof value === 'string') return value;
  if (typeof value === 'number' || typeof value === 'boolean') return String(value);
  return canonicalize(value) ?? null;
}

/** Fields of `desired` whose value the remote does not hold. Fields the mapping yields no value for are not managed. */
export function attributeDrift(desired: Attributes, actual: Attributes): FieldDrift[] {
  const drift: FieldDrift[] = [];
  for (const [field, value] of Object.entries(desired)) {
    if (normalizedValue(value) !== normalizedValue(actual[field])) drift.push({ field, desired: value, actual: actual[field] ?? null });
  }
  return drift;
}

/** The remote's values for the fields desired state sets (null where it holds none). */
export function projectAttributes(fields: Iterable<string>, actual: Attributes): Attributes {
  const projected: Attributes = {};
  for (const field of fields) projected[field] = actual[field] ?? null;
  return projected;
}

export function sameKey(a: string, b: string): boolean {
  return a.toLowerCase() === b.toLowerCase();
}

export function subjectLabel(subject: { kind: SubjectKind; id: string } | undefined): string | null {
  return subject ? `${subject.kind}:${subject.id}` : null;
}
