import type { JsonValue } from '../../connectors/sdk/contract';
import { attributeOf, matchesFilter, parseFilter, type ParsedFilter } from './scim-filter';

/**
 * A mapping source: a SCIM attribute path (`name.givenName`, `emails[type eq "work"].value`,
 * `urn:ietf:params:scim:schemas:extension:enterprise:2.0:User:manager.value`) or a template with
 * `{path}` placeholders (`{name.givenName}.{name.familyName}`). Compiled once per target.
 */
export type SourceExpression = (resource: unknown) => JsonValue | undefined;

export class InvalidExpressionError extends Error {}

interface Segment {
  name: string;
  filter?: ParsedFilter;
}

const PLACEHOLDER = /\{([^{}]+)\}/g;

export function compileExpression(expression: string): SourceExpression {
  if (!expression.includes('{')) return compilePath(expression);
  const parts = [...expression.matchAll(PLACEHOLDER)].map((match) => ({ text: match[0], read: compilePath(match[1].trim()) }));
  if (parts.length === 0) throw new InvalidExpressionError(`'${expression}': a template needs {path} placeholders`);
  return (resource) => {
    const values = parts.map((part) => part.read(resource));
    if (values.every((value) => value === undefined || value === null || value === '')) return undefined;
    let index = 0;
    return expression.replace(PLACEHOLDER, () => scalarText(values[index++]));
  };
}

function scalarText(value: JsonValue | undefined): string {
  if (value === undefined || value === null) return '';
  return typeof value === 'object' ? JSON.stringify(value) : String(value);
}

export function compilePath(path: string): SourceExpression {
  const segments = parseSegments(path);
  return (resource) => {
    let value: unknown = resource;
    for (const [index, segment] of segments.entries()) {
      value = attributeOf(index === 0 ? value : singleItem(value), segment.name);
      if (segment.filter) value = firstMatch(value, segment.filter);
      if (value === undefined || value === null) return undefined;
    }
    return value as JsonValue;
  };
}

function parseSegments(path: string): Segment[] {
  const trimmed = path.trim();
  if (!trimmed) throw new InvalidExpressionError('an attribute path must not be empty');
  const [schemaId, rest] = splitUrn(trimmed);
  const segments = splitOutsideBrackets(rest).map((raw) => parseSegment(raw, path));
  if (schemaId) segments.unshift({ name: schemaId });
  return segments;
}

/** `urn:…:2.0:User:manager.value` → ['urn:…:2.0:User', 'manager.value']: the schema id may contain dots. */
function splitUrn(path: string): [string | undefined, string] {
  if (!path.toLowerCase().startsWith('urn:')) return [undefined, path];
  const bracket = path.indexOf('[');
  const colon = path.lastIndexOf(':', bracket === -1 ? path.length : bracket);
  return [path.slice(0, colon), path.slice(colon + 1)];
}

function splitOutsideBrackets(path: string): string[] {
  const parts: string[] = [];
  let depth = 0;
  let current = '';
  for (const char of path) {
    if (char === '[') depth++;
    if (char === ']') depth--;
    if (char === '.' && depth === 0) {
      parts.push(current);
      current = '';
    } else current += char;
  }
  parts.push(current);
  return parts;
}

function parseSegment(raw: string, path: string): Segment {
  const match = /^([A-Za-z$][\w$-]*)(?:\[(.+)\])?$/.exec(raw.trim());
  if (!match) throw new InvalidExpressionError(`'${path}': '${raw}' is not an attribute name or name[filter]`);
  if (match[2] === undefined) return { name: match[1] };
  try {
    return { name: match[1], filter: parseFilter(match[2]) };
  } catch (error) {
    throw new InvalidExpressionError(`'${path}': ${(error as Error).message}`);
  }
}

/** Walking into a multi-valued attribute without a filter reads its primary item, else its first. */
function singleItem(value: unknown): unknown {
  if (!Array.isArray(value)) return value;
  return value.find((item) => attributeOf(item, 'primary') === true) ?? value[0];
}

function firstMatch(value: unknown, filter: ParsedFilter): unknown {
  const items = Array.isArray(value) ? value : value === undefined ? [] : [value];
  return items.find((item) => matchesFilter(filter, item));
}
