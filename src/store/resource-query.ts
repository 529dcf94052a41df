import type { Db } from './db';
import type { Statement } from 'better-sqlite3';
import { ConcurrentChangeError, PreconditionFailedError, ResourceNotFoundError } from './resource-errors';

/** One stored SCIM resource: the JSON body (without id and meta) plus the columns meta is built from. */
export interface StoredResource {
  id: string;
  resource: Record<string, unknown>;
  version: number;
  created: string;
  lastModified: string;
}

export interface StoredRow {
  id: string;
  resource: string;
  version: number;
  created: string;
  last_modified: string;
}

export const STORED_COLUMNS = 'id, resource, version, created, last_modified';

export function fromRow(row: StoredRow): StoredResource {
  return { id: row.id, resource: JSON.parse(row.resource) as Record<string, unknown>, version: row.version, created: row.created, lastModified: row.last_modified };
}

/** A page request: filter and sort are SCIM expressions compiled to SQL; startIndex is 1-based. */
export interface ListQuery {
  filter?: string;
  sortBy?: string;
  sortOrder?: string;
  startIndex: number;
  count: number;
}

export interface Page<T> {
  total: number;
  items: T[];
}

/** Options every write takes: an If-Match check and the version a read-modify-write started from. */
export interface WriteGuard {
  /** Returns false when the caller's precondition (If-Match) does not hold for this version. */
  precondition?: (currentVersion: number) => boolean;
  /** The version the caller read; a different current version means someone wrote in between. */
  expectedVersion?: number;
}

/**
 * Prepared statements keyed by SQL text. Filters compile to a handful of shapes whose values are
 * bound parameters, so a small cache makes repeated lookups (Okta's `userName eq "…"`) prepare once.
 */
export class StatementCache {
  private readonly statements = new Map<string, Statement>();

  constructor(private readonly db: Db, private readonly limit = 256) {}

  get(sql: string): Statement {
    let statement = this.statements.get(sql);
    if (!statement) {
      if (this.statements.size >= this.limit) this.statements.clear();
      statement = this.db.prepare(sql);
      this.statements.set(sql, statement);
    }
    return statement;
  }
}

/** Runs the count and page queries of a list over `table` (live rows only), both in SQL. */
export function listPage(
  cache: StatementCache,
  table: 'users' | 'groups',
  where: { sql: string; params: unknown[] } | undefined,
  orderBy: string,
  query: ListQuery,
): Page<StoredResource> {
  const condition = `deleted_at IS NULL${where ? ` AND (${where.sql})` : ''}`;
  const params = where?.params ?? [];
  const total = (cache.get(`SELECT COUNT(*) AS n FROM ${table} WHERE ${condition}`).get(...params) as { n: number }).n;
  if (query.count === 0 || total < query.startIndex) return { total, items: [] };
  const rows = cache
    .get(`SELECT ${STORED_COLUMNS} FROM ${table} WHERE ${condition} ORDER BY ${orderBy} LIMIT ? OFFSET ?`)
    .all(...params, query.count, query.startIndex - 1) as StoredRow[];
  return { total, items: rows.map(fromRow) };
}

export function isUniqueViolation(error: unknown): boolean {
  return (error as { code?: string })?.code === 'SQLITE_CONSTRAINT_UNIQUE';
}

/** The live row a write starts from, after its guard: 404, If-Match (412) and lost-update (409) checks. */
export function guardedRow(selectLive: Statement, kind: 'user' | 'group', id: string, guard: WriteGuard): StoredResource {
  const row = selectLive.get(id) as StoredRow | undefined;
  if (!row) throw new ResourceNotFoundError(kind, id);
  if (guard.precondition && !guard.precondition(row.version)) throw new PreconditionFailedError(row.version);
  if (guard.expectedVersion !== undefined && guard.expectedVersion !== row.version) {
    throw new ConcurrentChangeError(`${kind} ${id} changed while the request was applied; retry`);
  }
  return fromRow(row);
}
