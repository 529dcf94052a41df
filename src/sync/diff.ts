import { isDeepStrictEqual } from 'node:util';
import type { Attributes, Changes, RemoteRef, TargetGroup, TargetUser } from '../../connectors/sdk/contract';

/** What the engine last applied to a user on a target (links.last_applied). */
export interface AppliedUser {
  key: string;
  attributes: Attributes;
  /** false: suspended on the target. */
  active: boolean;
  /** When the engine suspended the account as a deprovision (suspend-then-delete counts from here). */
  suspendedAt?: string;
  /** The bridge id the remote account carries as far as the engine knows (null: none or unknown). */
  scimId?: string | null;
  /** Reference fields (a manager) applied while the user they name had no account there (user-references.ts). */
  unresolved?: string[];
  /** When the engine first found the user out of the target's scope while still active (scope-leave.ts). */
  leftScopeAt?: string;
}

/** What the engine last applied to a group on a target; `members` maps bridge user ids to remote accounts. */
export interface AppliedGroup {
  key: string;
  attributes: Attributes;
  members: Record<string, RemoteRef>;
  /** The engine created the group (so it may delete it when the SCIM group goes). */
  created: boolean;
  /** As for users: the bridge id the remote group carries as far as the engine knows. */
  scimId?: string | null;
}

/** Changed fields only; a field the mapping no longer yields is cleared with null. */
export function diffAttributes(before: Attributes, after: Attributes): Attributes {
  const changed: Attributes = {};
  for (const [field, value] of Object.entries(after)) {
    if (!isDeepStrictEqual(before[field], value)) changed[field] = value;
  }
  for (const field of Object.keys(before)) {
    if (!(field in after) && before[field] !== null) changed[field] = null;
  }
  return changed;
}

/**
 * The update to send, or undefined when the target already has everything the mapping yields. The bridge
 * id goes along until the engine knows the remote object carries it (adopted objects, links older than
 * the field): connectors that stamp it on create (externalIds, tags) stamp it there too.
 */
export function changesFor(applied: { key: string; attributes: Attributes; scimId?: string | null }, desired: TargetUser | TargetGroup): Changes | undefined {
  const attributes = diffAttributes(applied.attributes, desired.attributes);
  const keyChanged = applied.key !== desired.key;
  const stamp = applied.scimId !== desired.scimId;
  if (!keyChanged && !stamp && Object.keys(attributes).length === 0) return undefined;
  return { ...(keyChanged ? { key: desired.key } : {}), attributes, ...(stamp ? { scimId: desired.scimId } : {}) };
}

export interface MembershipDiff {
  add: string[];
  remove: string[];
}

export function diffMembers(applied: readonly string[], desired: readonly string[]): MembershipDiff {
  const before = new Set(applied);
  const after = new Set(desired);
  return { add: desired.filter((id) => !before.has(id)), remove: applied.filter((id) => !after.has(id)) };
}
