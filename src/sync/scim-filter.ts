import SCIMMY from 'scimmy';

/**
 * SCIM filters (RFC 7644 3.4.2.2) evaluated against one resource in memory. Parsing is scimmy's; the
 * evaluation is ours because scimmy's Filter.match throws on resources that lack a complex attribute
 * and ignores caseExact=false. Comparisons of strings are case-insensitive (SCIM's default).
 */
export type ParsedFilter = ReadonlyArray<Readonly<Record<string, unknown>>>;

export class InvalidFilterError extends Error {}

export function parseFilter(text: string): ParsedFilter {
  let parsed: ParsedFilter;
  try {
    parsed = JSON.parse(JSON.stringify(new SCIMMY.Types.Filter(text))) as ParsedFilter;
  } catch (error) {
    throw new InvalidFilterError(`invalid SCIM filter: ${(error as Error).message}`);
  }
  parsed.forEach(requireComparisonValues);
  return parsed;
}

/** scimmy accepts `type eq` without a value; a comparison other than `pr` needs one. */
function requireComparisonValues(branch: Readonly<Record<string, unknown>>): void {
  for (const [attribute, condition] of Object.entries(branch)) {
    if (!Array.isArray(condition)) {
      requireComparisonValues(condition as Record<string, unknown>);
      continue;
    }
    const comparisons = (Array.isArray(condition[0]) ? condition : [condition]) as unknown[][];
    for (const comparison of comparisons) {
      const [operator, ...values] = comparison[0] === 'not' ? comparison.slice(1) : comparison;
      if (operator !== 'pr' && values.length === 0) throw new InvalidFilterError(`invalid SCIM filter: '${attribute} ${String(operator)}' needs a value`);
    }
  }
}

/** True when any alternative (OR branch) of the filter matches the value. */
export function matchesFilter(filter: ParsedFilter, value: unknown): boolean {
  return filter.some((branch) => matchesAll(branch, value));
}

/** Reads an attribute by name, case-insensitively; `urn:…:User:department` reaches into the extension. */
export function attributeOf(value: unknown, name: string): unknown {
  if (value === null || typeof value !== 'object' || Array.isArray(value)) return undefined;
  const entries = Object.entries(value as Record<string, unknown>);
  const lower = name.toLowerCase();
  const exact = entries.find(([key]) => key.toLowerCase() === lower);
  if (exact) return exact[1];
  if (!lower.startsWith('urn:')) return undefined;
  const extension = entries.find(([key]) => lower.startsWith(`${key.toLowerCase()}:`));
  if (!extension) return undefined;
  return resolveDotted(extension[1], name.slice(extension[0].length + 1));
}

function resolveDotted(value: unknown, dotted: string): unknown {
  return dotted.split('.').reduce<unknown>((current, part) => attributeOf(current, part), value);
}

function matchesAll(branch: Readonly<Record<string, unknown>>, value: unknown): boolean {
  return Object.entries(branch).every(([attribute, condition]) => matchesCondition(attributeOf(value, attribute), condition));
}

function matchesCondition(actual: unknown, condition: unknown): boolean {
  if (!Array.isArray(condition)) {
    const nested = condition as Record<string, unknown>;
    return Array.isArray(actual) ? actual.some((item) => matchesAll(nested, item)) : matchesAll(nested, actual);
  }
  if (Array.isArray(condition[0])) return (condition as unknown[][]).every((single) => compare(actual, single));
  return compare(actual, condition);
}

function compare(actual: unknown, condition: unknown[]): boolean {
  if (condition[0] === 'not') return !compare(actual, condition.slice(1));
  const [operator, expected] = condition as [string, unknown];
  if (operator === 'pr') return isPresent(actual);
  if (Array.isArray(actual)) return actual.some((item) => compare(primitiveOf(item), condition));
  return compareValues(String(operator).toLowerCase(), actual, expected);
}

/** A multi-valued attribute compared as a whole compares its items' `value`. */
function primitiveOf(item: unknown): unknown {
  return item !== null && typeof item === 'object' ? attributeOf(item, 'value') : item;
}

function isPresent(value: unknown): boolean {
  if (value === undefined || value === null || value === '') return false;
  return !Array.isArray(value) || value.length > 0;
}

function compareValues(operator: string, actual: unknown, expected: unknown): boolean {
  if (actual === undefined || actual === null) return operator === 'ne' && expected !== null;
  const left = typeof actual === 'string' ? actual.toLowerCase() : actual;
  const right = typeof expected === 'string' ? expected.toLowerCase() : expected;
  switch (operator) {
    case 'eq': return left === right;
    case 'ne': return left !== right;
    case 'co': return typeof left === 'string' && left.includes(String(right));
    case 'sw': return typeof left === 'string' && left.startsWith(String(right));
    case 'ew': return typeof left === 'string' && left.endsWith(String(right));
    case 'gt': return (left as number) > (right as number);
    case 'ge': return (left as number) >= (right as number);
    case 'lt': return (left as number) < (right as number);
    case 'le': return (left as number) <= (right as number);
    default: return false;
  }
}
