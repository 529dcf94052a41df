import type { Db, LedgerRow } from '../store';
import { findPerson } from './people';

type SubjectKind = 'user' | 'group' | 'grant' | 'request';

/**
 * The ledger trail of one subject, in ledger order: the rows about it (its IdP requests, grants,
 * deliveries to each target, reconcile findings and fixes) and the rows of other subjects that
 * changed it: a group's membership rows and group deliveries that name the user, the grant rows that
 * caused a group's deliveries. Shared request ids alone never pull rows in, so a reconcile run or a
 * sweep that touched thousands of subjects adds only its rows about this one. Every lookup goes
 * through the ledger's subject or request index.
 * `subject` is `user:<id or userName>`, `group:<id or displayName>`, `grant:<id>` or `request:<id>`.
 */
export function evidenceTrail(db: Db, subject: string): LedgerRow[] | undefined {
  const resolved = resolveSubject(db, subject);
  if (!resolved) return undefined;
  const trail = new Trail(db);
  if (resolved.kind === 'request') return db.prepare('SELECT * FROM ledger WHERE request_id = ? ORDER BY seq').all(resolved.id) as LedgerRow[];
  if (resolved.kind === 'user') return trail.user(resolved.id);
  if (resolved.kind === 'group') return trail.group(resolved.id);
  return trail.grant(resolved.id);
}

interface GrantRow {
  id: string;
  user_id: string;
  group_id?: string;
}

class Trail {
  constructor(private readonly db: Db) {}

  user(userId: string): LedgerRow[] {
    const groups = this.db
      .prepare('SELECT group_id FROM membership_history WHERE user_id = ? UNION SELECT group_id FROM grants WHERE user_id = ?')
      .all(userId, userId) as Array<{ group_id: string }>;
    return ordered([...this.about(`user:${userId}`), ...groups.flatMap(({ group_id }) => this.naming(`group:${group_id}`, userId))]);
  }

  /** The group's rows and the rows of every grant on it (grants change its membership but are rows of their user). */
  group(groupId: string): LedgerRow[] {
    const grants = this.db.prepare('SELECT id, user_id FROM grants WHERE group_id = ?').all(groupId) as GrantRow[];
    return ordered([...this.about(`group:${groupId}`), ...grants.flatMap((grant) => this.grantRows(grant))]);
  }

  grant(grantId: string): LedgerRow[] {
    const grant = this.db.prepare('SELECT id, user_id, group_id FROM grants WHERE id = ?').get(grantId) as GrantRow | undefined;
    if (!grant) return [];
    const own = this.grantRows(grant);
    const deliveries = this.inRequests(own, (row) =>
      (row.subject === `user:${grant.user_id}` && row.kind.startsWith('delivery.')) || (row.subject === `group:${grant.group_id!}` && namesMember(row, grant.user_id)),
    );
    return ordered([...own, ...deliveries]);
  }

  private grantRows(grant: GrantRow): LedgerRow[] {
    return this.db
      .prepare(`SELECT * FROM ledger WHERE subject = ? AND kind LIKE 'grant.%' AND instr(after, ?) > 0 ORDER BY seq`)
      .all(`user:${grant.user_id}`, grant.id)
      .filter((row) => parse((row as LedgerRow).after)?.id === grant.id) as LedgerRow[];
  }

  private about(subject: string): LedgerRow[] {
    return this.db.prepare('SELECT * FROM ledger WHERE subject = ? ORDER BY seq').all(subject) as LedgerRow[];
  }

  /** The group's rows whose membership changes name the user (a text search narrows, the JSON decides). */
  private naming(groupSubject: string, userId: string): LedgerRow[] {
    return (this.db
      .prepare(`SELECT * FROM ledger WHERE subject = ? AND (instr(after, ?) > 0 OR instr(before, ?) > 0)`)
      .all(groupSubject, userId, userId) as LedgerRow[]).filter((row) => namesMember(row, userId));
  }

  private inRequests(rows: LedgerRow[], keep: (row: LedgerRow) => boolean): LedgerRow[] {
    const requests = [...new Set(rows.map((row) => row.request_id).filter((id): id is string => id !== null))];
    const byRequest = this.db.prepare('SELECT * FROM ledger WHERE request_id = ? ORDER BY seq');
    return requests.flatMap((id) => (byRequest.all(id) as LedgerRow[]).filter(keep));
  }
}

/** Whether a group row adds or removes the user: IdP membership rows, delivery changes, reconcile findings. */
function namesMember(row: LedgerRow, userId: string): boolean {
  const after = parse(row.after) ?? {};
  const before = parse(row.before) ?? {};
  const changes = (after.changes ?? {}) as Record<string, unknown>;
  const lists = [after.members, after.added, after.removed, before.members, changes.membersAdded, changes.membersRemoved];
  if (lists.some((list) => Array.isArray(list) && list.includes(userId))) return true;
  return (after.member as { subjectId?: string } | undefined)?.subjectId === userId;
}

function parse(json: string | null): Record<string, unknown> | undefined {
  return json ? (JSON.parse(json) as Record<string, unknown>) : undefined;
}

function ordered(rows: LedgerRow[]): LedgerRow[] {
  const bySeq = new Map(rows.map((row) => [row.seq, row]));
  return [...bySeq.values()].sort((a, b) => a.seq - b.seq);
}

function resolveSubject(db: Db, subject: string): { kind: SubjectKind; id: string } | undefined {
  const match = /^(user|group|grant|request):(.+)$/.exec(subject);
  if (!match) return undefined;
  const [, kind, key] = match as unknown as [string, SubjectKind, string];
  if (kind === 'grant' || kind === 'request') return { kind, id: key };
  const id =
    kind === 'user'
      ? findPerson(db, key)?.id
      : (db.prepare('SELECT id FROM groups WHERE id = ? OR display_name = ? COLLATE NOCASE ORDER BY deleted_at IS NOT NULL LIMIT 1').get(key, key) as { id: string } | undefined)?.id;
  // A subject that no longer has a row may still have a trail (e.g. after tombstones are purged).
  return { kind, id: id ?? key };
}
