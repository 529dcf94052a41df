import type { NextFunction, Request, Response, Router } from 'express';
import { sendScimError } from '../../scim/errors';

/** The part of the router package's Layer used here (@types/express's ILayer has no match()). */
interface RouteLayer {
  route?: { methods: Record<string, boolean> };
  match(path: string): unknown;
}

/**
 * Mounted after the admin routers: a request none of them answered, on a path one of their routes
 * matches, used a method that path does not have, so it is 405 with an Allow header rather than 404.
 */
export function methodNotAllowed(routers: readonly Router[]) {
  return (req: Request, res: Response, next: NextFunction): void => {
    const allowed = allowedMethods(routers, req.path);
    if (allowed.length === 0) return next();
    res.set('Allow', allowed.join(', '));
    sendScimError(res, 405, `method ${req.method} is not allowed on this endpoint; allowed: ${allowed.join(', ')}`);
  };
}

function allowedMethods(routers: readonly Router[], path: string): string[] {
  const methods = new Set<string>();
  for (const router of routers) {
    for (const layer of router.stack as unknown as RouteLayer[]) {
      if (!layer.route || !layer.match(path)) continue;
      for (const [method, handled] of Object.entries(layer.route.methods)) if (handled && method !== '_all') methods.add(method.toUpperCase());
    }
  }
  if (methods.has('GET')) methods.add('HEAD');
  return [...methods].sort();
}
