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

/** `firstBadSeq` names the first row that fails the chain; a problem found by comparing with the users and groups has none. */
export type VerifyResult = { ok: true; rows: number } | { ok: false; rows: number; firstBadSeq?: number; problem: string };

/** The last row of the chain: an auditor keeps it, and a later verify proves the chain still holds it. */
export interface LedgerHead {
  seq: number;
  hash: string;
}

/** Row kinds whose `after` is the subject's whole stored resource, `{ id, ...resource }`. */
const STATE_KINDS = {
  user: ['user.created', 'user.updated', 'user.deactivated', 'user.reactivated'],
  group: ['group.created', 'group.updated'],
} as const;

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
      `INSERT INTO ledger (seq, at, actor, source, request_id, kind, subject, target, before, after, reason, prev_hash, hash)
       VALUES (@seq, @at, @actor, @source, @request_id, @kind, @subject, @target, @before, @after, @reason, @prev_hash, @hash)`,
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

  /**
   * Recomputes the whole chain and names the first row whose content or link does not match; then checks
   * the chain against the desired state, which catches rows removed where no link shows it (a truncated
   * tail, an emptied ledger): every user and group has its created (and, if tombstoned, deleted) row, and
   * each live one is what its last recorded state says.
   */
  verify(): VerifyResult {
    const chain = this.verifyChain();
    if (!chain.ok) return chain;
    const problem = this.stateProblem('user') ?? this.stateProblem('group');
    return problem ? { ok: false, rows: chain.rows, problem } : chain;
  }

  head(): LedgerHead | undefined {
    return this.last.get() as LedgerHead | undefined;
  }

  /** Whether the chain still holds the row an auditor anchored (seq and hash), i.e. nothing up to it was cut or rewritten. */
  holds(anchor: LedgerHead): boolean {
    const row = this.db.prepare('SELECT hash FROM ledger WHERE seq = ?').get(anchor.seq) as { hash: string } | undefined;
    return row?.hash === anchor.hash;
  }

  private verifyChain(): VerifyResult {
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

  private stateProblem(kind: 'user' | 'group'): string | undefined {
    const table = kind === 'user' ? 'users' : 'groups';
    const states = STATE_KINDS[kind].map((k) => `'${k}'`).join(', ');
    const rows = this.db
      .prepare(
        `SELECT t.id, t.resource, t.deleted_at,
           EXISTS (SELECT 1 FROM ledger WHERE subject = '${kind}:' || t.id AND kind = '${kind}.created') AS created,
           EXISTS (SELECT 1 FROM ledger WHERE subject = '${kind}:' || t.id AND kind = '${kind}.deleted') AS deleted,
           (SELECT after FROM ledger WHERE subject = '${kind}:' || t.id AND kind IN (${states}) ORDER BY seq DESC LIMIT 1) AS last_state
         FROM ${table} t`,
      )
      .iterate() as IterableIterator<{ id: string; resource: string; deleted_at: string | null; created: number; deleted: number; last_state: string | null }>;
    for (const row of rows) {
      if (!row.created) return `${kind} ${row.id} exists but the ledger has no ${kind}.created row for it (rows were removed)`;
      if (row.deleted_at !== null && !row.deleted) return `${kind} ${row.id} is deleted but the ledger has no ${kind}.deleted row for it (rows were removed)`;
      if (row.deleted_at === null && !sameState(row.id, row.resource, row.last_state)) {
        return `${kind} ${row.id} differs from its last recorded state in the ledger (rows were removed or the ${table} table was edited)`;
      }
    }
    return undefined;
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

/** Whether the stored resource is the one the ledger last recorded (`members` aside: they are tracked by their own rows). */
function sameState(id: string, resource: string, recorded: string | null): boolean {
  if (recorded === null) return false;
  const stored: Record<string, unknown> = { id, ...(JSON.parse(resource) as object) };
  const last = JSON.parse(recorded) as Record<string, unknown>;
  delete stored.members;
  delete last.members;
  return canonicalize(stored) === canonicalize(last);
}

function toJson(value: unknown): string | null {
  return value === undefined || value === null ? null : JSON.stringify(value);
}
