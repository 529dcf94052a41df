import type { TargetConfig } from '../config/types';
import type { ChangeContext, Store } from '../store';
import { GrantError, Grants, type Grant, type PersonRef } from '../store/grants';
import { DURATION_FORMAT, LATEST_INSTANT_MS, parseDurationMs } from './duration';
import { findPerson, unavailability, type Person } from './people';

/** A grant as a person or an admin API client asks for it: names or ids, and a duration or an expiry. */
export interface GrantInput {
  user: string;
  group: string;
  reason: string;
  requester: string;
  startsAt?: string;
  duration?: string;
  expiresAt?: string;
}

/** A grant as answered to whoever filed it, with anything they should know (e.g. no target receives it). */
export type GrantAnswer = Grant & { warnings?: string[] };

/**
 * The one place grant requests and approvals are interpreted (admin API and CLI both call it): it
 * resolves names to users and groups and checks the people involved. The admin API authenticates
 * tokens, not people: `requester` and `approver` are what the token holder states, so they must be
 * real, active users, distinct where the policy says so, and are recorded next to the token name.
 */
export class GrantService {
  constructor(
    private readonly store: Store,
    private readonly grants: Grants,
    private readonly targets: readonly TargetConfig[] = [],
  ) {}

  request(ctx: ChangeContext, input: GrantInput): GrantAnswer {
    return this.store.transaction(() => {
      const grantee = this.person('user', input.user, 404);
      this.requireAvailable('user', grantee, 409);
      const requester = this.person('requester', input.requester, 400);
      this.requireAvailable('requester', requester, 403);
      const group = this.group(input.group);
      const { startsAt, expiresAt } = this.window(input);
      const grant = this.grants.request(ctx, { userId: grantee.id, groupId: group.id, reason: input.reason, requester: ref(requester), startsAt, expiresAt });
      const warnings = this.deliveryWarnings(group.displayName);
      return warnings.length ? { ...grant, warnings } : grant;
    });
  }

  /** Approves a pending grant: the approver is an active person, neither the requester nor the grantee. */
  approve(ctx: ChangeContext, id: string, approverKey: string): Grant {
    return this.store.transaction(() => {
      const grant = this.grants.require(id);
      const approver = this.person('approver', approverKey, 400);
      this.requireAvailable('approver', approver, 403);
      if (approver.identity?.identityType?.toLowerCase() === 'service') throw new GrantError(`approver '${approver.userName}' is a service identity; only people approve`, 403);
      if (grant.state === 'pending-approval') this.requireAvailable('user', this.person('user', grant.user_id, 404), 409);
      return this.grants.approve(ctx, id, ref(approver));
    });
  }

  /** A user id or userName, for filters: the user's id, or a 404. */
  userId(key: string): string {
    return this.person('user', key, 404).id;
  }

  /** A group id or displayName, for filters: the group's id, or a 404. */
  groupId(key: string): string {
    return this.group(key).id;
  }

  private person(role: string, key: string, status: 400 | 404): Person {
    const person = findPerson(this.store.db, key);
    if (!person) throw new GrantError(role === 'user' ? `user '${key}' not found` : `${role} '${key}' is not a known user`, status);
    return person;
  }

  private requireAvailable(role: string, person: Person, status: 403 | 409): void {
    const problem = unavailability(person, this.store.now());
    if (problem) throw new GrantError(`${role} '${person.userName}' ${problem}`, status);
  }

  private window(input: GrantInput): { startsAt: Date; expiresAt: Date } {
    const startsAt = input.startsAt ? instant('startsAt', input.startsAt) : this.store.now();
    if (input.expiresAt) return { startsAt, expiresAt: instant('expiresAt', input.expiresAt) };
    const ms = input.duration ? parseDurationMs(input.duration) : undefined;
    if (ms === undefined) throw new GrantError(`duration must be ${DURATION_FORMAT}`);
    if (startsAt.getTime() + ms > LATEST_INSTANT_MS) throw new GrantError(`duration ${input.duration} is too long: the grant would end after the year 9999`);
    return { startsAt, expiresAt: new Date(startsAt.getTime() + ms) };
  }

  private group(key: string): { id: string; displayName: string } {
    const byId = this.store.db.prepare('SELECT id, display_name FROM groups WHERE id = ? AND deleted_at IS NULL').get(key) as GroupRow | undefined;
    const byName = byId
      ? [byId]
      : (this.store.db.prepare('SELECT id, display_name FROM groups WHERE display_name = ? COLLATE NOCASE AND deleted_at IS NULL LIMIT 2').all(key) as GroupRow[]);
    if (byName.length === 0) throw new GrantError(`group '${key}' not found`, 404);
    if (byName.length > 1) throw new GrantError(`group name '${key}' is ambiguous; use the id`);
    return { id: byName[0].id, displayName: byName[0].display_name };
  }

  /** The sync engine maps and scopes groups by displayName; a grant on a group no target uses changes nothing outside the bridge. */
  private deliveryWarnings(displayName: string): string[] {
    const name = displayName.toLowerCase();
    const uses = (target: TargetConfig) => {
      const mapped = ((target.groups as Array<{ scim?: string }> | undefined) ?? []).some((mapping) => mapping.scim?.toLowerCase() === name);
      const scope = (target.scope ?? {}) as { groups?: string[]; filter?: string };
      return mapped || (scope.groups ?? []).some((group) => group.toLowerCase() === name) || (scope.filter ?? '').toLowerCase().includes(name);
    };
    if (this.targets.some(uses)) return [];
    return [`no target maps or scopes by group '${displayName}': this grant changes membership in the bridge only, not on any target`];
  }
}

interface GroupRow {
  id: string;
  display_name: string;
}

function ref(person: Person): PersonRef {
  return { id: person.id, userName: person.userName };
}

function instant(field: string, text: string): Date {
  const date = new Date(text);
  if (Number.isNaN(date.getTime()) || date.getTime() > LATEST_INSTANT_MS) throw new GrantError(`${field} must be an ISO 8601 date-time no later than 9999-12-31`);
  return date;
}
