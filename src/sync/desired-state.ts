import type { Statement } from 'better-sqlite3';
import type { Db, SubjectRef } from '../store';
import type { SqlFragment } from '../store/filter/sql-value';

export interface DesiredUser {
  id: string;
  active: boolean;
  deleted: boolean;
  /** The full SCIM resource, as the mapping reads it. */
  resource: Record<string, unknown>;
  /** displayNames (lower-cased) of the live groups the user is a member of. */
  groupNames: string[];
}

/** How a target's group mapping can name a SCIM group: its id, externalId or displayName. */
export interface GroupHandle {
  id: string;
  displayName: string;
  externalId: string | null;
}

export interface DesiredGroup extends GroupHandle {
  deleted: boolean;
  resource: Record<string, unknown>;
  /** Live users that are members now (any source, unexpired). */
  members: Array<{ id: string; active: boolean }>;
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
  private readonly liveStmts;
  private readonly filterStmts = new Map<string, Statement>();

  constructor(private readonly db: Db, private readonly now: () => Date) {
    this.userStmt = db.prepare('SELECT id, active, deleted_at, resource FROM users WHERE id = ?');
    this.userGroupsStmt = db.prepare(`
      SELECT DISTINCT lower(g.display_name) AS name FROM memberships m JOIN groups g ON g.id = m.group_id
      WHERE m.user_id = ? AND g.deleted_at IS NULL AND (m.expires_at IS NULL OR m.expires_at > ?)`);
    this.groupStmt = db.prepare('SELECT id, display_name, external_id, deleted_at, resource FROM groups WHERE id = ?');
    this.membersStmt = db.prepare(`
      SELECT DISTINCT m.user_id AS id, u.active AS active FROM memberships m JOIN users u ON u.id = m.user_id
      WHERE m.group_id = ? AND u.deleted_at IS NULL AND (m.expires_at IS NULL OR m.expires_at > ?) ORDER BY m.user_id`);
    this.groupIdsOfUserStmt = db.prepare('SELECT DISTINCT group_id AS id FROM memberships WHERE user_id = ?');
    this.groupsOfUserStmt = db.prepare(`
      SELECT DISTINCT g.id, g.display_name AS displayName, g.external_id AS externalId FROM memberships m JOIN groups g ON g.id = m.group_id
      WHERE m.user_id = ? AND g.deleted_at IS NULL AND (m.expires_at IS NULL OR m.expires_at > ?)`);
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
    return this.groupsOfUserStmt.all(userId, this.now().toISOString()) as GroupHandle[];
  }

  user(id: string): DesiredUser | undefined {
    const row = this.userStmt.get(id) as { id: string; active: number; deleted_at: string | null; resource: string } | undefined;
    if (!row) return undefined;
    const groups = this.userGroupsStmt.all(id, this.now().toISOString()) as Array<{ name: string }>;
    return {
      id: row.id,
      active: row.active === 1,
      deleted: row.deleted_at !== null,
      resource: { ...(JSON.parse(row.resource) as Record<string, unknown>), id: row.id },
      groupNames: groups.map((group) => group.name),
    };
  }

  group(id: string): DesiredGroup | undefined {
    const row = this.groupStmt.get(id) as { id: string; display_name: string; external_id: string | null; deleted_at: string | null; resource: string } | undefined;
    if (!row) return undefined;
    const members = this.membersStmt.all(id, this.now().toISOString()) as Array<{ id: string; active: number }>;
    return {
      id: row.id,
      displayName: row.display_name,
      externalId: row.external_id,
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
