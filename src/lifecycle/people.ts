import type { Db } from '../store';
import { IDENTITY_SCHEMA_ID, type IdentityExtension } from './identity';

/** A user as the lifecycle rules see a person named in a grant or an identity (requester, approver, owner, sponsor). */
export interface Person {
  id: string;
  userName: string;
  active: boolean;
  deleted: boolean;
  identity: IdentityExtension | undefined;
}

interface PersonRow {
  id: string;
  user_name: string;
  active: number;
  deleted_at: string | null;
  identity: string | null;
}

const COLUMNS = `id, user_name, active, deleted_at, json_extract(resource, '$."${IDENTITY_SCHEMA_ID}"') AS identity`;

/**
 * The user whose id, or userName in any case, is `key`: a live user first, else the most recently
 * deleted one (so "left" can be told from "never existed").
 */
export function findPerson(db: Db, key: string): Person | undefined {
  const row = (db.prepare(`SELECT ${COLUMNS} FROM users WHERE id = ?`).get(key) ??
    db.prepare(`SELECT ${COLUMNS} FROM users WHERE user_name_fold = scim_fold(?) AND deleted_at IS NULL`).get(key) ??
    db.prepare(`SELECT ${COLUMNS} FROM users WHERE user_name_fold = scim_fold(?) ORDER BY deleted_at DESC LIMIT 1`).get(key)) as PersonRow | undefined;
  if (!row) return undefined;
  return {
    id: row.id,
    userName: row.user_name,
    active: row.active === 1 && row.deleted_at === null,
    deleted: row.deleted_at !== null,
    identity: row.identity ? (JSON.parse(row.identity) as IdentityExtension) : undefined,
  };
}

/** Why this person cannot act or receive access now ("is inactive", …), or undefined when they can. */
export function unavailability(person: Person, now: Date): string | undefined {
  if (person.deleted) return 'was deleted';
  if (!person.active) return 'is inactive';
  const expiresAt = person.identity?.expiresAt;
  if (expiresAt && Date.parse(expiresAt) <= now.getTime()) return `expired at ${expiresAt}`;
  return undefined;
}

/**
 * SQL predicate: some user whose id or userName is the value of `expr` exists (`live` also requires
 * them not deleted and active). The one spelling of "the owner / sponsor / approver is still here".
 */
export function userNamedSql(expr: string, live: boolean): string {
  const alive = live ? ' AND p.deleted_at IS NULL AND p.active = 1' : '';
  return `EXISTS (SELECT 1 FROM users p WHERE (p.id = ${expr} OR p.user_name_fold = scim_fold(${expr}))${alive})`;
}
