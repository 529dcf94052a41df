import express, { type NextFunction, type Request, type Response } from 'express';
import SCIMMY from 'scimmy';
import { scimError } from '../http/auth';
import { sendScimError } from './errors';
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

/**
 * Express 5's req.query is a getter that re-parses on each access, so scimmy-routers' number casts
 * are lost. Replace it with a plain object and cast startIndex/count here (non-integers are 400).
 */
export function plainQuery() {
  return (req: Request, res: Response, next: NextFunction): void => {
    const query: Record<string, unknown> = {};
    for (const [key, value] of Object.entries(req.query)) query[key] = Array.isArray(value) ? value[value.length - 1] : value;
    // The filter goes to the SQL compiler only: scimmy's parser rejects valid filters (escaped quotes)
    // and crashes on some invalid ones. An empty one is refused here as scimmy would.
    if (query.filter !== undefined && /^\/(Users|Groups)(\/|$)/.test(req.path)) {
      if (typeof query.filter !== 'string' || !query.filter.trim()) return sendScimError(res, 400, 'filter must be a non-empty string', 'invalidFilter');
      res.locals.scimFilter = query.filter;
      delete query.filter;
    }
    for (const key of ['startIndex', 'count']) {
      if (query[key] === undefined) continue;
      const text = String(query[key]).trim();
      if (!/^-?\d{1,15}$/.test(text)) return sendScimError(res, 400, `${key} must be an integer`, 'invalidValue');
      query[key] = Number(text);
    }
    Object.defineProperty(req, 'query', { value: query, writable: true, configurable: true, enumerable: true });
    next();
  };
}

const SAFE_ID = /^[A-Za-z0-9._~:@-]{1,200}$/;

/** An id scimmy cannot even put in its `id eq "…"` filter (quotes, spaces…) cannot exist here: 404. */
export function unknownIdShapes() {
  return (req: Request, res: Response, next: NextFunction): void => {
    const match = /^\/(Users|Groups)\/([^/]+)\/?$/.exec(req.path);
    if (match && match[2] !== '.search' && !SAFE_ID.test(safeDecode(match[2]))) {
      return sendScimError(res, 404, `Resource ${match[1]}/${match[2].slice(0, 64)} not found`);
    }
    next();
  };
}

function safeDecode(segment: string): string {
  try {
    return decodeURIComponent(segment);
  } catch {
    return '"';
  }
}

/**
 * Bulk requests over maxOperations: 413 tooMany naming the limit (RFC 7644 3.7.4). An operation that
 * is not an object is 400 invalidSyntax (scimmy-routers would crash on it).
 */
export function bulkLimit(maxOperations: number) {
  return (req: Request, res: Response, next: NextFunction): void => {
    const operations = isPlainObject(req.body) ? req.body.Operations : undefined;
    if (req.method !== 'POST' || !/^\/Bulk\/?$/.test(req.path) || !Array.isArray(operations)) return next();
    if (operations.length > maxOperations) {
      return sendScimError(res, 413, `the request has ${operations.length} operations; maxOperations is ${maxOperations}`, 'tooMany');
    }
    const bad = operations.findIndex((operation) => !isPlainObject(operation));
    if (bad >= 0) return sendScimError(res, 400, `Bulk operation ${bad + 1} is not an object`, 'invalidSyntax');
    next();
  };
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
  if (method === 'PATCH') return normalizePatch(body, resource);
  if (method === 'POST' || method === 'PUT') return resource === 'user' ? normalizeUserBody(body) : normalizeGroupBody(body);
  return body;
}

/**
 * scimmy parses attributes/excludedAttributes as filters (`a pr and b pr`) and throws plain TypeErrors
 * on some garbage, which would reach the client as 500s: parsed here first, such input is 400 invalidFilter.
 */
export function parseableExpressions() {
  return (req: Request, res: Response, next: NextFunction): void => {
    const source: Record<string, unknown> = req.method === 'POST' && req.path.endsWith('/.search') && isPlainObject(req.body) ? req.body : req.query;
    const list = (value: unknown) => (Array.isArray(value) ? value.join(',') : value);
    const expressions: Array<[string, unknown, (text: string) => string]> = [
      // Filters of /Users, /Groups and searches go to the SQL compiler; other endpoints' reach scimmy.
      ['filter', source === req.query ? source.filter : undefined, (text) => text],
      ['attributes', list(source.attributes), (text) => text.split(',').map((a) => `${a} pr`).join(' and ')],
      ['excludedAttributes', list(source.excludedAttributes), (text) => text.split(',').map((a) => `${a} np`).join(' and ')],
    ];
    for (const [name, value, asFilter] of expressions) {
      if (typeof value !== 'string' || !value.trim()) continue;
      try {
        new SCIMMY.Types.Filter(asFilter(value));
      } catch (error) {
        if (error instanceof SCIMMY.Types.Error) continue; // scimmy answers its own errors properly
        return sendScimError(res, 400, `${name} cannot be parsed`, 'invalidFilter');
      }
    }
    next();
  };
}

/** A 500 scimmy-routers answers itself carries its exception message: replace it with a bare one. */
export function bareServerErrors(onServerError: (req: Request, detail: string) => void) {
  return (req: Request, res: Response, next: NextFunction): void => {
    const json = res.json.bind(res);
    res.json = (body: unknown) => {
      if (res.statusCode !== 500) return json(body);
      const detail = String(isPlainObject(body) ? body.detail : body);
      if (detail !== 'internal error') onServerError(req, detail);
      return json(scimError(res.statusCode, 'internal error'));
    };
    next();
  };
}

/**
 * scimmy's own ListResponses (/Schemas, /ResourceTypes) report itemsPerPage as the default count (20)
 * whatever they hold; RFC 7644 3.4.2 says it is the number of resources returned.
 */
export function truthfulListCounts() {
  return (_req: Request, res: Response, next: NextFunction): void => {
    const json = res.json.bind(res);
    res.json = (body: unknown) => {
      const list = body as { schemas?: unknown; Resources?: unknown[]; itemsPerPage?: number } | null;
      if (Array.isArray(list?.schemas) && list.schemas.includes(LIST_RESPONSE) && Array.isArray(list.Resources)) list.itemsPerPage = list.Resources.length;
      return json(body);
    };
    next();
  };
}

const LIST_RESPONSE = 'urn:ietf:params:scim:api:messages:2.0:ListResponse';
