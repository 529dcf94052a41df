import express, { type NextFunction, type Request, type Response } from 'express';
import { sendScimError } from './errors';
import { canonicalPatchNames } from './attribute-names';
import { isPlainObject, normalizeGroupBody, normalizePatch, normalizeUserBody } from './normalize';

const JSON_TYPES = ['application/scim+json', 'application/json'];

/**
 * JSON bodies (application/json and application/scim+json) up to maxPayloadBytes. Malformed JSON is
 * 400 invalidSyntax, an oversized body 413 and a body of another media type 415, all as SCIM errors,
 * before scimmy sees the request (which would call a text body "not a single User object").
 */
export function scimBody(maxPayloadBytes: number) {
  return jsonBody(maxPayloadBytes, JSON_TYPES);
}

/** scimBody for the given media types (type-is patterns such as application/*+json). */
export function jsonBody(maxPayloadBytes: number, types: string[]) {
  const parse = express.json({ type: types, limit: maxPayloadBytes, strict: true, verify: requireUtf8 });
  return (req: Request, res: Response, next: NextFunction): void => {
    if (hasBody(req) && !req.is(types)) {
      return sendScimError(res, 415, `the request body must be ${types.join(' or ')}; Content-Type was ${req.header('content-type')?.slice(0, 100) ?? 'missing'}`);
    }
    parse(req, res, (error?: unknown) => {
      if (!error) {
        if (nestedDeeperThan(req.body, MAX_BODY_DEPTH)) return sendScimError(res, 400, `request body is nested deeper than ${MAX_BODY_DEPTH} levels`, 'invalidValue');
        if (hasLoneSurrogate(req.body)) return sendScimError(res, 400, 'request body has an unpaired UTF-16 surrogate escape (\\uD800-\\uDFFF): it is not a character', 'invalidValue');
        return next();
      }
      const type = (error as { type?: string }).type;
      if (type === 'entity.too.large') return sendScimError(res, 413, `request body exceeds the ${maxPayloadBytes}-byte limit`);
      if (type === 'entity.verify.failed') return sendScimError(res, 400, 'request body is not valid UTF-8', 'invalidSyntax');
      if (type === 'charset.unsupported') return sendScimError(res, 415, `the request body must be UTF-8 JSON; charset ${(error as { charset?: string }).charset ?? ''} is not supported`);
      if (type === 'encoding.unsupported') return sendScimError(res, 415, 'the request body must not be compressed with that Content-Encoding (gzip and deflate are accepted)');
      sendScimError(res, 400, 'request body is not valid JSON', 'invalidSyntax');
    });
  };
}

function hasBody(req: Request): boolean {
  return req.header('transfer-encoding') !== undefined || Number(req.header('content-length') ?? 0) > 0;
}

const utf8 = new TextDecoder('utf-8', { fatal: true });

/** body-parser would replace invalid bytes with U+FFFD, silently storing something the client never sent. */
function requireUtf8(_req: unknown, _res: unknown, body: Buffer, encoding: string): void {
  if (/^utf-?8$/i.test(encoding)) utf8.decode(body);
}

const LONE_SURROGATE = /\p{Cs}/u;

/** JSON allows "\ud800" alone; SQLite would store it as U+FFFD. */
function hasLoneSurrogate(value: unknown): boolean {
  const stack: unknown[] = [value];
  while (stack.length) {
    const current = stack.pop();
    if (typeof current === 'string' && LONE_SURROGATE.test(current)) return true;
    if (typeof current !== 'object' || current === null) continue;
    for (const [key, inner] of Object.entries(current)) {
      if (LONE_SURROGATE.test(key)) return true;
      stack.push(inner);
    }
  }
  return false;
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
