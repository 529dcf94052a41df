import type { Db, LedgerRow } from '../store';

/**
 * The full ledger trail of one subject: its own rows plus every row sharing a request id with them
 * (the IdP request, each target's delivery result, reconciliation verdicts), in ledger order.
 * `subject` is `user:<id or userName>`, `group:<id or displayName>`, `grant:<id>` or `request:<id>`.
 */
export function evidenceTrail(db: Db, subject: string): LedgerRow[] | undefined {
  const resolved = resolveSubject(db, subject);
  if (!resolved) return undefined;
  if (resolved.kind === 'request') {
    return db.prepare('SELECT * FROM ledger WHERE request_id = ? ORDER BY seq').all(resolved.id) as LedgerRow[];
  }
  if (resolved.kind === 'grant') {
    return db
      .prepare(
        `SELECT * FROM ledger WHERE (kind LIKE 'grant.%' AND json_extract(after, '$.id') = @id)
           OR request_id IN (SELECT request_id FROM ledger WHERE kind LIKE 'grant.%' AND json_extract(after, '$.id') = @id AND request_id IS NOT NULL)
         ORDER BY seq`,
      )
      .all({ id: resolved.id }) as LedgerRow[];
  }
  return db
    .prepare(
      `SELECT * FROM ledger WHERE subject = @subject
         OR request_id IN (SELECT request_id FROM ledger WHERE subject = @subject AND request_id IS NOT NULL)
       ORDER BY seq`,
    )
    .all({ subject: `${resolved.kind}:${resolved.id}` }) as LedgerRow[];
}

function resolveSubject(db: Db, subject: string): { kind: 'user' | 'group' | 'grant' | 'request'; id: string } | undefined {
  const match = /^(user|group|grant|request):(.+)$/.exec(subject);
  if (!match) return undefined;
  const [, kind, key] = match as unknown as [string, 'user' | 'group' | 'grant' | 'request', string];
  if (kind === 'grant' || kind === 'request') return { kind, id: key };
  const lookup =
    kind === 'user'
      ? 'SELECT id FROM users WHERE id = ? OR user_name = ? COLLATE NOCASE ORDER BY deleted_at IS NOT NULL LIMIT 1'
      : 'SELECT id FROM groups WHERE id = ? OR display_name = ? COLLATE NOCASE ORDER BY deleted_at IS NOT NULL LIMIT 1';
  const row = db.prepare(lookup).get(key, key) as { id: string } | undefined;
  // A subject that no longer has a row may still have a trail (e.g. after tombstones are purged).
  return { kind, id: row?.id ?? key };
}
