import { v7 } from 'uuid';

/**
 * A new id for a user, group or request: a UUIDv7 (RFC 9562), whose leading bits are its creation time.
 * Random (v4) ids scatter every insert across each index keyed by them (the id indexes, the ledger's
 * subject and request indexes, the emails' user index), so each write dirtied a different page per index
 * and at 100k users most of those pages were not in the cache. Time-ordered ids append next to the last
 * insert. They also make the default list order (by id) creation order, so paging through /Users while
 * users are being created does not shift the pages already read.
 */
export function newId(): string {
  return v7();
}
