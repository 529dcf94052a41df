import Ajv, { type AnySchema, type ErrorObject } from 'ajv';
import addFormats from 'ajv-formats';
import { formatPath, pathFromPointer, type ConfigPath } from './config-path';

/** One ajv for all config validation: strict (schema typos fail loudly) and reporting every error. */
export function createValidator(): Ajv {
  const ajv = new Ajv({ strict: true, allErrors: true, verbose: true });
  addFormats(ajv);
  return ajv;
}

/**
 * Validates `data` and returns readable problems (`targets[0].connector: must be string`), [] when valid.
 * `unresolvedPaths` hold a placeholder for a secret that could not be read: what its value breaks is not
 * reported (the missing secret is), an unknown key there still is.
 */
export function schemaProblems(ajv: Ajv, schema: AnySchema, data: unknown, base: ConfigPath = [], unresolvedPaths: readonly string[] = []): string[] {
  const validate = ajv.compile(schema);
  if (validate(data)) return [];
  const aboutPlaceholder = (error: ErrorObject) =>
    error.keyword !== 'additionalProperties' && unresolvedPaths.includes(formatPath([...base, ...pathFromPointer(error.instancePath)]));
  const errors = withoutMismatchedBranches(withChosenObjectBranches(validate.errors ?? []));
  return [...new Set(errors.filter((error) => isReportable(error) && !aboutPlaceholder(error)).map((error) => describeError(error, base)))];
}

interface ObjectBranch {
  required: string[];
  properties?: Record<string, unknown>;
  additionalProperties?: unknown;
}

/**
 * A oneOf/anyOf of object shapes told apart by their required keys (scope: `{all}` or `{groups}`) is
 * judged by the keys the value has: with one branch's keys present only that branch's errors count
 * (`scope.filtr: is not a known setting`); with none or several, the problem is the choice itself
 * (`scope: must have exactly one of: all, groups`) plus any key no branch knows, not every branch's errors.
 */
function withChosenObjectBranches(errors: ErrorObject[]): ErrorObject[] {
  let result = errors;
  for (const combinator of errors.filter(isObjectUnion)) {
    const branches = combinator.schema as ObjectBranch[];
    const value = combinator.data as Record<string, unknown>;
    const present = branches.flatMap((branch, index) => (branch.required.every((key) => key in value) ? [index] : []));
    const keep = present.length === 1 || (present.length > 1 && combinator.keyword === 'anyOf') ? present : [];
    result = result.filter((error) => {
      const branch = branchIndex(error, combinator);
      return branch === undefined || keep.includes(branch);
    });
    if (keep.length === 0) result = [...result, ...choiceErrors(combinator, branches, value, present)];
  }
  return result;
}

/** A oneOf/anyOf on an object whose branches each require their own keys, none shared (so the keys tell them apart). */
function isObjectUnion(error: ErrorObject): boolean {
  const branches = error.schema as Array<Partial<ObjectBranch>>;
  const value = error.data as unknown;
  if (error.keyword !== 'oneOf' && error.keyword !== 'anyOf') return false;
  if (!Array.isArray(branches) || value === null || typeof value !== 'object' || Array.isArray(value)) return false;
  const keys = branches.map((branch) => (Array.isArray(branch.required) ? branch.required : []));
  const all = keys.flat();
  return keys.every((required) => required.length > 0) && new Set(all).size === all.length;
}

/** Which branch of `combinator` an error comes from, or undefined when it is not one of its branches' errors. */
function branchIndex(error: ErrorObject, combinator: ErrorObject): number | undefined {
  const prefix = `${combinator.schemaPath}/`;
  const at = combinator.instancePath;
  if (!error.schemaPath.startsWith(prefix) || (error.instancePath !== at && !error.instancePath.startsWith(`${at}/`))) return undefined;
  return Number(error.schemaPath.slice(prefix.length).split('/')[0]);
}

function choiceErrors(combinator: ErrorObject, branches: ObjectBranch[], value: Record<string, unknown>, present: number[]): ErrorObject[] {
  const choices = [...new Set(branches.flatMap((branch) => branch.required))];
  const has = present.length > 1 ? ` (it has ${choices.filter((key) => key in value).join(', ')})` : '';
  const quantity = combinator.keyword === 'oneOf' ? 'exactly one of' : 'one of';
  const choice = { ...combinator, keyword: 'choice', message: `must have ${quantity}: ${choices.join(', ')}${has}` };
  const properties = Object.assign({}, ...branches.map((branch) => branch.properties ?? {})) as Record<string, unknown>;
  // Only branches that allow no other keys say which keys are unknown (else the object's own properties may hold them).
  const closed = branches.every((branch) => branch.additionalProperties === false);
  const unknown = closed ? Object.keys(value).filter((key) => !(key in properties)) : [];
  return [choice, ...unknown.map((key) => ({ ...combinator, keyword: 'additionalProperties', params: { additionalProperty: key }, parentSchema: { properties } }))];
}

/**
 * Within a oneOf/anyOf, a branch that failed only because the value is of another type is noise when a
 * branch of the value's type failed for a real reason: `maxDeletes: -1` says "must be >= 0", not also
 * "must be string". When every branch failed on type, their type errors merge ("must be integer or string").
 */
function withoutMismatchedBranches(errors: ErrorObject[]): ErrorObject[] {
  const branchOf = (error: ErrorObject) => /^(.*\/(?:oneOf|anyOf))\/\d+\//.exec(error.schemaPath)?.[1];
  const realFailures = errors.filter((error) => error.keyword !== 'type' && branchOf(error) !== undefined);
  const matchedType = (combinator: string, at: string) =>
    realFailures.some((error) => branchOf(error) === combinator && (error.instancePath === at || error.instancePath.startsWith(`${at}/`)));
  const merged = new Map<string, ErrorObject>();
  return errors.flatMap((error) => {
    const combinator = branchOf(error);
    if (error.keyword !== 'type' || combinator === undefined) return [error];
    if (matchedType(combinator, error.instancePath)) return [];
    const key = `${combinator} ${error.instancePath}`;
    const first = merged.get(key);
    if (first) {
      first.message = `${first.message} or ${String(error.params.type)}`;
      return [];
    }
    const copy = { ...error, message: `must be ${String(error.params.type)}` };
    merged.set(key, copy);
    return [copy];
  });
}

/** Combinator errors (`must match "then" schema`) only repeat the specific errors beside them. */
function isReportable(error: ErrorObject): boolean {
  return !['if', 'anyOf', 'oneOf', 'allOf'].includes(error.keyword);
}

/** Never includes error.data: a rejected value may be a secret. */
function describeError(error: ErrorObject, base: ConfigPath): string {
  const path = [...base, ...pathFromPointer(error.instancePath)];
  switch (error.keyword) {
    case 'required':
      return `${formatPath([...path, error.params.missingProperty as string])}: is required`;
    case 'additionalProperties':
      return `${formatPath([...path, error.params.additionalProperty as string])}: is not a known setting${knownKeys(error)}`;
    case 'const':
      return `${formatPath(path)}: must be ${JSON.stringify(error.params.allowedValue)}`;
    case 'enum':
      return `${formatPath(path)}: must be one of ${(error.params.allowedValues as unknown[]).map(String).join(', ')}`;
    default:
      return `${formatPath(path)}: ${error.message ?? 'is invalid'}`;
  }
}

function knownKeys(error: ErrorObject): string {
  const properties = (error.parentSchema as { properties?: Record<string, unknown> } | undefined)?.properties;
  const keys = properties ? Object.keys(properties) : [];
  return keys.length ? ` (known: ${keys.join(', ')})` : '';
}
