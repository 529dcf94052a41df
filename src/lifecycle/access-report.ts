import type { Db } from '../store';
import type { GrantState } from '../store/grants';
import { DeliveredAccess, overlapping, type AccountState, type DeliveredSpan } from './delivered';

/**
 * One access path: a user in a group, directly from the IdP (one row per membership period) or
 * through a grant (one row per grant: overlapping grants each have their own row and approver).
 */
export interface AccessRow {
  userId: string;
  userName: string;
  userActive: boolean;
  userDeleted: boolean;
  groupId: string;
  group: string;
  via: 'idp' | 'grant';
  grantId: string | null;
  grantState: GrantState | null;
  reason: string | null;
  requester: string | null;
  approver: string | null;
  approvedAt: string | null;
  /** Why the grant needs review (e.g. its approver left), when the sweeper flagged it. */
  flag: string | null;
  /** When the access began in the bridge (membership added, grant activated). */
  since: string;
  expiresAt: string | null;
  removedAt: string | null;
  /** Targets that really held this membership during the period, and when (not the targets the group is configured for). */
  targets: DeliveredSpan[];
  /** The user's account on each target it reached: active, suspended (deprovisioned) or removed. */
  accounts: AccountState[];
}

export interface AccessQuery {
  /** A user id or userName. */
  user?: string;
  target?: string;
  /** Include access that has ended (default true: auditors ask when it was removed). */
  includeRemoved?: boolean;
}

type AccessBase = Omit<AccessRow, 'targets' | 'accounts' | 'userActive' | 'userDeleted'> & { active: number; deleted_at: string | null };

const PERSON = `u.user_name AS userName, u.active, u.deleted_at, g.display_name AS "group"`;
// Resolved first, so the report reads the user's own rows through the user_id indexes.
const USER_FILTER = `AND u.id IN (SELECT id FROM users WHERE id = @user
  UNION SELECT id FROM users WHERE user_name_fold = scim_fold(@user) AND deleted_at IS NULL
  UNION SELECT id FROM users WHERE user_name_fold = scim_fold(@user) AND deleted_at IS NOT NULL)`;

/** Who has (and had) access to what, through which group or grant, approved by whom, and where it was delivered. */
export function accessReport(db: Db, query: AccessQuery = {}): AccessRow[] {
  const params = query.user ? { user: query.user } : {};
  const forUser = query.user ? USER_FILTER : '';
  const viaIdp = db
    .prepare(
      `SELECT h.user_id AS userId, h.group_id AS groupId, 'idp' AS via, h.added_at AS since, h.removed_at AS removedAt, ${PERSON}
       FROM membership_history h JOIN users u ON u.id = h.user_id JOIN groups g ON g.id = h.group_id
       WHERE h.source = 'idp' ${forUser}`,
    )
    .all(params) as AccessBase[];
  const viaGrant = db
    .prepare(
      `SELECT gr.user_id AS userId, gr.group_id AS groupId, 'grant' AS via, gr.id AS grantId, gr.state AS grantState, gr.reason,
              gr.requester, gr.approver, gr.approved_at AS approvedAt, gr.flag_reason AS flag, gr.activated_at AS since,
              gr.expires_at AS expiresAt, CASE WHEN gr.state IN ('expired', 'revoked') THEN gr.ended_at END AS removedAt, ${PERSON}
       FROM grants gr JOIN users u ON u.id = gr.user_id JOIN groups g ON g.id = gr.group_id
       WHERE gr.activated_at IS NOT NULL ${forUser}`,
    )
    .all(params) as AccessBase[];
  const users = new Set([...viaIdp, ...viaGrant].map((row) => row.userId));
  const delivered = new DeliveredAccess(db, users.size === 1 ? [...users][0] : undefined);
  return [...viaIdp, ...viaGrant]
    .filter((row) => query.includeRemoved !== false || row.removedAt === null)
    .map((row) => toAccessRow(row, delivered))
    .filter((row) => !query.target || row.targets.some((t) => t.target === query.target))
    .sort(byUserGroupSince);
}

function toAccessRow({ active, deleted_at, ...row }: AccessBase, delivered: DeliveredAccess): AccessRow {
  return {
    ...row,
    grantId: row.grantId ?? null,
    grantState: row.grantState ?? null,
    reason: row.reason ?? null,
    requester: row.requester ?? null,
    approver: row.approver ?? null,
    approvedAt: row.approvedAt ?? null,
    flag: row.flag ?? null,
    expiresAt: row.expiresAt ?? null,
    userActive: active === 1 && deleted_at === null,
    userDeleted: deleted_at !== null,
    targets: overlapping(delivered.membership(row.groupId, row.userId), row.since, row.removedAt),
    accounts: delivered.accounts(row.userId),
  };
}

function byUserGroupSince(a: AccessRow, b: AccessRow): number {
  const text = (x: string, y: string) => x.localeCompare(y, undefined, { sensitivity: 'base' });
  return text(a.userName, b.userName) || text(a.group, b.group) || a.since.localeCompare(b.since);
}

/** A --target filter must name a target the bridge knows; an unknown one would print an empty, misleading report. */
export class UnknownTargetError extends Error {
  readonly status = 400;
}

export function requireKnownTarget(db: Db, configured: readonly string[], target: string): void {
  const linked = (db.prepare('SELECT DISTINCT target FROM links').all() as Array<{ target: string }>).map((row) => row.target);
  const known = [...new Set([...configured, ...linked])].sort();
  if (!known.includes(target)) {
    throw new UnknownTargetError(`unknown target '${target}'; known targets: ${known.length ? known.join(', ') : '(none)'}`);
  }
}

const COLUMNS = [
  'userName', 'userActive', 'group', 'via', 'grantId', 'grantState', 'reason', 'requester', 'approver', 'approvedAt', 'flag',
  'since', 'expiresAt', 'removedAt', 'targets', 'accounts',
] as const;

/** Renders rows as CSV (RFC 4180 quoting) or a Markdown table; JSON callers serialise the rows themselves. */
export function renderAccess(rows: AccessRow[], format: 'csv' | 'md'): string {
  const cells = rows.map((row) => COLUMNS.map((column) => cell(row, column)));
  if (format === 'csv') {
    const quote = (value: string) => (/[",\n]/.test(value) ? `"${value.replace(/"/g, '""')}"` : value);
    return [COLUMNS.join(','), ...cells.map((line) => line.map(quote).join(','))].join('\n') + '\n';
  }
  const escape = (value: string) => value.replace(/\|/g, '\\|').replace(/\n/g, ' ');
  return [`| ${COLUMNS.join(' | ')} |`, `|${COLUMNS.map(() => ' --- ').join('|')}|`, ...cells.map((line) => `| ${line.map(escape).join(' | ')} |`)].join('\n') + '\n';
}

function cell(row: AccessRow, column: (typeof COLUMNS)[number]): string {
  if (column === 'targets') return row.targets.map((t) => (t.until ? `${t.target} until ${t.until}` : t.target)).join('; ');
  if (column === 'accounts') return row.accounts.map((a) => `${a.target}:${a.state}`).join(' ');
  if (column === 'userActive') return row.userDeleted ? 'deleted' : String(row.userActive);
  return String(row[column] ?? '');
}
