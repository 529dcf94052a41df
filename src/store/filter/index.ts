import { compileFilter } from './compile-filter';
import { parseFilter } from './parser';
import { catalogueFor } from './schema-catalogue';
import type { SqlFragment } from './sql-value';
import { FilterError } from './filter-error';

export { FilterError } from './filter-error';
export { sortToSql } from './sort-order';
export { maxFilterLength, maxNestingDepth } from './parser';

/**
 * Compiles a SCIM filter (RFC 7644 §3.4.2.2) to a parameterised WHERE fragment over the unaliased `users` or
 * `groups` table. The caller adds `deleted_at IS NULL`. Throws FilterError (→ 400 invalidFilter) for bad input.
 */
export function filterToSql(expression: string, resource: 'user' | 'group'): SqlFragment {
  // Query strings can repeat a parameter (?filter=a&filter=b), which arrives as an array.
  if (typeof expression !== 'string') throw new FilterError('filter must be a single string');
  const compiled = compileFilter(parseFilter(expression), catalogueFor(resource));
  return { sql: `(${compiled.sql})`, params: compiled.params };
}
