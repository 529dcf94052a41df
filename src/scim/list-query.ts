import type SCIMMY from 'scimmy';
import type { ListQuery } from '../store/resource-query';
import { scimFailure } from './errors';

/** The SQL page a scimmy resource instance asks for: count defaults to and is capped by maxResults. */
/** `filter` is the raw SCIM filter, which scimmy never parses (see plainQuery). */
export function listQueryOf(resource: SCIMMY.Types.Resource, maxResults: number, filter: string | undefined): ListQuery {
  const constraints = resource.constraints ?? {};
  const startIndex = Math.max(1, Number.isInteger(constraints.startIndex) ? Number(constraints.startIndex) : 1);
  const count = Math.min(maxResults, Math.max(0, Number.isInteger(constraints.count) ? Number(constraints.count) : maxResults));
  return {
    filter,
    sortBy: constraints.sortBy,
    sortOrder: constraints.sortOrder,
    startIndex,
    count,
  };
}

/**
 * startIndex or count from a query string or a search body, as an integer. Any number of digits is an
 * integer: a huge count is later capped at maxResults and a huge startIndex gives an empty page, so
 * values past what a double holds exactly are simply clamped.
 */
export function pagingInteger(name: string, value: unknown): number | undefined {
  if (value === undefined) return undefined;
  const number = typeof value === 'number' ? value : typeof value === 'string' && /^\s*[-+]?\d{1,1000}\s*$/.test(value) ? Number(value) : NaN;
  if (Number.isNaN(number) || (Number.isFinite(number) && !Number.isInteger(number))) throw scimFailure(400, 'invalidValue', `${name} must be an integer`);
  return Math.max(-Number.MAX_SAFE_INTEGER, Math.min(Number.MAX_SAFE_INTEGER, number));
}

/** sortOrder in any casing (RFC 7644 3.4.2.3 names "ascending" and "descending"); anything else is 400. */
export function sortOrderOf(value: unknown): 'ascending' | 'descending' | undefined {
  if (value === undefined) return undefined;
  const order = typeof value === 'string' ? value.trim().toLowerCase() : undefined;
  if (order === 'ascending' || order === 'descending') return order;
  throw scimFailure(400, 'invalidValue', `sortOrder must be "ascending" or "descending", not ${JSON.stringify(value)?.slice(0, 100)}`);
}
