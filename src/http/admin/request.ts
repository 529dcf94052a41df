import Ajv, { type AnySchema, type ValidateFunction } from 'ajv';
import addFormats from 'ajv-formats';
import type { NextFunction, Request, Response } from 'express';
import { scimError } from '../auth';

// strictRequired off: `oneOf: [{ required: [a] }, { required: [b] }]` is the standard "one of these fields" idiom.
const ajv = new Ajv({ strict: true, strictRequired: false, allErrors: true });
addFormats(ajv);
const compiled = new Map<AnySchema, ValidateFunction>();

/**
 * Rejects a body that does not match `schema` with 400 invalidValue naming each problem's path. A request
 * without a body is validated as `{}` (a body of a non-JSON type was already refused 415 by the app), and
 * what was validated is what the handler finds in `req.body`: a handler never sees a body its schema did not accept.
 */
export function validateBody(schema: AnySchema) {
  return (req: Request, res: Response, next: NextFunction): void => {
    let validate = compiled.get(schema);
    if (!validate) compiled.set(schema, (validate = ajv.compile(schema)));
    const body: unknown = req.body ?? {};
    if (validate(body)) {
      req.body = body;
      return next();
    }
    const problems = (validate.errors ?? [])
      .filter((error) => error.keyword !== 'oneOf' || validate!.errors!.length === 1)
      .map((error) => `${error.instancePath || '/'} ${error.message}${error.keyword === 'additionalProperties' ? ` (${String(error.params.additionalProperty)})` : ''}`);
    res.status(400).type('application/scim+json').send(scimError(400, `invalid request body: ${problems.join('; ')}`, 'invalidValue'));
  };
}

/** Sends a SCIM error for an error that carries a 4xx status (domain errors), or passes it on. */
export function sendKnownError(error: unknown, res: Response, next: NextFunction): void {
  const status = (error as { status?: unknown }).status;
  if (typeof status === 'number' && status >= 400 && status < 500) {
    res.status(status).type('application/scim+json').send(scimError(status, (error as Error).message, status === 400 ? 'invalidValue' : undefined));
  } else {
    next(error);
  }
}

/** A bad query parameter or path segment: answered 400 invalidValue by `guarded`. */
export class InvalidRequest extends Error {
  readonly status = 400;
}

/** Runs a synchronous handler; known 4xx errors become SCIM error JSON, anything else goes to the app's handler. */
export function guarded(fn: (req: Request, res: Response) => void) {
  return (req: Request, res: Response, next: NextFunction): void => {
    try {
      fn(req, res);
    } catch (error) {
      sendKnownError(error, res, next);
    }
  };
}

/** An optional query parameter given at most once, as non-empty text. */
export function queryText(req: Request, name: string): string | undefined {
  const value = req.query[name];
  if (value === undefined) return undefined;
  if (typeof value !== 'string' || value === '') throw new InvalidRequest(`${name} must be given once, as text`);
  return value;
}

/** An optional integer query parameter within [min, max]. */
export function queryInt(req: Request, name: string, fallback: number, min: number, max: number): number {
  const text = queryText(req, name);
  if (text === undefined) return fallback;
  const value = Number(text);
  if (!/^\d+$/.test(text) || value < min || value > max) throw new InvalidRequest(`${name} must be an integer from ${min} to ${max}`);
  return value;
}
