import type { ChangeContext, Store } from '../store';
import type { Grants } from '../store/grants';
import { Users } from '../store/users';
import type { LifecycleConfig } from './config';
import { IDENTITY_SCHEMA_ID, type IdentityExtension } from './identity';
import { userNamedSql } from './people';

export interface SweepResult {
  grantsActivated: string[];
  /** Expired, or revoked because their user was deactivated or deleted. */
  grantsEnded: string[];
  identitiesExpired: string[];
  /** Identities disabled because their owner or sponsor left. */
  ownedIdentitiesDisabled: string[];
  /** Identities handed to the leaving owner's or sponsor's manager. */
  ownedIdentitiesReassigned: string[];
  approvalsFlagged: string[];
}

const ENTERPRISE = 'urn:ietf:params:scim:schemas:extension:enterprise:2.0:User';
const identityJson = `json_extract(u.resource, '$."${IDENTITY_SCHEMA_ID}"')`;

/** The people an identity answers to; when one leaves, the identity is disabled or handed on. */
const RESPONSIBLE = ['owner', 'sponsor'] as const;
type Responsible = (typeof RESPONSIBLE)[number];

/**
 * The expiry sweeper: disables identities past their expiry, runs the leaver cascade (identities owned
 * or sponsored by someone inactive or gone are disabled or handed to the leaver's manager; the leaver's
 * own grants end; active grants the leaver approved are flagged), then starts and ends grants. Every
 * change goes through the store, so it is a ledger row and reaches targets through the one sync path.
 */
export class ExpirySweeper {
  private readonly users: Users;

  constructor(
    private readonly store: Store,
    private readonly grants: Grants,
    private readonly config: Pick<LifecycleConfig, 'leaverPolicy'>,
  ) {
    this.users = new Users(store.db, store.changes, store.now);
  }

  run(requestId: string): SweepResult {
    const ctx: ChangeContext = { actor: 'expiry-sweeper', requestId, source: 'sweeper' };
    return this.store.transaction(() => {
      const identitiesExpired = this.disableExpiredIdentities(ctx);
      const cascade = this.cascadeLeavers(ctx);
      const leaversGrants = this.endGrantsOfLeavers(ctx);
      const { activated, expired } = this.grants.sweep(ctx);
      return {
        grantsActivated: activated,
        grantsEnded: [...leaversGrants, ...expired],
        identitiesExpired,
        ...cascade,
        approvalsFlagged: this.flagLeaversApprovals(ctx),
      };
    });
  }

  /** Compared as instants, not text: an IdP may send expiresAt with an offset (2026-05-02T02:00:00+02:00). */
  private disableExpiredIdentities(ctx: ChangeContext): string[] {
    const due = this.store.db
      .prepare(`SELECT u.id FROM users u WHERE u.deleted_at IS NULL AND u.active = 1
                AND julianday(json_extract(${identityJson}, '$.expiresAt')) <= julianday(?)`)
      .all(this.store.now().toISOString()) as Array<{ id: string }>;
    return due.map(({ id }) => this.deactivate(id, ctx));
  }

  /**
   * Identities whose owner or sponsor is inactive or deleted: disabled, or reassigned per policy. A
   * person who never existed is a hygiene finding for someone to resolve, not a leaver.
   */
  private cascadeLeavers(ctx: ChangeContext): Pick<SweepResult, 'ownedIdentitiesDisabled' | 'ownedIdentitiesReassigned'> {
    const disabled: string[] = [];
    const reassigned: string[] = [];
    for (const role of RESPONSIBLE) {
      for (const orphan of this.orphansOf(role)) {
        const manager = this.config.leaverPolicy === 'reassign-to-manager' ? this.liveManagerOf(orphan.leaver_resource) : undefined;
        if (manager) reassigned.push(this.reassign(orphan.id, role, manager, orphan.leaver, ctx));
        else disabled.push(this.deactivate(orphan.id, ctx, `${role} ${orphan.leaver} is inactive or gone`));
      }
    }
    return { ownedIdentitiesDisabled: [...new Set(disabled)], ownedIdentitiesReassigned: [...new Set(reassigned)] };
  }

  private orphansOf(role: Responsible): Array<{ id: string; leaver: string; leaver_resource: string }> {
    const named = `json_extract(${identityJson}, '$.${role}')`;
    return this.store.db
      .prepare(
        `SELECT u.id, ${named} AS leaver, o.resource AS leaver_resource
         FROM users u JOIN users o ON (o.id = ${named} OR o.user_name_fold = scim_fold(${named}))
         WHERE u.deleted_at IS NULL AND u.active = 1 AND ${named} IS NOT NULL AND NOT ${userNamedSql(named, true)}
         GROUP BY u.id`,
      )
      .all() as Array<{ id: string; leaver: string; leaver_resource: string }>;
  }

  private liveManagerOf(leaverResource: string): string | undefined {
    const managerId = JSON.parse(leaverResource)[ENTERPRISE]?.manager?.value as string | undefined;
    if (!managerId) return undefined;
    const live = this.store.db.prepare('SELECT id FROM users WHERE id = ? AND deleted_at IS NULL AND active = 1').get(managerId);
    return live ? managerId : undefined;
  }

  /** A deactivated or deleted user's grants end (active, scheduled and pending alike), with the reason. */
  private endGrantsOfLeavers(ctx: ChangeContext): string[] {
    const stale = this.store.db
      .prepare(`SELECT g.id, u.deleted_at FROM grants g JOIN users u ON u.id = g.user_id
                WHERE g.state IN ('active', 'scheduled', 'pending-approval') AND (u.deleted_at IS NOT NULL OR u.active = 0)`)
      .all() as Array<{ id: string; deleted_at: string | null }>;
    return stale.map(({ id, deleted_at }) => this.grants.revoke(ctx, id, deleted_at ? 'the user was deleted' : 'the user was deactivated').id);
  }

  /** Active grants approved by someone who is now inactive or gone: flagged once each for review. */
  private flagLeaversApprovals(ctx: ChangeContext): string[] {
    const grants = this.store.db
      .prepare(
        `SELECT g.id, g.approver FROM grants g JOIN users a ON a.id = g.approver_id
         WHERE g.state = 'active' AND g.flagged_at IS NULL AND (a.deleted_at IS NOT NULL OR a.active = 0)`,
      )
      .all() as Array<{ id: string; approver: string }>;
    return grants.map((grant) => this.grants.flag(ctx, grant.id, `approver ${grant.approver} has left; review this grant`).id);
  }

  private deactivate(id: string, ctx: ChangeContext, reason?: string): string {
    const current = this.users.get(id)!;
    const identity = current.resource[IDENTITY_SCHEMA_ID] as IdentityExtension | undefined;
    const why = reason ?? `identity expired at ${identity?.expiresAt}`;
    this.users.replace(id, { ...(current.resource as { userName: string }), active: false }, { ...ctx, reason: why });
    return id;
  }

  private reassign(id: string, role: Responsible, managerId: string, leaver: string, ctx: ChangeContext): string {
    const current = this.users.get(id)!;
    const identity = { ...(current.resource[IDENTITY_SCHEMA_ID] as IdentityExtension), [role]: managerId };
    this.users.replace(id, { ...(current.resource as { userName: string }), [IDENTITY_SCHEMA_ID]: identity }, {
      ...ctx,
      reason: `${role} ${leaver} left; reassigned to their manager`,
    });
    return id;
  }
}
