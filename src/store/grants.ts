import { randomUUID } from 'node:crypto';
import type { Db } from './db';
import type { ChangeContext, ChangeRecorder } from './change';

export type GrantState = 'pending-approval' | 'scheduled' | 'active' | 'expired' | 'revoked';
export const GRANT_STATES: readonly GrantState[] = ['pending-approval', 'scheduled', 'active', 'expired', 'revoked'];

export interface Grant {
  id: string;
  user_id: string;
  group_id: string;
  reason: string;
  /** userName of the person who asked, as it was then; requester_id is the stable user id. */
  requester: string;
  requester_id: string | null;
  /** The token (admin API) or OS user (CLI) that filed the request. */
  requested_by: string;
  approver: string | null;
  approver_id: string | null;
  approved_at: string | null;
  privileged: number;
  starts_at: string;
  expires_at: string;
  state: GrantState;
  /** When the membership was created (the access began). */
  activated_at: string | null;
  ended_at: string | null;
  ended_by: string | null;
  end_reason: string | null;
  /** Set by the sweeper when the approval needs review (the approver left). */
  flagged_at: string | null;
  flag_reason: string | null;
  created_at: string;
  request_id: string | null;
}

/** A user named in a grant: the stable id and the userName people read. */
export interface PersonRef {
  id: string;
  userName: string;
}

export interface GrantRequest {
  userId: string;
  groupId: string;
  reason: string;
  /** The person asking for access (may differ from the token that files the request). */
  requester: PersonRef;
  startsAt: Date;
  expiresAt: Date;
}

export interface GroupPolicy {
  maxDurationMs: number;
}

/** Which groups are privileged: their grants need an approver other than requester and grantee, and have a maximum length. */
export interface PrivilegePolicy {
  policyFor(groupId: string): GroupPolicy | undefined;
}

export const NO_PRIVILEGED_GROUPS: PrivilegePolicy = { policyFor: () => undefined };

/** A grant request or transition the bridge refuses; answered with this status and message. */
export class GrantError extends Error {
  constructor(message: string, readonly status: 400 | 403 | 404 | 409 = 400) {
    super(message);
  }
}

/**
 * Time-bound access. While a grant is active it holds a `memberships` row (source 'grant'), so the
 * sync engine delivers it like any membership; every state change is a ledger row carrying the grant.
 * Each public write is one IMMEDIATE transaction (another process may be writing: the CLI next to serve).
 */
export class Grants {
  constructor(
    private readonly db: Db,
    private readonly changes: ChangeRecorder,
    private readonly now: () => Date = () => new Date(),
    private readonly policy: PrivilegePolicy = NO_PRIVILEGED_GROUPS,
  ) {}

  request(ctx: ChangeContext, request: GrantRequest): Grant {
    return this.write(() => this.insert(ctx, request));
  }

  approve(ctx: ChangeContext, id: string, approver: PersonRef): Grant {
    return this.write(() => this.approveNow(ctx, id, approver));
  }

  revoke(ctx: ChangeContext, id: string, reason: string): Grant {
    return this.write(() => {
      const grant = this.require(id);
      if (grant.state === 'expired' || grant.state === 'revoked') throw new GrantError(`grant ${id} already ended (${grant.state})`, 409);
      return this.end(ctx, grant, 'revoked', reason);
    });
  }

  /** Marks a grant for review (e.g. its approver left): a ledger row and the flag on the grant. */
  flag(ctx: ChangeContext, id: string, reason: string): Grant {
    return this.write(() => {
      const flagged: Grant = { ...this.require(id), flagged_at: this.now().toISOString(), flag_reason: reason };
      this.db.prepare('UPDATE grants SET flagged_at = ?, flag_reason = ? WHERE id = ?').run(flagged.flagged_at, reason, id);
      this.record(ctx, 'grant.flagged', flagged, reason);
      return flagged;
    });
  }

  /** Starts grants that are due (for users still active) and ends grants past expiry. Returns the ids it changed. */
  sweep(ctx: ChangeContext): { activated: string[]; expired: string[] } {
    return this.write(() => {
      const now = this.now().toISOString();
      const due = this.db
        .prepare(`SELECT g.* FROM grants g JOIN users u ON u.id = g.user_id
                  WHERE g.state = 'scheduled' AND g.starts_at <= ? AND g.expires_at > ? AND u.deleted_at IS NULL AND u.active = 1`)
        .all(now, now) as Grant[];
      const activated = due.map((grant) => this.activateIfDue(ctx, grant)).filter((grant) => grant.state === 'active').map((grant) => grant.id);
      const past = this.db
        .prepare(`SELECT * FROM grants WHERE state IN ('active', 'scheduled', 'pending-approval') AND expires_at <= ?`)
        .all(now) as Grant[];
      const expired = past.map((grant) => this.end(ctx, grant, 'expired', `expired at ${grant.expires_at}`).id);
      return { activated, expired };
    });
  }

  get(id: string): Grant | undefined {
    return this.db.prepare('SELECT * FROM grants WHERE id = ?').get(id) as Grant | undefined;
  }

  require(id: string): Grant {
    const grant = this.get(id);
    if (!grant) throw new GrantError(`grant ${id} not found`, 404);
    return grant;
  }

  list(filter: { userId?: string; groupId?: string; state?: GrantState } = {}): Grant[] {
    return this.db
      .prepare(`SELECT * FROM grants WHERE (@user IS NULL OR user_id = @user) AND (@group IS NULL OR group_id = @group)
                AND (@state IS NULL OR state = @state) ORDER BY created_at, id`)
      .all({ user: filter.userId ?? null, group: filter.groupId ?? null, state: filter.state ?? null }) as Grant[];
  }

  private write<T>(fn: () => T): T {
    return this.db.transaction(fn).immediate();
  }

  private insert(ctx: ChangeContext, request: GrantRequest): Grant {
    this.assertRequestValid(request);
    const privileged = this.policy.policyFor(request.groupId) !== undefined;
    const grant: Grant = {
      id: randomUUID(),
      user_id: request.userId,
      group_id: request.groupId,
      reason: request.reason,
      requester: request.requester.userName,
      requester_id: request.requester.id,
      requested_by: ctx.actor,
      approver: null,
      approver_id: null,
      approved_at: null,
      privileged: privileged ? 1 : 0,
      starts_at: request.startsAt.toISOString(),
      expires_at: request.expiresAt.toISOString(),
      state: privileged ? 'pending-approval' : 'scheduled',
      activated_at: null,
      ended_at: null,
      ended_by: null,
      end_reason: null,
      flagged_at: null,
      flag_reason: null,
      created_at: this.now().toISOString(),
      request_id: ctx.requestId,
    };
    const columns = Object.keys(grant);
    this.db.prepare(`INSERT INTO grants (${columns.join(', ')}) VALUES (${columns.map((c) => `@${c}`).join(', ')})`).run(grant);
    this.record(ctx, 'grant.requested', grant);
    return this.activateIfDue(ctx, grant);
  }

  private approveNow(ctx: ChangeContext, id: string, approver: PersonRef): Grant {
    const grant = this.require(id);
    if (grant.state !== 'pending-approval') throw new GrantError(`grant ${id} is ${grant.state}, not pending approval`, 409);
    if (grant.expires_at <= this.now().toISOString()) {
      throw new GrantError(`grant ${id} expired at ${grant.expires_at} before it was approved; request a new one`, 409);
    }
    if (approver.id === grant.user_id) throw new GrantError('the approver must not be the person receiving the access', 403);
    if (!grant.requester_id) {
      throw new GrantError(`the requester '${grant.requester}' is not a known user, so separation of duties cannot be checked; revoke the grant and request it again`, 409);
    }
    if (approver.id === grant.requester_id) throw new GrantError('the approver must not be the requester', 403);
    this.assertWithinMaximum(grant);
    const approved: Grant = { ...grant, approver: approver.userName, approver_id: approver.id, approved_at: this.now().toISOString(), state: 'scheduled' };
    this.db
      .prepare(`UPDATE grants SET approver = ?, approver_id = ?, approved_at = ?, state = 'scheduled' WHERE id = ?`)
      .run(approved.approver, approved.approver_id, approved.approved_at, id);
    this.record(ctx, 'grant.approved', approved);
    return this.activateIfDue(ctx, approved);
  }

  private assertRequestValid(request: GrantRequest): void {
    if (!request.reason.trim()) throw new GrantError('a grant needs a reason');
    if (request.expiresAt.getTime() <= request.startsAt.getTime()) throw new GrantError('expiry must be after the start');
    if (request.expiresAt.getTime() <= this.now().getTime()) throw new GrantError('expiry must be in the future');
    const live = (table: 'users' | 'groups', id: string) =>
      this.db.prepare(`SELECT 1 FROM ${table} WHERE id = ? AND deleted_at IS NULL`).get(id) !== undefined;
    if (!live('users', request.userId)) throw new GrantError(`user ${request.userId} not found`, 404);
    if (!live('groups', request.groupId)) throw new GrantError(`group ${request.groupId} not found`, 404);
    this.assertWithinMaximum({ group_id: request.groupId, starts_at: request.startsAt.toISOString(), expires_at: request.expiresAt.toISOString() });
  }

  /** Privileged groups have a maximum length, checked on request and again on approval (the policy may have changed). */
  private assertWithinMaximum(grant: Pick<Grant, 'group_id' | 'starts_at' | 'expires_at'>): void {
    const maximum = this.policy.policyFor(grant.group_id)?.maxDurationMs;
    const duration = Date.parse(grant.expires_at) - Date.parse(grant.starts_at);
    if (maximum !== undefined && duration > maximum) {
      throw new GrantError(`a grant of ${spell(duration)} exceeds the group's maximum of ${spell(maximum)}`);
    }
  }

  /**
   * Activates a scheduled grant whose window has come. A grant filed as unprivileged whose group is
   * privileged now (the policy or the group changed) goes back to pending approval instead.
   */
  private activateIfDue(ctx: ChangeContext, grant: Grant): Grant {
    const now = this.now().toISOString();
    if (grant.state !== 'scheduled' || grant.starts_at > now || grant.expires_at <= now) return grant;
    if (!grant.approved_at && this.policy.policyFor(grant.group_id)) return this.requireApproval(ctx, grant);
    this.db
      .prepare(`INSERT INTO memberships (group_id, user_id, source, grant_id, expires_at) VALUES (?, ?, 'grant', ?, ?)
                ON CONFLICT (group_id, user_id, source) DO UPDATE SET grant_id = excluded.grant_id, expires_at = excluded.expires_at
                WHERE excluded.expires_at > memberships.expires_at`)
      .run(grant.group_id, grant.user_id, grant.id, grant.expires_at);
    this.db.prepare(`UPDATE grants SET state = 'active', activated_at = ? WHERE id = ?`).run(now, grant.id);
    const active: Grant = { ...grant, state: 'active', activated_at: now };
    this.record(ctx, 'grant.activated', active);
    return active;
  }

  private requireApproval(ctx: ChangeContext, grant: Grant): Grant {
    this.db.prepare(`UPDATE grants SET state = 'pending-approval', privileged = 1 WHERE id = ?`).run(grant.id);
    const pending: Grant = { ...grant, state: 'pending-approval', privileged: 1 };
    this.record(ctx, 'grant.approval-required', pending, 'the group is privileged now: the grant needs an approver before it takes effect');
    return pending;
  }

  private end(ctx: ChangeContext, grant: Grant, state: 'expired' | 'revoked', reason: string): Grant {
    const ended: Grant = { ...grant, state, ended_at: this.now().toISOString(), ended_by: ctx.actor, end_reason: reason };
    this.db
      .prepare('UPDATE grants SET state = ?, ended_at = ?, ended_by = ?, end_reason = ? WHERE id = ?')
      .run(state, ended.ended_at, ended.ended_by, reason, grant.id);
    if (grant.state === 'active') this.releaseMembership(grant);
    this.record(ctx, `grant.${state}`, ended, reason, grant.state === 'active');
    return ended;
  }

  /** Drops the grant's membership row, or hands it to another active grant for the same access. */
  private releaseMembership(grant: Grant): void {
    const successor = this.db
      .prepare(`SELECT id, expires_at FROM grants WHERE user_id = ? AND group_id = ? AND state = 'active' AND id != ?
                ORDER BY expires_at DESC LIMIT 1`)
      .get(grant.user_id, grant.group_id, grant.id) as { id: string; expires_at: string } | undefined;
    if (successor) {
      this.db
        .prepare(`UPDATE memberships SET grant_id = ?, expires_at = ? WHERE group_id = ? AND user_id = ? AND source = 'grant'`)
        .run(successor.id, successor.expires_at, grant.group_id, grant.user_id);
    } else {
      this.db.prepare(`DELETE FROM memberships WHERE group_id = ? AND user_id = ? AND source = 'grant'`).run(grant.group_id, grant.user_id);
    }
  }

  private record(ctx: ChangeContext, kind: string, grant: Grant, reason = grant.reason, accessChanged = kind === 'grant.activated'): void {
    this.changes.record(ctx, {
      kind,
      subject: { kind: 'user', id: grant.user_id },
      after: grant,
      reason,
      // Only a change of membership needs delivering; requests and approvals are evidence only.
      alsoAffects: accessChanged ? [{ kind: 'group', id: grant.group_id }] : [],
      deliver: accessChanged,
    });
  }
}

/** 14400000 → "4 hours", 90000 → "90 seconds": the largest unit that divides evenly. */
function spell(ms: number): string {
  const units: Array<[string, number]> = [['day', 86_400_000], ['hour', 3_600_000], ['minute', 60_000], ['second', 1_000]];
  const [unit, size] = units.find(([, size]) => ms % size === 0) ?? ['millisecond', 1];
  const count = ms / size;
  return `${count} ${unit}${count === 1 ? '' : 's'}`;
}
