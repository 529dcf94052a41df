import { createHash } from 'node:crypto';
import canonicalize from 'canonicalize';
import type { Db } from './db';

export const GENESIS_HASH = '0'.repeat(64);

/** What a caller records; seq, at, prev_hash and hash are the ledger's to assign. */
export interface LedgerEntry {
  actor: string;
  source: string;
  requestId?: string | null;
  kind: string;
  /** `user:<id>`, `group:<id>`, `grant:<id>`, `target:<name>` … */
  subject?: string | null;
  target?: string | null;
  before?: unknown;
  after?: unknown;
  reason?: string | null;
}

export interface LedgerRow {
  seq: number;
  at: string;
  actor: string;
  source: string;
  request_id: string | null;
  kind: string;
  subject: string | null;
  target: string | null;
  before: string | null;
  after: string | null;
  reason: string | null;
  prev_hash: string;
  hash: string;
}

export type VerifyResult = { ok: true; rows: number } | { ok: false; rows: number; firstBadSeq: number; problem: string };

/** sha256(prev_hash ‖ canonical JSON of every column but hash). */
export function hashRow(row: Omit<LedgerRow, 'hash'>): string {
  const { prev_hash, ...content } = row;
  return createHash('sha256').update(prev_hash).update(canonicalize(content) ?? '').digest('hex');
}

/**
 * The append-only, hash-chained ledger. Appends must run inside the caller's transaction so the
 * ledger row commits (or rolls back) together with the change it records.
 */
export class Ledger {
  private readonly insert;
  private readonly last;

  constructor(private readonly db: Db, private readonly now: () => Date = () => new Date()) {
    this.insert = db.prepare(
      `INSERT INTO ledger (at, actor, source, request_id, kind, subject, target, before, after, reason, prev_hash, hash)
       VALUES (@at, @actor, @source, @request_id, @kind, @subject, @target, @before, @after, @reason, @prev_hash, @hash)`,
    );
    this.last = db.prepare('SELECT seq, hash FROM ledger ORDER BY seq DESC LIMIT 1');
  }

  append(entry: LedgerEntry): number {
    if (!this.db.inTransaction) throw new Error('Ledger.append must run inside a transaction');
    const tail = this.last.get() as { seq: number; hash: string } | undefined;
    const row: Omit<LedgerRow, 'hash'> = {
      seq: (tail?.seq ?? 0) + 1,
      at: this.now().toISOString(),
      actor: entry.actor,
      source: entry.source,
      request_id: entry.requestId ?? null,
      kind: entry.kind,
      subject: entry.subject ?? null,
      target: entry.target ?? null,
      before: toJson(entry.before),
      after: toJson(entry.after),
      reason: entry.reason ?? null,
      prev_hash: tail?.hash ?? GENESIS_HASH,
    };
    const hash = hashRow(row);
    this.insert.run({ ...row, hash });
    return row.seq;
  }

  /** Recomputes the whole chain; names the first row whose content or link does not match. */
  verify(): VerifyResult {
    let prev = GENESIS_HASH;
    let expectedSeq = 1;
    let rows = 0;
    for (const row of this.db.prepare('SELECT * FROM ledger ORDER BY seq').iterate() as IterableIterator<LedgerRow>) {
      rows++;
      if (row.seq !== expectedSeq) return { ok: false, rows, firstBadSeq: expectedSeq, problem: `row ${expectedSeq} is missing` };
      if (row.prev_hash !== prev) return { ok: false, rows, firstBadSeq: row.seq, problem: 'prev_hash does not match the previous row' };
      const { hash, ...content } = row;
      if (hashRow(content) !== hash) return { ok: false, rows, firstBadSeq: row.seq, problem: 'row content does not match its hash' };
      prev = hash;
      expectedSeq++;
    }
    return { ok: true, rows };
  }

  *export(sinceSeq = 0): IterableIterator<LedgerRow> {
    yield* this.db.prepare('SELECT * FROM ledger WHERE seq > ? ORDER BY seq').iterate(sinceSeq) as IterableIterator<LedgerRow>;
  }

  forSubject(subject: string): LedgerRow[] {
    return this.db.prepare('SELECT * FROM ledger WHERE subject = ? ORDER BY seq').all(subject) as LedgerRow[];
  }

  forRequest(requestId: string): LedgerRow[] {
    return this.db.prepare('SELECT * FROM ledger WHERE request_id = ? ORDER BY seq').all(requestId) as LedgerRow[];
  }
}

function toJson(value: unknown): string | null {
  return value === undefined || value === null ? null : JSON.stringify(value);
}
