import type { NextFunction, Request, Response } from 'express';

/** The weak ETag of a resource version; meta.version carries the same string. */
export function etagOf(version: number): string {
  return `W/"${version}"`;
}

/**
 * Whether an If-Match / If-None-Match header value names this version. Weak comparison (RFC 9110
 * 8.8.3.2), so `W/"3"` and `"3"` both match version 3; `*` matches any existing resource.
 */
export function etagMatches(header: string, version: number): boolean {
  const wanted = `"${version}"`;
  return header.split(',').some((tag) => {
    const trimmed = tag.trim();
    return trimmed === '*' || trimmed.replace(/^W\//, '') === wanted;
  });
}

/** A write guard for the stores from the request's If-Match header (undefined when there is none). */
export function ifMatchGuard(ifMatch: string | undefined): ((version: number) => boolean) | undefined {
  return ifMatch === undefined ? undefined : (version) => etagMatches(ifMatch, version);
}

/** Answers a GET whose If-None-Match names the current version with 304 instead of the body. */
export function notModified() {
  return (req: Request, res: Response, next: NextFunction): void => {
    const ifNoneMatch = req.header('if-none-match');
    if (req.method === 'GET' && ifNoneMatch) {
      const json = res.json.bind(res);
      res.json = (body: unknown) => {
        const etag = res.getHeader('etag');
        const version = typeof etag === 'string' ? Number(/"(\d+)"/.exec(etag)?.[1]) : NaN;
        if (res.statusCode === 200 && Number.isInteger(version) && etagMatches(ifNoneMatch, version)) {
          res.status(304).end();
          return res;
        }
        return json(body);
      };
    }
    next();
  };
}
