/**
 * Filtering and attribute projection for the fake SCIM server: the subset of RFC 7644 §3.4.2 that
 * connectors use (`attr eq "v"` joined by `and`, and the `members[value eq "id"]` presence test).
 */

type Resource = Record<string, unknown>;
export type Predicate = (resource: Resource) => boolean;

const STRING = '"(?:[^"\\\\]|\\\\.)*"';
const CLAUSE = new RegExp(`^\\s*(?:(\\w+)\\[value eq (${STRING})\\]|(\\w+) eq (${STRING}))\\s*`, 'i');
/** Attributes compared case-insensitively (RFC 7643: userName has caseExact false). */
const CASE_INSENSITIVE = new Set(['userName', 'displayName']);

export class InvalidFilterError extends Error {}

export function parseFilter(filter: string | undefined): Predicate {
  if (!filter) return () => true;
  const predicates: Predicate[] = [];
  let rest = filter;
  for (;;) {
    const match = CLAUSE.exec(rest);
    if (!match) throw new InvalidFilterError(`unsupported filter: ${filter}`);
    predicates.push(clause(match));
    rest = rest.slice(match[0].length);
    if (!rest) break;
    const and = /^and\s+/i.exec(rest);
    if (!and) throw new InvalidFilterError(`unsupported filter: ${filter}`);
    rest = rest.slice(and[0].length);
  }
  return (resource) => predicates.every((predicate) => predicate(resource));
}

function clause([, multiValued, memberValue, attribute, value]: RegExpExecArray): Predicate {
  if (multiValued) {
    const wanted = JSON.parse(memberValue) as string;
    return (resource) => Array.isArray(resource[multiValued]) && (resource[multiValued] as Resource[]).some((item) => item.value === wanted);
  }
  const wanted = JSON.parse(value) as string;
  if (CASE_INSENSITIVE.has(attribute)) {
    return (resource) => typeof resource[attribute] === 'string' && (resource[attribute] as string).toLowerCase() === wanted.toLowerCase();
  }
  return (resource) => resource[attribute] === wanted;
}

/** `attributes=` keeps only those (plus id and schemas); `excludedAttributes=` drops those. */
export function project(resource: Resource, attributes?: string, excluded?: string): Resource {
  if (attributes) {
    const keep = new Set(['id', 'schemas', ...attributes.split(',').map((name) => name.trim())]);
    return Object.fromEntries(Object.entries(resource).filter(([name]) => keep.has(name)));
  }
  if (excluded) {
    const drop = new Set(excluded.split(',').map((name) => name.trim()));
    return Object.fromEntries(Object.entries(resource).filter(([name]) => !drop.has(name)));
  }
  return resource;
}

/** The key of a plain `<keyName> eq "value"` filter (how connectors look accounts up), for an indexed lookup. */
export function keyLookup(filter: string | undefined, keyName: string): string | undefined {
  const match = new RegExp(`^\\s*${keyName} eq (${STRING})\\s*$`, 'i').exec(filter ?? '');
  return match ? (JSON.parse(match[1]) as string) : undefined;
}
