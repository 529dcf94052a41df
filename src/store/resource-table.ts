import type { Statement } from 'better-sqlite3';
import type { Db } from './db';
import { filterToSql, sortToSql } from './filter';
import {
  STORED_COLUMNS,
  StatementCache,
  fromRow,
  guardedRow,
  listPage,
  type ListQuery,
  type Page,
  type StoredResource,
  type StoredRow,
  type WriteGuard,
} from './resource-query';

/** What users and groups share: reading one live row, paging in SQL, and the guarded read a write starts from. */
export abstract class ResourceTable {
  private readonly cache: StatementCache;
  private readonly selectLive: Statement;
  private readonly tombstone: Statement;

  protected constructor(protected readonly db: Db, private readonly table: 'users' | 'groups', private readonly kind: 'user' | 'group') {
    this.cache = new StatementCache(db);
    this.selectLive = db.prepare(`SELECT ${STORED_COLUMNS} FROM ${table} WHERE id = ? AND deleted_at IS NULL`);
    this.tombstone = db.prepare(`UPDATE ${table} SET deleted_at = ?, version = version + 1, last_modified = ? WHERE id = ? AND deleted_at IS NULL`);
  }

  get(id: string): StoredResource | undefined {
    const row = this.selectLive.get(id) as StoredRow | undefined;
    return row && fromRow(row);
  }

  /** A page of live rows matching the SCIM filter; counts and pages in SQL, never loading every row. */
  list(query: ListQuery): Page<StoredResource> {
    const where = query.filter ? filterToSql(query.filter, this.kind) : undefined;
    return listPage(this.cache, this.table, where, sortToSql(query.sortBy, query.sortOrder, this.kind), query);
  }

  /** Must run inside the write transaction: 404, If-Match and lost-update checks see the row being replaced. */
  protected current(id: string, guard: WriteGuard): StoredResource {
    return guardedRow(this.selectLive, this.kind, id, guard);
  }

  /** Inside the delete transaction: marks the row deleted (a tombstone kept for the targets) and returns it as it was. */
  protected markDeleted(id: string, guard: WriteGuard, at: string): StoredResource {
    const before = this.current(id, guard);
    this.tombstone.run(at, at, id);
    return before;
  }
}
