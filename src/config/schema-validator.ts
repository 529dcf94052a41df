import Ajv, { type AnySchema, type ErrorObject } from 'ajv';
import addFormats from 'ajv-formats';
import { formatPath, pathFromPointer, type ConfigPath } from './config-path';

/** One ajv for all config validation: strict (schema typos fail loudly) and reporting every error. */
export function createValidator(): Ajv {
  const ajv = new Ajv({ strict: true, allErrors: true, verbose: true });
  addFormats(ajv);
  return ajv;
}

/** Validates `data` and returns readable problems (`targets[0].connector: must be string`), [] when valid. */
export function schemaProblems(ajv: Ajv, schema: AnySchema, data: unknown, base: ConfigPath = []): string[] {
  const validate = ajv.compile(schema);
  if (validate(data)) return [];
  return [...new Set(withoutMismatchedBranches(validate.errors ?? []).filter(isReportable).map((error) => describeError(error, base)))];
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
