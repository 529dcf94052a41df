import type { Db } from '../store';
import { IDENTITY_SCHEMA_ID } from './identity';

/** One access path: a user in a group, directly from the IdP or through a grant, current or ended. */
export interface AccessRow {
  userId: string;
  userName: string;
  userActive: boolean;
  groupId: string;
  group: string;
  via: 'idp' | 'grant';
  grantId: string | null;
  reason: string | null;
  requester: string | null;
  approver: string | null;
  approvedAt: string | null;
  since: string;
  expiresAt: string | null;
  removedAt: string | null;
  /** Targets that hold the group (the place this access takes effect), with the last sync time. */
  targets: Array<{ target: string; syncedAt: string }>;
}

export interface AccessQuery {
  /** A user id or userName. */
  user?: string;
  target?: string;
  /** Include access that has ended (default true: auditors ask when it was removed). */
  includeRemoved?: boolean;
}

/**
 * Who has (and had) access to what: every membership period from membership_history, with the grant
 * that justified it, its approver and expiry, and the targets the group is delivered to.
 */
export function accessReport(db: Db, query: AccessQuery = {}): AccessRow[] {
  const rows = db
    .prepare(
      `SELECT h.user_id, u.user_name, u.active, u.deleted_at, h.group_id, g.display_name, h.source, h.grant_id,
              gr.reason, gr.requester, gr.approver, gr.approved_at, gr.expires_at, h.added_at, h.removed_at
       FROM membership_history h
       JOIN users u ON u.id = h.user_id
       JOIN groups g ON g.id = h.group_id
       LEFT JOIN grants gr ON gr.id = h.grant_id
       WHERE (@user IS NULL OR u.id = @user OR u.user_name = @user COLLATE NOCASE)
         AND (@includeRemoved = 1 OR h.removed_at IS NULL)
       ORDER BY u.user_name COLLATE NOCASE, g.display_name COLLATE NOCASE, h.added_at`,
    )
    .all({ user: query.user ?? null, includeRemoved: query.includeRemoved === false ? 0 : 1 }) as RawAccess[];
  const targetsOf = db.prepare(`SELECT target, synced_at FROM links WHERE subject_kind = 'group' AND subject_id = ? ORDER BY target`);
  return rows
    .map((row) => toAccessRow(row, targetsOf.all(row.group_id) as Array<{ target: string; synced_at: string }>))
    .filter((row) => !query.target || row.targets.some((t) => t.target === query.target));
}

interface RawAccess {
  user_id: string;
  user_name: string;
  active: number;
  deleted_at: string | null;
  group_id: string;
  display_name: string;
  source: 'idp' | 'grant';
  grant_id: string | null;
  reason: string | null;
  requester: string | null;
  approver: string | null;
  approved_at: string | null;
  expires_at: string | null;
  added_at: string;
  removed_at: string | null;
}

function toAccessRow(row: RawAccess, targets: Array<{ target: string; synced_at: string }>): AccessRow {
  return {
    userId: row.user_id,
    userName: row.user_name,
    userActive: row.active === 1 && row.deleted_at === null,
    groupId: row.group_id,
    group: row.display_name,
    via: row.source,
    grantId: row.grant_id,
    reason: row.reason,
    requester: row.requester,
    approver: row.approver,
    approvedAt: row.approved_at,
    since: row.added_at,
    expiresAt: row.expires_at,
    removedAt: row.removed_at,
    targets: targets.map((t) => ({ target: t.target, syncedAt: t.synced_at })),
  };
}

export interface HygieneFinding {
  kind: 'service-without-owner' | 'owner-left' | 'grant-past-expiry' | 'never-active';
  subject: string;
  detail: string;
}

/** Things an auditor should look at: ownerless or orphaned service identities, stale grants, dormant accounts. */
export function hygieneFindings(db: Db, now: Date): HygieneFinding[] {
  const identity = `json_extract(u.resource, '$."${IDENTITY_SCHEMA_ID}"')`;
  const services = db
    .prepare(
      `SELECT u.id, u.user_name, json_extract(${identity}, '$.owner') AS owner,
              (SELECT o.id FROM users o WHERE (o.id = json_extract(${identity}, '$.owner') OR o.user_name = json_extract(${identity}, '$.owner') COLLATE NOCASE)
                 AND o.deleted_at IS NULL AND o.active = 1) AS live_owner
       FROM users u
       WHERE u.deleted_at IS NULL AND lower(json_extract(${identity}, '$.identityType')) = 'service'`,
    )
    .all() as Array<{ id: string; user_name: string; owner: string | null; live_owner: string | null }>;
  const findings: HygieneFinding[] = [];
  for (const service of services) {
    if (!service.owner) findings.push({ kind: 'service-without-owner', subject: `user:${service.id}`, detail: `${service.user_name} has no owner` });
    else if (!service.live_owner) findings.push({ kind: 'owner-left', subject: `user:${service.id}`, detail: `${service.user_name}'s owner ${service.owner} is inactive or gone` });
  }
  const staleGrants = db
    .prepare(`SELECT id, user_id, expires_at FROM grants WHERE state IN ('active', 'scheduled', 'pending-approval') AND expires_at <= ?`)
    .all(now.toISOString()) as Array<{ id: string; user_id: string; expires_at: string }>;
  for (const grant of staleGrants) {
    findings.push({ kind: 'grant-past-expiry', subject: `grant:${grant.id}`, detail: `expired ${grant.expires_at} but not yet revoked` });
  }
  const dormant = db
    .prepare(
      `SELECT u.id, u.user_name FROM users u WHERE u.deleted_at IS NULL AND u.active = 0
       AND NOT EXISTS (SELECT 1 FROM ledger l WHERE l.subject = 'user:' || u.id AND json_extract(l.after, '$.active') = 1)`,
    )
    .all() as Array<{ id: string; user_name: string }>;
  for (const user of dormant) findings.push({ kind: 'never-active', subject: `user:${user.id}`, detail: `${user.user_name} was never active` });
  return findings;
}

/** Renders rows as CSV (RFC 4180 quoting) or a Markdown table; JSON callers serialise the rows themselves. */
export function renderAccess(rows: AccessRow[], format: 'csv' | 'md'): string {
  const columns = ['userName', 'group', 'via', 'grantId', 'reason', 'requester', 'approver', 'approvedAt', 'since', 'expiresAt', 'removedAt', 'targets'] as const;
  const cells = rows.map((row) => columns.map((column) => (column === 'targets' ? row.targets.map((t) => t.target).join(' ') : String(row[column] ?? ''))));
  if (format === 'csv') {
    const quote = (value: string) => (/[",\n]/.test(value) ? `"${value.replace(/"/g, '""')}"` : value);
    return [columns.join(','), ...cells.map((line) => line.map(quote).join(','))].join('\n') + '\n';
  }
  const escape = (value: string) => value.replace(/\|/g, '\\|');
  return [`| ${columns.join(' | ')} |`, `|${columns.map(() => ' --- ').join('|')}|`, ...cells.map((line) => `| ${line.map(escape).join(' | ')} |`)].join('\n') + '\n';
}
