import type { NextFunction, Request, Response } from 'express';
import { sendScimError } from './errors';

/** The methods each SCIM endpoint answers; the first matching pattern wins. */
const ENDPOINT_METHODS: Array<[RegExp, string[]]> = [
  [/^\/(Users\/|Groups\/)?\.search\/?$/, ['POST']],
  [/^\/(Users|Groups)\/?$/, ['GET', 'POST']],
  [/^\/(Users|Groups)\/[^/]+\/?$/, ['GET', 'PUT', 'PATCH', 'DELETE']],
  [/^\/Bulk\/?$/, ['POST']],
  [/^\/(Schemas|ResourceTypes)(\/[^/]+)?\/?$/, ['GET']],
  [/^\/ServiceProviderConfig\/?$/, ['GET']],
];

/**
 * A known endpoint asked with a method it does not offer is 405 with an Allow header (RFC 9110 15.5.6),
 * not scimmy-routers' 404 "Endpoint Not Found", which would tell a client the resource is missing.
 */
export function allowedMethods() {
  return (req: Request, res: Response, next: NextFunction): void => {
    const allowed = ENDPOINT_METHODS.find(([pattern]) => pattern.test(req.path))?.[1];
    if (!allowed) return next();
    const withHead = allowed.includes('GET') ? [...allowed, 'HEAD'] : allowed;
    if (withHead.includes(req.method)) return next();
    res.setHeader('Allow', withHead.join(', '));
    sendScimError(res, 405, `${req.method} is not supported on ${req.path}; use ${allowed.join(', ')}`);
  };
}
