import type { AttributeType } from './schema-catalogue';
import { FilterError } from './filter-error';

export interface SqlFragment {
  sql: string;
  params: unknown[];
}

/** One comparable value in SQL: a column, a constant, or a json_extract over the stored resource. */
export interface SqlValue {
  /** The attribute as the client named it, for error messages. */
  label: string;
  sql: string;
  type: AttributeType | 'unknown';
  caseExact: boolean;
  /** True when sql can never be NULL (NOT NULL columns, constants). */
  notNull: boolean;
  /** The column holding this value case-folded, where caseExact=false comparisons and sorting go instead. */
  folded?: string;
  /** Where a JSON-stored value lives, so `pr` can tell "", [] and {} from real values. */
  json?: { document: string; path: string };
}

/** caseExact=false text compares and sorts with NOCASE, the collation the userName/displayName/email indexes use. */
export function comparesWithoutCase(value: Pick<SqlValue, 'type' | 'caseExact'>): boolean {
  const textual = value.type === 'string' || value.type === 'reference' || value.type === 'unknown';
  return textual && !value.caseExact;
}

/** Only these characters reach a JSON path, and the path is always double-quoted per segment. */
const safeSegment = /^[A-Za-z0-9_:.$-]+$/;

/** `$."a"."b"` — quoting every label keeps URN keys (with ':' and '.') intact. */
export function jsonPath(segments: readonly string[]): string {
  return `$${jsonPathSuffix(segments)}`;
}

export function jsonPathSuffix(segments: readonly string[]): string {
  for (const segment of segments) {
    if (!safeSegment.test(segment)) throw new FilterError(`invalid attribute name ${JSON.stringify(segment)}`);
  }
  return segments.map((segment) => `."${segment}"`).join('');
}

/** The SQL string literal of a path built by jsonPath (its characters never include a quote). */
export function sqlLiteral(path: string): string {
  return `'${path}'`;
}

export function jsonValue(label: string, document: string, path: string, type: SqlValue['type'], caseExact: boolean): SqlValue {
  return { label, sql: `json_extract(${document}, ${path})`, type, caseExact, notNull: false, json: { document, path } };
}

/**
 * Present = has a value that is not null, "", [] or {} (RFC 7644 §3.4.2.2 "pr"). Never NULL, so NOT works.
 */
export function presence(value: SqlValue): string {
  if (value.json && (value.type === 'unknown' || value.type === 'complex')) return jsonPresence(value.json.document, value.json.path);
  if (value.type === 'boolean') return value.notNull ? '1' : `${value.sql} IS NOT NULL`;
  return value.notNull ? `${value.sql} <> ''` : `coalesce(${value.sql}, '') <> ''`;
}

export function jsonPresence(document: string, path: string): string {
  const type = `json_type(${document}, ${path})`;
  const extracted = `json_extract(${document}, ${path})`;
  return (
    `(CASE ${type} WHEN 'null' THEN 0 WHEN 'text' THEN ${extracted} <> '' ` +
    `WHEN 'array' THEN json_array_length(${document}, ${path}) > 0 WHEN 'object' THEN ${extracted} <> '{}' ` +
    `ELSE ${type} IS NOT NULL END)`
  );
}
