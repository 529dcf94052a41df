import type { Statement } from 'better-sqlite3';
import type { Db, SubjectRef } from '../store';
import type { SqlFragment } from '../store/filter/sql-value';

export interface DesiredUser {
  id: string;
  active: boolean;
  deleted: boolean;
  /** The full SCIM resource, as the mapping reads it. */
  resource: Record<string, unknown>;
  /** What the live groups the user is a member of answer to (groupHandles), lower-cased, together. */
  groupHandles: string[];
}

/** A live group and what a target's mapping or scope may call it by (see groupHandles). */
export interface GroupHandle {
  id: string;
  handles: string[];
}

export interface DesiredGroup extends GroupHandle {
  displayName: string;
  deleted: boolean;
  resource: Record<string, unknown>;
  /** Live users that are members now (any source, unexpired). */
  members: Array<{ id: string; active: boolean }>;
}

/**
 * What a group `g` answers to in a target's group mapping and scope, lower-cased: its id, its externalId,
 * its displayName, and each displayName it had before (group_names) that no other live group bears now.
 * So an IdP renaming "Engineering" to "Engineering Team" keeps the group mapped and its members in scope;
 * a new group that takes the name "Engineering" takes the mapping over.
 */
function handlesOf(groupsSql: string): string {
  return `WITH picked AS (${groupsSql})
    SELECT lower(id) FROM picked UNION SELECT lower(external_id) FROM picked WHERE external_id IS NOT NULL
    UNION SELECT lower(display_name) FROM picked
    UNION SELECT lower(n.display_name) FROM picked JOIN group_names n ON n.group_id = picked.id
      WHERE NOT EXISTS (SELECT 1 FROM groups o WHERE o.display_name = n.display_name COLLATE NOCASE AND o.deleted_at IS NULL AND o.id <> picked.id)`;
}

/**
 * Reads the current desired state straight from the store's tables (the engine is level-triggered:
 * whatever happened before, this is what the target must end up with).
 */
export class DesiredState {
  private readonly userStmt;
  private readonly userGroupsStmt;
  private readonly groupStmt;
  private readonly membersStmt;
  private readonly groupIdsOfUserStmt;
  private readonly groupsOfUserStmt;
  private readonly handlesStmt;
  private readonly liveStmts;
  private readonly filterStmts = new Map<string, Statement>();

  constructor(private readonly db: Db, private readonly now: () => Date) {
    this.userStmt = db.prepare('SELECT id, active, deleted_at, resource FROM users WHERE id = ?');
    this.userGroupsStmt = db.prepare(handlesOf(`
      SELECT DISTINCT g.id, g.external_id, g.display_name FROM memberships m JOIN groups g ON g.id = m.group_id
      WHERE m.user_id = ? AND g.deleted_at IS NULL AND (m.expires_at IS NULL OR m.expires_at > ?)`)).pluck();
    this.groupStmt = db.prepare('SELECT id, display_name, deleted_at, resource FROM groups WHERE id = ?');
    this.handlesStmt = db.prepare(handlesOf('SELECT id, external_id, display_name FROM groups WHERE id = ?')).pluck();
    this.membersStmt = db.prepare(`
      SELECT DISTINCT m.user_id AS id, u.active AS active FROM memberships m JOIN users u ON u.id = m.user_id
      WHERE m.group_id = ? AND u.deleted_at IS NULL AND (m.expires_at IS NULL OR m.expires_at > ?) ORDER BY m.user_id`);
    this.groupIdsOfUserStmt = db.prepare('SELECT DISTINCT group_id AS id FROM memberships WHERE user_id = ?');
    this.groupsOfUserStmt = db.prepare(`
      SELECT DISTINCT g.id FROM memberships m JOIN groups g ON g.id = m.group_id
      WHERE m.user_id = ? AND g.deleted_at IS NULL AND (m.expires_at IS NULL OR m.expires_at > ?)`).pluck();
    this.liveStmts = {
      user: db.prepare('SELECT 1 FROM users WHERE id = ? AND deleted_at IS NULL'),
      group: db.prepare('SELECT 1 FROM groups WHERE id = ? AND deleted_at IS NULL'),
    };
  }

  /** Whether the subject is in the directory (not deleted), whatever its state or scope. */
  isLive(subject: SubjectRef): boolean {
    return this.liveStmts[subject.kind].get(subject.id) !== undefined;
  }

  /** The live groups the user is a member of now (unexpired memberships). */
  groupsOf(userId: string): GroupHandle[] {
    const ids = this.groupsOfUserStmt.all(userId, this.now().toISOString()) as string[];
    return ids.map((id) => ({ id, handles: this.handlesStmt.all(id) as string[] }));
  }

  user(id: string): DesiredUser | undefined {
    const row = this.userStmt.get(id) as { id: string; active: number; deleted_at: string | null; resource: string } | undefined;
    if (!row) return undefined;
    const handles = this.userGroupsStmt.all(id, this.now().toISOString()) as string[];
    return {
      id: row.id,
      active: row.active === 1,
      deleted: row.deleted_at !== null,
      resource: { ...(JSON.parse(row.resource) as Record<string, unknown>), id: row.id },
      groupHandles: handles,
    };
  }

  group(id: string): DesiredGroup | undefined {
    const row = this.groupStmt.get(id) as { id: string; display_name: string; deleted_at: string | null; resource: string } | undefined;
    if (!row) return undefined;
    const members = this.membersStmt.all(id, this.now().toISOString()) as Array<{ id: string; active: number }>;
    return {
      id: row.id,
      displayName: row.display_name,
      handles: this.handlesStmt.all(id) as string[],
      deleted: row.deleted_at !== null,
      resource: { ...(JSON.parse(row.resource) as Record<string, unknown>), id: row.id },
      members: members.map((member) => ({ id: member.id, active: member.active === 1 })),
    };
  }

  /** Whether the live user matches a compiled SCIM filter (a target's scope filter). */
  userMatches(userId: string, filter: SqlFragment): boolean {
    let statement = this.filterStmts.get(filter.sql);
    if (!statement) {
      statement = this.db.prepare(`SELECT 1 FROM users WHERE id = ? AND deleted_at IS NULL AND ${filter.sql}`);
      this.filterStmts.set(filter.sql, statement);
    }
    return statement.get(userId, ...filter.params) !== undefined;
  }

  groupIdsOf(userId: string): string[] {
    return (this.groupIdsOfUserStmt.all(userId) as Array<{ id: string }>).map((row) => row.id);
  }
}

/**
 * The live group a target's mapping entry (`groups[].scim`) names, matched as groupMappingFor does, for
 * readers that start from the mapping (the reconciler). The oldest wins when several answer to it.
 */
export function mappedGroupId(db: Db, scim: string): string | undefined {
  return db.prepare(`
    SELECT g.id FROM groups g WHERE g.deleted_at IS NULL AND (
      g.id = @scim COLLATE NOCASE OR g.external_id = @scim COLLATE NOCASE OR g.display_name = @scim COLLATE NOCASE
      OR (EXISTS (SELECT 1 FROM group_names n WHERE n.group_id = g.id AND n.display_name = @scim)
          AND NOT EXISTS (SELECT 1 FROM groups o WHERE o.display_name = @scim COLLATE NOCASE AND o.deleted_at IS NULL AND o.id <> g.id)))
    ORDER BY g.created LIMIT 1`).pluck().get({ scim }) as string | undefined;
}
