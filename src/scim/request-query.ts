import type { NextFunction, Request, Response } from 'express';
import SCIMMY from 'scimmy';
import { sendScimError } from './errors';
import { isPlainObject } from './normalize';

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
