import type { Statement } from 'better-sqlite3';
import { atomically, type Db } from './db';
import type { ChangeContext, ChangeRecorder } from './change';
import type { SubjectRef } from './queue';
import { IdpMembershipHistory } from './membership-history';
import { InvalidReferenceError, requireIndexableText } from './resource-errors';
import type { StoredResource, WriteGuard } from './resource-query';
import { ResourceTable } from './resource-table';
import { newId } from './ids';

/** A SCIM Group body as stored: no id, no meta and no members (those live in the memberships table). */
export type GroupResource = Record<string, unknown> & { displayName: string };

export interface GroupMember {
  value: string;
  display?: string;
}

/** Member changes applied one membership row each, so patching a 2,000-member group touches only what changed. */
export interface MemberChanges {
  add?: string[];
  remove?: string[];
  /** Replace the whole member list (PUT, or a PATCH replace of `members`). */
  replaceAll?: string[];
}

/**
 * Groups: the resource JSON and indexed columns in `groups`; members as memberships rows with source
 * 'idp' (grant memberships belong to the grants feature and are never touched or shown here).
 */
export class Groups extends ResourceTable {
  private readonly insertGroup: Statement;
  private readonly updateGroup: Statement;
  private readonly bumpVersion: Statement;
  private readonly liveUser: Statement;
  private readonly liveGroup: Statement;
  private readonly addMember: Statement;
  private readonly removeMember: Statement;
  private readonly removeAllMembers: Statement;
  private readonly selectMembers: Statement;
  private readonly selectMemberIds: Statement;
  private readonly touchUser: Statement;
  private readonly touchMembers: Statement;
  private readonly history: IdpMembershipHistory;

  constructor(db: Db, private readonly changes: ChangeRecorder, private readonly now: () => Date = () => new Date()) {
    super(db, 'groups', 'group');
    this.history = new IdpMembershipHistory(db);
    this.insertGroup = db.prepare(
      `INSERT INTO groups (id, display_name, external_id, resource, version, created, last_modified)
       VALUES (@id, @displayName, @externalId, @resource, 1, @at, @at)`,
    );
    this.updateGroup = db.prepare(
      `UPDATE groups SET display_name = @displayName, external_id = @externalId, resource = @resource,
         version = version + 1, last_modified = @at WHERE id = @id AND deleted_at IS NULL`,
    );
    this.bumpVersion = db.prepare('UPDATE groups SET version = version + 1, last_modified = ? WHERE id = ?');
    this.liveUser = db.prepare('SELECT 1 FROM users WHERE id = ? AND deleted_at IS NULL');
    this.liveGroup = db.prepare('SELECT 1 FROM groups WHERE id = ? AND deleted_at IS NULL');
    this.addMember = db.prepare(`INSERT OR IGNORE INTO memberships (group_id, user_id, source) VALUES (?, ?, 'idp')`);
    this.removeMember = db.prepare(`DELETE FROM memberships WHERE group_id = ? AND user_id = ? AND source = 'idp'`);
    this.removeAllMembers = db.prepare(`DELETE FROM memberships WHERE group_id = ? AND source = 'idp' RETURNING user_id`);
    this.selectMemberIds = db.prepare(`SELECT user_id FROM memberships WHERE group_id = ? AND source = 'idp'`);
    // A user's `groups` attribute shows its groups' ids and names, so its ETag changes with them.
    this.touchUser = db.prepare('UPDATE users SET version = version + 1, last_modified = ? WHERE id = ? AND deleted_at IS NULL');
    this.touchMembers = db.prepare(
      `UPDATE users SET version = version + 1, last_modified = ?
       WHERE deleted_at IS NULL AND id IN (SELECT user_id FROM memberships WHERE group_id = ? AND source = 'idp')`,
    );
    this.selectMembers = db.prepare(
      `SELECT m.user_id AS value, COALESCE(u.display_name, u.user_name) AS display
       FROM memberships m JOIN users u ON u.id = m.user_id
       WHERE m.group_id = ? AND m.source = 'idp' ORDER BY m.rowid`,
    );
  }

  members(groupId: string): GroupMember[] {
    return this.selectMembers.all(groupId) as GroupMember[];
  }

  create(resource: GroupResource, memberIds: string[], ctx: ChangeContext): StoredResource {
    const id = newId();
    const at = this.now().toISOString();
    return atomically(this.db, () => {
      this.insertGroup.run(this.columns(id, resource, at));
      const { added } = this.applyMembers(id, { add: memberIds }, at);
      this.touchUsers(added, at);
      this.changes.record(ctx, {
        kind: 'group.created',
        subject: groupRef(id),
        after: { id, ...resource, members: added },
        alsoAffects: added.map(userRef),
      });
      return { id, resource, version: 1, created: at, lastModified: at };
    });
  }

  /**
   * Writes the group: a new resource body when `resource` is given, and the member changes, all in one
   * transaction with a ledger row for each kind of change. Nothing changed → nothing written.
   */
  update(id: string, resource: GroupResource | undefined, members: MemberChanges, ctx: ChangeContext, guard: WriteGuard = {}): StoredResource {
    const at = this.now().toISOString();
    return atomically(this.db, () => {
      const before = this.current(id, guard);
      let version = before.version;
      if (resource) {
        this.updateGroup.run(this.columns(id, resource, at));
        version++;
        this.changes.record(ctx, { kind: 'group.updated', subject: groupRef(id), before: { id, ...before.resource }, after: { id, ...resource } });
      }
      const { added, removed } = this.applyMembers(id, members, at);
      if (resource && resource.displayName !== before.resource.displayName) {
        this.touchMembers.run(at, id);
        this.touchUsers(removed, at);
      } else {
        this.touchUsers([...added, ...removed], at);
      }
      if (added.length || removed.length) {
        if (!resource) {
          this.bumpVersion.run(at, id);
          version++;
        }
        this.changes.record(ctx, {
          kind: 'group.members-changed',
          subject: groupRef(id),
          after: { added, removed },
          alsoAffects: [...added, ...removed].map(userRef),
        });
      }
      const changed = version !== before.version;
      return { id, resource: resource ?? before.resource, version, created: before.created, lastModified: changed ? at : before.lastModified };
    });
  }

  /** Tombstones the group and removes its IdP memberships; the former members are queued too. */
  delete(id: string, ctx: ChangeContext, guard: WriteGuard = {}): void {
    const at = this.now().toISOString();
    atomically(this.db, () => {
      const before = this.markDeleted(id, guard, at);
      const removed = (this.removeAllMembers.all(id) as Array<{ user_id: string }>).map((r) => r.user_id);
      for (const userId of removed) this.history.left(id, userId, at);
      this.touchUsers(removed, at);
      this.changes.record(ctx, {
        kind: 'group.deleted',
        subject: groupRef(id),
        before: { id, ...before.resource, members: removed },
        alsoAffects: removed.map(userRef),
      });
    });
  }

  private touchUsers(userIds: string[], at: string): void {
    for (const userId of userIds) this.touchUser.run(at, userId);
  }

  /** One membership row (and history row) per added or removed member; returns the ids whose membership really changed. */
  private applyMembers(groupId: string, changes: MemberChanges, at: string): { added: string[]; removed: string[] } {
    const removed: string[] = [];
    const added: string[] = [];
    const toRemove = [...(changes.remove ?? [])];
    const toAdd = [...(changes.add ?? [])];
    if (changes.replaceAll) {
      const wanted = new Set(changes.replaceAll);
      const existing = new Set((this.selectMemberIds.all(groupId) as Array<{ user_id: string }>).map((r) => r.user_id));
      for (const userId of existing) if (!wanted.has(userId)) toRemove.push(userId);
      for (const userId of wanted) if (!existing.has(userId)) toAdd.push(userId);
    }
    for (const userId of toRemove) {
      if (this.removeMember.run(groupId, userId).changes === 0) continue;
      this.history.left(groupId, userId, at);
      removed.push(userId);
    }
    for (const userId of toAdd) {
      if (!this.liveUser.get(userId)) throw new InvalidReferenceError(this.notAUser(userId));
      if (this.addMember.run(groupId, userId).changes === 0) continue;
      this.history.joined(groupId, userId, at);
      added.push(userId);
    }
    return { added, removed };
  }

  private notAUser(id: string): string {
    return this.liveGroup.get(id) ? `member '${id}' is a group: nested groups are not supported` : `member '${id}' is not an existing user`;
  }

  private columns(id: string, resource: GroupResource, at: string) {
    requireIndexableText('displayName', resource.displayName);
    requireIndexableText('externalId', resource.externalId);
    return {
      id,
      displayName: resource.displayName,
      externalId: typeof resource.externalId === 'string' ? resource.externalId : null,
      resource: JSON.stringify(resource),
      at,
    };
  }
}

function groupRef(id: string): SubjectRef {
  return { kind: 'group', id };
}

function userRef(id: string): SubjectRef {
  return { kind: 'user', id };
}
