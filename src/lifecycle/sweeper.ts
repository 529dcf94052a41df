import type { ChangeContext, Store } from '../store';
import type { Grants } from '../store/grants';
import { Users } from '../store/users';
import type { LifecycleConfig } from './config';
import { IDENTITY_SCHEMA_ID, type IdentityExtension } from './identity';

export interface SweepResult {
  grantsActivated: string[];
  grantsEnded: string[];
  identitiesExpired: string[];
  ownedIdentitiesDisabled: string[];
  ownedIdentitiesReassigned: string[];
  approvalsFlagged: string[];
}

const ENTERPRISE = 'urn:ietf:params:scim:schemas:extension:enterprise:2.0:User';
const identityJson = `json_extract(u.resource, '$."${IDENTITY_SCHEMA_ID}"')`;

/**
 * The expiry sweeper: starts and ends grants, disables identities past their expiry, and runs the
 * leaver cascade (identities owned by someone inactive or gone are disabled or handed to the leaver's
 * manager; active grants the leaver approved are flagged). Every change goes through the store, so it
 * is a ledger row and reaches targets through the one sync path.
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
      const { activated, expired } = this.grants.sweep(ctx);
      const ended = [...expired, ...this.endGrantsOfDeletedUsers(ctx)];
      const identitiesExpired = this.disableExpiredIdentities(ctx);
      const cascade = this.cascadeLeavers(ctx);
      return { grantsActivated: activated, grantsEnded: ended, identitiesExpired, ...cascade, approvalsFlagged: this.flagLeaversApprovals(ctx) };
    });
  }

  private disableExpiredIdentities(ctx: ChangeContext): string[] {
    const due = this.store.db
      .prepare(`SELECT u.id FROM users u WHERE u.deleted_at IS NULL AND u.active = 1
                AND json_extract(${identityJson}, '$.expiresAt') IS NOT NULL AND json_extract(${identityJson}, '$.expiresAt') <= ?`)
      .all(this.store.now().toISOString()) as Array<{ id: string }>;
    return due.map(({ id }) => this.deactivate(id, ctx));
  }

  /**
   * Identities whose owner is inactive or deleted: disabled, or reassigned per policy. An owner who
   * never existed is a hygiene finding for a person to resolve, not a leaver.
   */
  private cascadeLeavers(ctx: ChangeContext): Pick<SweepResult, 'ownedIdentitiesDisabled' | 'ownedIdentitiesReassigned'> {
    const orphans = this.store.db
      .prepare(
        `SELECT u.id, json_extract(${identityJson}, '$.owner') AS owner, o.resource AS owner_resource
         FROM users u JOIN users o ON (o.id = json_extract(${identityJson}, '$.owner') OR o.user_name = json_extract(${identityJson}, '$.owner') COLLATE NOCASE)
         WHERE u.deleted_at IS NULL AND u.active = 1 AND json_extract(${identityJson}, '$.owner') IS NOT NULL
           AND NOT EXISTS (SELECT 1 FROM users live WHERE live.deleted_at IS NULL AND live.active = 1
                           AND (live.id = json_extract(${identityJson}, '$.owner') OR live.user_name = json_extract(${identityJson}, '$.owner') COLLATE NOCASE))
         GROUP BY u.id`,
      )
      .all() as Array<{ id: string; owner: string; owner_resource: string }>;
    const disabled: string[] = [];
    const reassigned: string[] = [];
    for (const orphan of orphans) {
      const manager = this.config.leaverPolicy === 'reassign-to-manager' ? this.liveManagerOf(orphan.owner_resource) : undefined;
      if (manager) reassigned.push(this.reassign(orphan.id, manager, orphan.owner, ctx));
      else disabled.push(this.deactivate(orphan.id, ctx, `owner ${orphan.owner} is inactive or gone`));
    }
    return { ownedIdentitiesDisabled: disabled, ownedIdentitiesReassigned: reassigned };
  }

  private liveManagerOf(ownerResource: string): string | undefined {
    const managerId = JSON.parse(ownerResource)[ENTERPRISE]?.manager?.value as string | undefined;
    if (!managerId) return undefined;
    const live = this.store.db.prepare('SELECT id FROM users WHERE id = ? AND deleted_at IS NULL AND active = 1').get(managerId);
    return live ? managerId : undefined;
  }

  /** Active grants approved by someone who is now inactive or gone: flagged once each for review. */
  private flagLeaversApprovals(ctx: ChangeContext): string[] {
    const grants = this.store.db
      .prepare(
        `SELECT g.id, g.user_id, g.approver FROM grants g
         WHERE g.state = 'active' AND g.approver IS NOT NULL
           AND NOT EXISTS (SELECT 1 FROM users a WHERE a.deleted_at IS NULL AND a.active = 1 AND (a.id = g.approver OR a.user_name = g.approver COLLATE NOCASE))
           AND EXISTS (SELECT 1 FROM users a WHERE a.id = g.approver OR a.user_name = g.approver COLLATE NOCASE)
           AND NOT EXISTS (SELECT 1 FROM ledger l WHERE l.kind = 'grant.flagged' AND json_extract(l.after, '$.id') = g.id)`,
      )
      .all() as Array<{ id: string; user_id: string; approver: string }>;
    for (const grant of grants) {
      this.store.changes.record(ctx, {
        kind: 'grant.flagged',
        subject: { kind: 'user', id: grant.user_id },
        after: { id: grant.id, approver: grant.approver },
        reason: `approver ${grant.approver} has left; review this grant`,
        deliver: false,
      });
    }
    return grants.map((grant) => grant.id);
  }

  /** A deleted user's memberships are gone already; their grants end too, with the reason. */
  private endGrantsOfDeletedUsers(ctx: ChangeContext): string[] {
    const stale = this.store.db
      .prepare(`SELECT g.id FROM grants g JOIN users u ON u.id = g.user_id WHERE g.state IN ('active', 'scheduled', 'pending-approval') AND u.deleted_at IS NOT NULL`)
      .all() as Array<{ id: string }>;
    return stale.map(({ id }) => this.grants.revoke(ctx, id, 'the user was deleted').id);
  }

  private deactivate(id: string, ctx: ChangeContext, reason?: string): string {
    const current = this.users.get(id)!;
    const identity = current.resource[IDENTITY_SCHEMA_ID] as IdentityExtension | undefined;
    const why = reason ?? `identity expired at ${identity?.expiresAt}`;
    this.users.replace(id, { ...(current.resource as { userName: string }), active: false }, { ...ctx, reason: why });
    return id;
  }

  private reassign(id: string, managerId: string, formerOwner: string, ctx: ChangeContext): string {
    const current = this.users.get(id)!;
    const identity = { ...(current.resource[IDENTITY_SCHEMA_ID] as IdentityExtension), owner: managerId };
    this.users.replace(id, { ...(current.resource as { userName: string }), [IDENTITY_SCHEMA_ID]: identity }, {
      ...ctx,
      reason: `owner ${formerOwner} left; reassigned to their manager`,
    });
    return id;
  }
}
