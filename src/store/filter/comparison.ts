import type { CompareOperator, Literal } from './ast';
import { caseFold } from '../case-fold';
import { FilterError } from './filter-error';
import { comparesWithoutCase, presence, type SqlFragment, type SqlValue } from './sql-value';

const orderings: Partial<Record<CompareOperator, string>> = { gt: '>', ge: '>=', lt: '<', le: '<=' };
const patternOperators: readonly CompareOperator[] = ['co', 'sw', 'ew'];
const BEYOND_ASCII = /[^\x00-\x7f]/;

/**
 * `value op literal` as SQL. caseExact=false strings compare with NOCASE (which the displayName and email
 * indexes are built with), or, where the value is also stored case-folded (userName), as folded text against
 * the folded literal, since NOCASE folds only ASCII; either way `userName eq "X"` is an index lookup. A
 * literal beyond ASCII ("ÄRØ") needs the Unicode fold on the other attributes too, so there both sides are
 * folded with scim_fold (no index, but correct). An absent value never matches, except for `ne`: a user
 * without a title has a title that is not "x".
 */
export function comparison(value: SqlValue, operator: CompareOperator, literal: Literal): SqlFragment {
  if (literal === null) return nullComparison(value, operator);
  const bound = bindable(value, operator, literal);
  if (comparesWithoutCase(value) && typeof bound === 'string' && (value.folded || BEYOND_ASCII.test(bound))) {
    const folded = value.folded ?? `scim_fold(${value.sql})`;
    return comparison({ ...value, sql: folded, caseExact: true, folded: undefined }, operator, caseFold(bound));
  }
  const collate = comparesWithoutCase(value) && typeof bound === 'string' ? ' COLLATE NOCASE' : '';
  if (patternOperators.includes(operator)) return pattern(value, operator, String(bound), collate !== '');
  if (operator === 'eq') return { sql: `${value.sql} = ?${collate}`, params: [bound] };
  if (operator === 'ne') {
    const differs = `${value.sql} <> ?${collate}`;
    return { sql: value.notNull ? differs : `(${value.sql} IS NULL OR ${differs})`, params: [bound] };
  }
  return { sql: `${value.sql} ${orderings[operator]} ?${collate}`, params: [bound] };
}

function nullComparison(value: SqlValue, operator: CompareOperator): SqlFragment {
  if (operator === 'eq') return { sql: `NOT ${presence(value)}`, params: [] };
  if (operator === 'ne') return { sql: presence(value), params: [] };
  throw new FilterError(`"${operator} null" is not a valid comparison for ${value.label}; use "pr", "eq null" or "ne null"`);
}

function pattern(value: SqlValue, operator: CompareOperator, text: string, caseInsensitive: boolean): SqlFragment {
  if (caseInsensitive) {
    const escaped = text.replace(/[\\%_]/g, (char) => `\\${char}`);
    return { sql: `${value.sql} LIKE ? ESCAPE '\\'`, params: [wrap(operator, escaped, '%')] };
  }
  const escaped = text.replace(/[[*?]/g, (char) => `[${char}]`);
  return { sql: `${value.sql} GLOB ?`, params: [wrap(operator, escaped, '*')] };
}

function wrap(operator: CompareOperator, text: string, wildcard: string): string {
  if (operator === 'sw') return `${text}${wildcard}`;
  if (operator === 'ew') return `${wildcard}${text}`;
  return `${wildcard}${text}${wildcard}`;
}

/** Checks the literal against the attribute's type and converts it to what SQLite stores. */
function bindable(value: SqlValue, operator: CompareOperator, literal: string | number | boolean): string | number {
  switch (value.type) {
    case 'boolean':
      return booleanLiteral(value, operator, literal);
    case 'dateTime':
      return dateTimeLiteral(value, operator, literal);
    case 'complex':
      throw new FilterError(`${value.label} is complex; compare one of its sub-attributes instead`);
    case 'unknown':
      return typeof literal === 'boolean' ? Number(literal) : literal;
    default:
      if (typeof literal === 'boolean') throw new FilterError(`${value.label} is a string; compare it with a quoted string, not ${literal}`);
      return typeof literal === 'number' ? String(literal) : literal;
  }
}

function booleanLiteral(value: SqlValue, operator: CompareOperator, literal: string | number | boolean): number {
  if (operator !== 'eq' && operator !== 'ne') {
    throw new FilterError(`${value.label} is a boolean; only eq, ne and pr apply to it, not ${operator}`);
  }
  // IdPs send string booleans ("True"); accept them like the PATCH normaliser does.
  if (typeof literal === 'string' && /^(true|false)$/i.test(literal)) return literal.toLowerCase() === 'true' ? 1 : 0;
  if (typeof literal !== 'boolean') throw new FilterError(`${value.label} is a boolean; compare it with true or false`);
  return literal ? 1 : 0;
}

const isoDateTime = /^(\d{4})-(\d{2})-(\d{2})(?:[Tt ](\d{2}):(\d{2})(?::(\d{2})(?:\.\d+)?)?([Zz]|[+-]\d{2}:\d{2})?)?$/;

/**
 * Stored timestamps are `Date.toISOString()` strings (UTC, milliseconds), so comparing strings orders them
 * correctly once the literal is written the same way; a time without a zone is taken as UTC.
 */
function dateTimeLiteral(value: SqlValue, operator: CompareOperator, literal: string | number | boolean): string {
  if (typeof literal !== 'string') throw new FilterError(`${value.label} is a dateTime; compare it with a quoted ISO 8601 string`);
  if (patternOperators.includes(operator)) return literal;
  const time = parseDateTime(literal);
  if (time === undefined) throw new FilterError(`${value.label} is a dateTime; ${JSON.stringify(literal)} is not an ISO 8601 date-time`);
  return new Date(time).toISOString();
}

function parseDateTime(text: string): number | undefined {
  const match = isoDateTime.exec(text);
  if (!match) return undefined;
  const [, year, month, day, hour = '00', minute = '00', second = '00', zone = 'Z'] = match;
  // Date.parse rolls 2024-02-30 over to March; a filter with an impossible date is a client mistake.
  const daysInMonth = new Date(Date.UTC(Number(year), Number(month), 0)).getUTCDate();
  if (Number(month) < 1 || Number(month) > 12 || Number(day) < 1 || Number(day) > daysInMonth) return undefined;
  if (Number(hour) > 23 || Number(minute) > 59 || Number(second) > 59) return undefined;
  const time = Date.parse(`${year}-${month}-${day}T${hour}:${minute}:${second}${text.match(/\.\d+/)?.[0] ?? ''}${zone.toUpperCase()}`);
  return Number.isNaN(time) ? undefined : time;
}
