import { randomUUID } from 'node:crypto';
import type { Db } from './db';
import type { ChangeContext, ChangeRecorder } from './change';

export type GrantState = 'pending-approval' | 'scheduled' | 'active' | 'expired' | 'revoked';

export interface Grant {
  id: string;
  user_id: string;
  group_id: string;
  reason: string;
  requester: string;
  requested_by: string;
  approver: string | null;
  approved_at: string | null;
  privileged: number;
  starts_at: string;
  expires_at: string;
  state: GrantState;
  ended_at: string | null;
  ended_by: string | null;
  end_reason: string | null;
  created_at: string;
  request_id: string | null;
}

export interface GrantRequest {
  userId: string;
  groupId: string;
  reason: string;
  /** The person asking for access (may differ from the token that files the request). */
  requester: string;
  startsAt: Date;
  expiresAt: Date;
  /** Privileged groups need an approver other than the requester before anything changes. */
  privileged: boolean;
  maxDurationMs?: number;
}

/** A grant request the bridge refuses; becomes a 400 (or 404 / 409) with this message. */
export class GrantError extends Error {
  constructor(message: string, readonly status: 400 | 404 | 409 = 400) {
    super(message);
  }
}

/**
 * Time-bound access. While a grant is active it holds a `memberships` row (source 'grant'), so the
 * sync engine delivers it like any membership; every state change is a ledger row carrying the grant id.
 */
export class Grants {
  constructor(
    private readonly db: Db,
    private readonly changes: ChangeRecorder,
    private readonly now: () => Date = () => new Date(),
  ) {}

  request(ctx: ChangeContext, request: GrantRequest): Grant {
    return this.db.transaction(() => this.insert(ctx, request))();
  }

  approve(ctx: ChangeContext, id: string, approver: string): Grant {
    return this.db.transaction(() => this.approveNow(ctx, id, approver))();
  }

  revoke(ctx: ChangeContext, id: string, reason: string): Grant {
    return this.db.transaction(() => {
      const grant = this.require(id);
      if (grant.state === 'expired' || grant.state === 'revoked') throw new GrantError(`grant ${id} already ended (${grant.state})`, 409);
      return this.end(ctx, grant, 'revoked', reason);
    })();
  }

  /** Starts grants that are due and ends grants past expiry. Returns the ids it changed. */
  sweep(ctx: ChangeContext): { activated: string[]; expired: string[] } {
    return this.db.transaction(() => {
      const now = this.now().toISOString();
      const due = this.db.prepare(`SELECT * FROM grants WHERE state = 'scheduled' AND starts_at <= ? AND expires_at > ?`).all(now, now) as Grant[];
      const activated = due.map((grant) => this.activateIfDue(ctx, grant).id);
      const past = this.db
        .prepare(`SELECT * FROM grants WHERE state IN ('active', 'scheduled', 'pending-approval') AND expires_at <= ?`)
        .all(now) as Grant[];
      const expired = past.map((grant) => this.end(ctx, grant, 'expired', `expired at ${grant.expires_at}`).id);
      return { activated, expired };
    })();
  }

  private insert(ctx: ChangeContext, request: GrantRequest): Grant {
    this.assertRequestValid(request);
    const grant: Grant = {
      id: randomUUID(),
      user_id: request.userId,
      group_id: request.groupId,
      reason: request.reason,
      requester: request.requester,
      requested_by: ctx.actor,
      approver: null,
      approved_at: null,
      privileged: request.privileged ? 1 : 0,
      starts_at: request.startsAt.toISOString(),
      expires_at: request.expiresAt.toISOString(),
      state: request.privileged ? 'pending-approval' : 'scheduled',
      ended_at: null,
      ended_by: null,
      end_reason: null,
      created_at: this.now().toISOString(),
      request_id: ctx.requestId,
    };
    this.db
      .prepare(`INSERT INTO grants VALUES (@id, @user_id, @group_id, @reason, @requester, @requested_by, @approver, @approved_at,
                @privileged, @starts_at, @expires_at, @state, @ended_at, @ended_by, @end_reason, @created_at, @request_id)`)
      .run(grant);
    this.record(ctx, 'grant.requested', grant);
    return this.activateIfDue(ctx, grant);
  }

  private approveNow(ctx: ChangeContext, id: string, approver: string): Grant {
    const grant = this.require(id);
    if (grant.state !== 'pending-approval') throw new GrantError(`grant ${id} is ${grant.state}, not pending approval`, 409);
    if (sameIdentity(approver, grant.requester)) throw new GrantError('the approver must not be the requester');
    const approved: Grant = { ...grant, approver, approved_at: this.now().toISOString(), state: 'scheduled' };
    this.db.prepare(`UPDATE grants SET approver = ?, approved_at = ?, state = 'scheduled' WHERE id = ?`).run(approver, approved.approved_at, id);
    this.record(ctx, 'grant.approved', approved);
    return this.activateIfDue(ctx, approved);
  }

  get(id: string): Grant | undefined {
    return this.db.prepare('SELECT * FROM grants WHERE id = ?').get(id) as Grant | undefined;
  }

  list(filter: { userId?: string; groupId?: string; state?: GrantState } = {}): Grant[] {
    return this.db
      .prepare(`SELECT * FROM grants WHERE (@user IS NULL OR user_id = @user) AND (@group IS NULL OR group_id = @group)
                AND (@state IS NULL OR state = @state) ORDER BY created_at, id`)
      .all({ user: filter.userId ?? null, group: filter.groupId ?? null, state: filter.state ?? null }) as Grant[];
  }

  /** Active grants approved by `approver` (used to flag a leaver's approvals). */
  activeApprovedBy(approver: string): Grant[] {
    return this.db.prepare(`SELECT * FROM grants WHERE state = 'active' AND approver = ? COLLATE NOCASE`).all(approver) as Grant[];
  }

  private assertRequestValid(request: GrantRequest): void {
    if (!request.reason.trim()) throw new GrantError('a grant needs a reason');
    if (request.expiresAt.getTime() <= request.startsAt.getTime()) throw new GrantError('expiry must be after the start');
    if (request.expiresAt.getTime() <= this.now().getTime()) throw new GrantError('expiry must be in the future');
    const duration = request.expiresAt.getTime() - request.startsAt.getTime();
    if (request.maxDurationMs !== undefined && duration > request.maxDurationMs) {
      throw new GrantError(`duration exceeds the group's maximum of ${request.maxDurationMs / 60_000} minutes`);
    }
    const live = (table: 'users' | 'groups', id: string) =>
      this.db.prepare(`SELECT 1 FROM ${table} WHERE id = ? AND deleted_at IS NULL`).get(id) !== undefined;
    if (!live('users', request.userId)) throw new GrantError(`user ${request.userId} not found`, 404);
    if (!live('groups', request.groupId)) throw new GrantError(`group ${request.groupId} not found`, 404);
  }

  private activateIfDue(ctx: ChangeContext, grant: Grant): Grant {
    const now = this.now().toISOString();
    if (grant.state !== 'scheduled' || grant.starts_at > now || grant.expires_at <= now) return grant;
    this.db
      .prepare(`INSERT INTO memberships (group_id, user_id, source, grant_id, expires_at) VALUES (?, ?, 'grant', ?, ?)
                ON CONFLICT (group_id, user_id, source) DO UPDATE SET grant_id = excluded.grant_id, expires_at = excluded.expires_at
                WHERE excluded.expires_at > memberships.expires_at`)
      .run(grant.group_id, grant.user_id, grant.id, grant.expires_at);
    this.db.prepare(`UPDATE grants SET state = 'active' WHERE id = ?`).run(grant.id);
    const active: Grant = { ...grant, state: 'active' };
    this.record(ctx, 'grant.activated', active);
    return active;
  }

  private end(ctx: ChangeContext, grant: Grant, state: 'expired' | 'revoked', reason: string): Grant {
    const ended: Grant = { ...grant, state, ended_at: this.now().toISOString(), ended_by: ctx.actor, end_reason: reason };
    this.db
      .prepare('UPDATE grants SET state = ?, ended_at = ?, ended_by = ?, end_reason = ? WHERE id = ?')
      .run(state, ended.ended_at, ended.ended_by, reason, grant.id);
    if (grant.state === 'active') this.releaseMembership(grant);
    this.record(ctx, `grant.${state}`, ended, grant.state === 'active');
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

  private record(ctx: ChangeContext, kind: string, grant: Grant, accessChanged = kind === 'grant.activated'): void {
    this.changes.record(ctx, {
      kind,
      subject: { kind: 'user', id: grant.user_id },
      after: grant,
      reason: grant.end_reason ?? grant.reason,
      // Only a change of membership needs delivering; requests and approvals are evidence only.
      alsoAffects: accessChanged ? [{ kind: 'group', id: grant.group_id }] : [],
      deliver: accessChanged,
    });
  }

  private require(id: string): Grant {
    const grant = this.get(id);
    if (!grant) throw new GrantError(`grant ${id} not found`, 404);
    return grant;
  }
}

function sameIdentity(a: string, b: string): boolean {
  return a.trim().toLowerCase() === b.trim().toLowerCase();
}
