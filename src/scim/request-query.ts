import type { NextFunction, Request, Response } from 'express';
import SCIMMY from 'scimmy';
import { sendScimError, type ScimFailure } from './errors';
import { pagingInteger, sortOrderOf } from './list-query';
import { isPlainObject } from './normalize';

/**
 * Express 5's req.query is a getter that re-parses on each access, so scimmy-routers' number casts
 * are lost. Replace it with a plain object and cast startIndex/count here (non-integers are 400), and
 * sortOrder to lower case (scimmy silently drops "DESCENDING" and "sideways" alike).
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
    try {
      for (const key of ['startIndex', 'count']) if (query[key] !== undefined) query[key] = pagingInteger(key, query[key]);
      if (query.sortOrder !== undefined) query.sortOrder = sortOrderOf(query.sortOrder);
    } catch (error) {
      const failure = error as ScimFailure;
      return sendScimError(res, failure.status, failure.message, failure.scimType ?? undefined);
    }
    // RFC 7644 4 refuses only a filter here (403); scimmy refuses every parameter, so the others are ignored.
    if (/^\/ServiceProviderConfig\/?$/.test(req.path)) for (const key of Object.keys(query)) if (key !== 'filter') delete query[key];
    Object.defineProperty(req, 'query', { value: query, writable: true, configurable: true, enumerable: true });
    next();
  };
}

const SAFE_ID = /^[A-Za-z0-9._~:@-]{1,200}$/;

/** Whether `id` could be a resource id; scimmy cannot even put other strings in its `id eq "…"` filter. */
export function isPossibleId(id: string): boolean {
  return SAFE_ID.test(id);
}

/** An id scimmy cannot even put in its `id eq "…"` filter (quotes, spaces…) cannot exist here: 404. */
export function unknownIdShapes() {
  return (req: Request, res: Response, next: NextFunction): void => {
    const match = /^\/(Users|Groups)\/([^/]+)\/?$/.exec(req.path);
    if (match && match[2] !== '.search' && !isPossibleId(safeDecode(match[2]))) {
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

/** An attribute name as attributes/excludedAttributes list them (RFC 7644 3.10): `a`, `a.b` or URN-qualified. */
const ATTRIBUTE_NAME = /^(?:urn:[a-z0-9._:$-]+|[a-z$][\w$-]*(?:\.[a-z$][\w$-]*)?)$/i;

/**
 * attributes/excludedAttributes must list attribute names: checked here, because scimmy parses them as
 * filters and its messages describe its own internals (`Missing closing ']' token in filter '[[[ pr'`).
 * Filters of endpoints other than /Users and /Groups reach scimmy, so they are parsed here first:
 * some garbage makes it throw plain TypeErrors, which would be 500s.
 */
export function parseableExpressions() {
  return (req: Request, res: Response, next: NextFunction): void => {
    const source: Record<string, unknown> = req.method === 'POST' && req.path.endsWith('/.search') && isPlainObject(req.body) ? req.body : req.query;
    for (const name of ['attributes', 'excludedAttributes']) {
      const problem = attributeListProblem(name, source[name]);
      if (problem) return sendScimError(res, 400, problem, 'invalidValue');
    }
    const filter = source === req.query ? source.filter : undefined;
    if (typeof filter === 'string' && filter.trim()) {
      try {
        new SCIMMY.Types.Filter(filter);
      } catch (error) {
        if (!(error instanceof SCIMMY.Types.Error)) return sendScimError(res, 400, 'filter cannot be parsed', 'invalidFilter');
      }
    }
    next();
  };
}

function attributeListProblem(name: string, value: unknown): string | undefined {
  if (value === undefined) return undefined;
  const items = typeof value === 'string' ? value.split(',') : Array.isArray(value) ? value : undefined;
  if (!items?.length || !items.every((item) => typeof item === 'string')) return `${name} must be a comma-separated list of attribute names`;
  const bad = items.map((item: string) => item.trim()).find((item) => !ATTRIBUTE_NAME.test(item));
  return bad === undefined ? undefined : `${name}: ${JSON.stringify(bad.slice(0, 100))} is not an attribute name (use a, a.b or a URN-qualified name)`;
}
