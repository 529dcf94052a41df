import { parseAttributePath } from './attribute-path';
import { FilterError } from './filter-error';
import {
  canonicalSubAttribute,
  elementItself,
  jsonElementSql,
  resolveAttribute,
  resourceColumn,
  subAttributeDefinition,
  type ResolvedAttribute,
} from './resolve-attribute';
import { catalogueFor, type ResourceCatalogue } from './schema-catalogue';
import { comparesWithoutCase, sqlLiteral, type SqlValue } from './sql-value';

const maxSortByLength = 512;

/**
 * ORDER BY for sortBy/sortOrder (RFC 7644 §3.4.2.3): caseExact=false strings sort case-insensitively, missing
 * values last in both directions, and id breaks ties so pages never overlap or skip. Multi-valued attributes
 * sort by their primary value, else the first. Without sortBy the order is by id.
 */
export function sortToSql(sortBy: string | undefined, sortOrder: string | undefined, resource: 'user' | 'group'): string {
  if (!isOptionalString(sortBy) || !isOptionalString(sortOrder)) throw new FilterError('sortBy and sortOrder must be single strings');
  const catalogue = catalogueFor(resource);
  const direction = sortDirection(sortOrder);
  const tiebreak = `${catalogue.table}.id ${direction}`;
  const attribute = sortBy?.trim();
  if (!attribute) return `${catalogue.table}.id ASC`;
  if (attribute.length > maxSortByLength) throw new FilterError(`sortBy is longer than ${maxSortByLength} characters`);
  const key = sortKey(resolveAttribute(parseAttributePath(attribute, 1), catalogue), catalogue, attribute);
  if (key.sql === `${catalogue.table}.id`) return tiebreak;
  if (key.folded && comparesWithoutCase(key)) return `${key.folded} ${direction} NULLS LAST, ${tiebreak}`;
  const collate = comparesWithoutCase(key) ? ' COLLATE NOCASE' : '';
  return `${key.sql}${collate} ${direction} NULLS LAST, ${tiebreak}`;
}

function isOptionalString(value: unknown): boolean {
  return value === undefined || typeof value === 'string';
}

function sortDirection(sortOrder: string | undefined): 'ASC' | 'DESC' {
  const order = sortOrder?.trim().toLowerCase();
  if (!order || order === 'ascending') return 'ASC';
  if (order === 'descending') return 'DESC';
  throw new FilterError(`sortOrder must be "ascending" or "descending", not ${JSON.stringify(sortOrder)}`);
}

function sortKey(resolved: ResolvedAttribute, catalogue: ResourceCatalogue, sortBy: string): Pick<SqlValue, 'sql' | 'type' | 'caseExact' | 'folded'> {
  if (resolved.kind === 'value') return resolved.value;
  if (resolved.kind === 'complex') {
    if (resolved.defaultValue) return resolved.defaultValue;
    throw new FilterError(`sortBy ${JSON.stringify(sortBy)} is complex; sort by one of its sub-attributes`);
  }
  const { attribute } = resolved;
  const name = canonicalSubAttribute(attribute, resolved.subAttribute ?? elementItself);
  const sub = subAttributeDefinition(attribute, name);
  const document = resourceColumn(catalogue);
  const element = jsonElementSql(name);
  const primary = jsonElementSql('primary');
  return {
    sql: `(SELECT ${element} FROM json_each(${document}, ${sqlLiteral(attribute.path)}) AS e ORDER BY coalesce(${primary}, 0) = 1 DESC, e.key LIMIT 1)`,
    type: sub?.type ?? attribute.definition?.type ?? 'unknown',
    caseExact: sub?.caseExact ?? false,
  };
}
