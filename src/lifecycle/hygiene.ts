import type { Db } from '../store';
import { IDENTITY_SCHEMA_ID } from './identity';
import { userNamedSql } from './people';

export type HygieneKind =
  | 'service-without-owner'
  | 'owner-left'
  | 'owner-unknown'
  | 'sponsor-left'
  | 'sponsor-unknown'
  | 'approver-left'
  | 'grant-past-expiry'
  | 'never-active';

export interface HygieneFinding {
  kind: HygieneKind;
  subject: string;
  detail: string;
}

interface IdentityRow {
  id: string;
  user_name: string;
  type: string | null;
  owner: string | null;
  sponsor: string | null;
  owner_known: number;
  owner_live: number;
  sponsor_known: number;
  sponsor_live: number;
}

const identity = `json_extract(u.resource, '$."${IDENTITY_SCHEMA_ID}"')`;
const owner = `json_extract(${identity}, '$.owner')`;
const sponsor = `json_extract(${identity}, '$.sponsor')`;

/** Things an auditor should look at: ownerless or orphaned identities, approvals to review, stale grants, dormant accounts. */
export function hygieneFindings(db: Db, now: Date): HygieneFinding[] {
  return [...identityFindings(db), ...grantFindings(db, now), ...neverActive(db)];
}

/**
 * Owners and sponsors: missing (services need an owner), left (inactive or deleted: the sweeper
 * disables or reassigns what they answer for) or unknown (never a user here: someone must fix the record).
 */
function identityFindings(db: Db): HygieneFinding[] {
  const rows = db
    .prepare(
      `SELECT u.id, u.user_name, lower(json_extract(${identity}, '$.identityType')) AS type, ${owner} AS owner, ${sponsor} AS sponsor,
              ${userNamedSql(owner, false)} AS owner_known, ${userNamedSql(owner, true)} AS owner_live,
              ${userNamedSql(sponsor, false)} AS sponsor_known, ${userNamedSql(sponsor, true)} AS sponsor_live
       FROM users u
       WHERE u.deleted_at IS NULL AND (lower(json_extract(${identity}, '$.identityType')) = 'service' OR ${owner} IS NOT NULL OR ${sponsor} IS NOT NULL)`,
    )
    .all() as IdentityRow[];
  const findings: HygieneFinding[] = [];
  for (const row of rows) {
    const subject = `user:${row.id}`;
    if (row.type === 'service' && !row.owner) findings.push({ kind: 'service-without-owner', subject, detail: `${row.user_name} has no owner` });
    for (const role of ['owner', 'sponsor'] as const) {
      const person = row[role];
      if (!person) continue;
      if (!row[`${role}_known`]) findings.push({ kind: `${role}-unknown`, subject, detail: `${row.user_name}'s ${role} ${person} is not a known user` });
      else if (!row[`${role}_live`]) findings.push({ kind: `${role}-left`, subject, detail: `${row.user_name}'s ${role} ${person} is inactive or gone` });
    }
  }
  return findings;
}

function grantFindings(db: Db, now: Date): HygieneFinding[] {
  const flagged = db
    .prepare(`SELECT id, flag_reason FROM grants WHERE state = 'active' AND flagged_at IS NOT NULL ORDER BY flagged_at`)
    .all() as Array<{ id: string; flag_reason: string }>;
  const stale = db
    .prepare(`SELECT id, expires_at FROM grants WHERE state IN ('active', 'scheduled', 'pending-approval') AND expires_at <= ?`)
    .all(now.toISOString()) as Array<{ id: string; expires_at: string }>;
  return [
    ...flagged.map((grant): HygieneFinding => ({ kind: 'approver-left', subject: `grant:${grant.id}`, detail: grant.flag_reason })),
    ...stale.map((grant): HygieneFinding => ({ kind: 'grant-past-expiry', subject: `grant:${grant.id}`, detail: `expired ${grant.expires_at} but not yet revoked` })),
  ];
}

function neverActive(db: Db): HygieneFinding[] {
  const dormant = db
    .prepare(
      `SELECT u.id, u.user_name FROM users u WHERE u.deleted_at IS NULL AND u.active = 0
       AND NOT EXISTS (SELECT 1 FROM ledger l WHERE l.subject = 'user:' || u.id AND json_extract(l.after, '$.active') = 1)`,
    )
    .all() as Array<{ id: string; user_name: string }>;
  return dormant.map((user) => ({ kind: 'never-active', subject: `user:${user.id}`, detail: `${user.user_name} was never active` }));
}
