import express, { type NextFunction, type Request, type Response } from 'express';
import { sendScimError } from './errors';
import { canonicalPatchNames } from './attribute-names';
import { isPlainObject, normalizeGroupBody, normalizePatch, normalizeUserBody } from './normalize';

/**
 * JSON bodies (application/json and application/scim+json) up to maxPayloadBytes. Malformed JSON is
 * 400 invalidSyntax and an oversized body 413, both as SCIM errors, before scimmy sees the request.
 */
export function scimBody(maxPayloadBytes: number) {
  const parse = express.json({ type: ['application/json', 'application/scim+json'], limit: maxPayloadBytes, strict: true });
  return (req: Request, res: Response, next: NextFunction): void => {
    parse(req, res, (error?: unknown) => {
      if (!error) {
        if (nestedDeeperThan(req.body, MAX_BODY_DEPTH)) return sendScimError(res, 400, `request body is nested deeper than ${MAX_BODY_DEPTH} levels`, 'invalidValue');
        return next();
      }
      const type = (error as { type?: string }).type;
      if (type === 'entity.too.large') return sendScimError(res, 413, `request body exceeds the ${maxPayloadBytes}-byte limit`);
      sendScimError(res, 400, 'request body is not valid JSON', 'invalidSyntax');
    });
  };
}

/** No SCIM resource nests deeper than a handful of levels; scimmy's recursive coercion overflows on thousands. */
const MAX_BODY_DEPTH = 64;

function nestedDeeperThan(value: unknown, limit: number): boolean {
  const stack: Array<[unknown, number]> = [[value, 0]];
  while (stack.length) {
    const [current, depth] = stack.pop()!;
    if (typeof current !== 'object' || current === null) continue;
    if (depth >= limit) return true;
    for (const inner of Object.values(current)) if (typeof inner === 'object' && inner !== null) stack.push([inner, depth + 1]);
  }
  return false;
}

/** Runs the IdP normaliser over resource bodies and PatchOps, including each operation of a Bulk request. */
export function normalizeRequests() {
  return (req: Request, _res: Response, next: NextFunction): void => {
    if (req.body !== undefined) {
      if (/^\/Bulk\/?$/.test(req.path) && isPlainObject(req.body) && Array.isArray(req.body.Operations)) {
        req.body = { ...req.body, Operations: req.body.Operations.map(normalizeBulkOperation) };
      } else {
        req.body = normalizeBody(req.method, req.path, req.body);
      }
    }
    next();
  };
}

function normalizeBulkOperation(operation: unknown): unknown {
  if (!isPlainObject(operation) || typeof operation.method !== 'string' || typeof operation.path !== 'string') return operation;
  return { ...operation, data: normalizeBody(operation.method.toUpperCase(), operation.path, operation.data) };
}

function normalizeBody(method: string, path: string, body: unknown): unknown {
  const resource = /^\/Users(\/|$)/i.test(path) ? 'user' : /^\/Groups(\/|$)/i.test(path) ? 'group' : undefined;
  if (!resource || path.endsWith('/.search')) return body;
  if (method === 'PATCH') return normalizePatch(canonicalPatchNames(body, resource), resource);
  if (method === 'POST' || method === 'PUT') return resource === 'user' ? normalizeUserBody(body) : normalizeGroupBody(body);
  return body;
}
