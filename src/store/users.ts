import type { Statement } from 'better-sqlite3';
import { caseFold } from './case-fold';
import { atomically, type Db } from './db';
import type { ChangeContext, ChangeRecorder } from './change';
import { IdpMembershipHistory } from './membership-history';
import type { SubjectRef } from './queue';
import { UniquenessError, requireIndexableText } from './resource-errors';
import { isUniqueViolation, type StoredResource, type WriteGuard } from './resource-query';
import { ResourceTable } from './resource-table';
import { newId } from './ids';

/** A SCIM User body as stored: no id, no meta, never a password. */
export type UserResource = Record<string, unknown> & { userName: string };

interface EmailRow {
  value: string;
  type: string | null;
  primary: number;
}

/**
 * Users: the full resource as JSON plus the indexed columns filters hit (user_name, external_id,
 * display_name, active, and one user_emails row per email). Every write is one transaction with its
 * ledger row and queue rows; deletes leave tombstones so the userName becomes free again.
 */
export class Users extends ResourceTable {
  private readonly insertUser: Statement;
  private readonly updateUser: Statement;
  private readonly insertEmail: Statement;
  private readonly deleteEmails: Statement;
  private readonly deleteMemberships: Statement;
  private readonly selectGroups: Statement;
  private readonly bumpGroup: Statement;
  private readonly touchGroups: Statement;
  private readonly history: IdpMembershipHistory;

  constructor(db: Db, private readonly changes: ChangeRecorder, private readonly now: () => Date = () => new Date()) {
    super(db, 'users', 'user');
    this.history = new IdpMembershipHistory(db);
    this.insertUser = db.prepare(
      `INSERT INTO users (id, user_name, user_name_fold, external_id, display_name, active, resource, version, created, last_modified)
       VALUES (@id, @userName, @userNameFold, @externalId, @displayName, @active, @resource, 1, @at, @at)`,
    );
    this.updateUser = db.prepare(
      `UPDATE users SET user_name = @userName, user_name_fold = @userNameFold, external_id = @externalId, display_name = @displayName, active = @active,
         resource = @resource, version = version + 1, last_modified = @at
       WHERE id = @id AND deleted_at IS NULL`,
    );
    this.insertEmail = db.prepare('INSERT INTO user_emails (user_id, value, type, is_primary) VALUES (?, ?, ?, ?)');
    this.deleteEmails = db.prepare('DELETE FROM user_emails WHERE user_id = ?');
    this.deleteMemberships = db.prepare('DELETE FROM memberships WHERE user_id = ? RETURNING group_id');
    this.bumpGroup = db.prepare('UPDATE groups SET version = version + 1, last_modified = ? WHERE id = ? AND deleted_at IS NULL');
    // A group's members show each member's display name, so the group's ETag changes with it.
    this.touchGroups = db.prepare(
      `UPDATE groups SET version = version + 1, last_modified = ?
       WHERE deleted_at IS NULL AND id IN (SELECT group_id FROM memberships WHERE user_id = ? AND source = 'idp')`,
    );
    this.selectGroups = db.prepare(
      `SELECT g.id AS value, g.display_name AS display FROM memberships m JOIN groups g ON g.id = m.group_id
       WHERE m.user_id = ? AND m.source = 'idp' AND g.deleted_at IS NULL ORDER BY g.display_name`,
    );
  }

  /** The live groups the IdP made this user a member of (the read-only `groups` attribute). */
  groupsOf(userId: string): Array<{ value: string; display: string }> {
    return this.selectGroups.all(userId) as Array<{ value: string; display: string }>;
  }

  create(resource: UserResource, ctx: ChangeContext, extra: { passwordReceived?: boolean } = {}): StoredResource {
    const id = newId();
    const at = this.now().toISOString();
    const json = JSON.stringify(resource);
    return atomically(this.db, () => {
      this.writeColumns(this.insertUser, id, resource, json, at);
      this.writeEmails(id, resource);
      this.changes.record(ctx, { kind: 'user.created', subject: userRef(id), after: { id, ...resource } });
      if (extra.passwordReceived) this.recordPasswordReceived(id, ctx);
      return { id, resource, version: 1, created: at, lastModified: at };
    });
  }

  /** Replaces the whole resource (PUT, or the result of a PATCH), checking the guard inside the transaction. */
  replace(id: string, resource: UserResource, ctx: ChangeContext, guard: WriteGuard = {}, extra: { passwordReceived?: boolean } = {}): StoredResource {
    const at = this.now().toISOString();
    const json = JSON.stringify(resource);
    return atomically(this.db, () => {
      const before = this.current(id, guard);
      this.writeColumns(this.updateUser, id, resource, json, at);
      this.deleteEmails.run(id);
      this.writeEmails(id, resource);
      if (memberDisplay(before.resource) !== memberDisplay(resource)) this.touchGroups.run(at, id);
      this.changes.record(ctx, { kind: updateKind(before.resource, resource), subject: userRef(id), before: { id, ...before.resource }, after: { id, ...resource } });
      if (extra.passwordReceived) this.recordPasswordReceived(id, ctx);
      return { id, resource, version: before.version + 1, created: before.created, lastModified: at };
    });
  }

  /** A password arrived (e.g. Okta's password sync): the value is dropped, only the fact is recorded. */
  passwordReceived(id: string, ctx: ChangeContext, guard: WriteGuard = {}): StoredResource {
    return atomically(this.db, () => {
      const current = this.current(id, guard);
      this.recordPasswordReceived(id, ctx);
      return current;
    });
  }

  /** Tombstones the user (deleted_at), frees its userName and removes its memberships. */
  delete(id: string, ctx: ChangeContext, guard: WriteGuard = {}): void {
    const at = this.now().toISOString();
    atomically(this.db, () => {
      const before = this.markDeleted(id, guard, at);
      this.deleteEmails.run(id);
      const groups = [...new Set((this.deleteMemberships.all(id) as Array<{ group_id: string }>).map((r) => r.group_id))];
      this.history.leftAll(id, at);
      // Their member lists changed, so their ETags must too.
      for (const groupId of groups) this.bumpGroup.run(at, groupId);
      const alsoAffects: SubjectRef[] = groups.map((groupId) => ({ kind: 'group', id: groupId }));
      this.changes.record(ctx, { kind: 'user.deleted', subject: userRef(id), before: { id, ...before.resource }, alsoAffects });
    });
  }

  private writeColumns(statement: Statement, id: string, resource: UserResource, json: string, at: string): void {
    for (const attribute of ['userName', 'externalId', 'displayName'] as const) requireIndexableText(attribute, resource[attribute]);
    try {
      statement.run({
        id,
        userName: resource.userName,
        userNameFold: caseFold(resource.userName),
        externalId: stringOrNull(resource.externalId),
        displayName: stringOrNull(resource.displayName),
        active: resource.active === false ? 0 : 1,
        resource: json,
        at,
      });
    } catch (error) {
      if (isUniqueViolation(error)) throw new UniquenessError(`userName '${resource.userName}' is already taken`);
      throw error;
    }
  }

  private writeEmails(id: string, resource: UserResource): void {
    for (const email of emailsOf(resource)) this.insertEmail.run(id, email.value, email.type, email.primary);
  }

  private recordPasswordReceived(id: string, ctx: ChangeContext): void {
    this.changes.record(ctx, { kind: 'user.password-received', subject: userRef(id), reason: 'password value dropped, never stored', deliver: false });
  }
}

function userRef(id: string): SubjectRef {
  return { kind: 'user', id };
}

/** What a group's members[].display shows for this user (COALESCE(display_name, user_name) in Groups.members). */
function memberDisplay(resource: Record<string, unknown>): unknown {
  return typeof resource.displayName === 'string' ? resource.displayName : resource.userName;
}

function updateKind(before: Record<string, unknown>, after: Record<string, unknown>): string {
  const wasActive = before.active !== false;
  const isActive = after.active !== false;
  if (wasActive && !isActive) return 'user.deactivated';
  if (!wasActive && isActive) return 'user.reactivated';
  return 'user.updated';
}

function emailsOf(resource: UserResource): EmailRow[] {
  if (!Array.isArray(resource.emails)) return [];
  const rows: EmailRow[] = [];
  for (const email of resource.emails as Array<Record<string, unknown>>) {
    if (typeof email?.value !== 'string') continue;
    rows.push({ value: email.value, type: stringOrNull(email.type), primary: email.primary === true ? 1 : 0 });
  }
  return rows;
}

function stringOrNull(value: unknown): string | null {
  return typeof value === 'string' ? value : null;
}
