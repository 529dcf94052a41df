import type { NextFunction, Request, Response } from 'express';
import { scimError } from '../http/auth';
import { isPlainObject } from './normalize';
import { publicOrigin } from './public-origin';

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

/**
 * scimmy-routers writes `meta.location` of /ServiceProviderConfig, /ResourceTypes and /Schemas from the
 * request's path (`/scim/v2/Schemas/…`); make them absolute like every other location.
 */
export function absoluteDiscoveryLocations(baseUrl: string | undefined) {
  return (req: Request, res: Response, next: NextFunction): void => {
    const origin = publicOrigin(req, baseUrl);
    if (!origin) return next();
    const json = res.json.bind(res);
    res.json = (body: unknown) => {
      const list = body as { Resources?: unknown[] } | null;
      for (const resource of [body, ...(Array.isArray(list?.Resources) ? list.Resources : [])]) absoluteLocation(resource, origin);
      return json(body);
    };
    next();
  };
}

function absoluteLocation(resource: unknown, origin: string): void {
  const meta = isPlainObject(resource) ? resource.meta : undefined;
  if (isPlainObject(meta) && typeof meta.location === 'string' && meta.location.startsWith('/')) meta.location = `${origin}${meta.location}`;
}
