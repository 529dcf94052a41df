import express, { type NextFunction, type Request, type Response } from 'express';
import type { BridgeConfig } from './config/types';
import type { Logger } from './log';
import type { Store } from './store';
import type { Tokens } from './store/tokens';
import { requestContext } from './http/request-context';
import { requireToken, scimError } from './http/auth';
import { healthRouter } from './http/health';
import { retryAfterOnUnavailable } from './http/retry-after';
import { asStorageUnavailable } from './store/storage-guard';
import { createScimRouter } from './scim/router';
import { jsonBody } from './scim/request-body';
import { methodNotAllowed } from './http/admin/method-not-allowed';

export interface AppDeps {
  store: Store;
  tokens: Tokens;
  logger: Logger;
  config: BridgeConfig;
  /** Routers mounted under /admin behind an admin-scoped token (deliveries, targets, grants, …). */
  adminRouters?: express.Router[];
  /** Extra unauthenticated routers at the root (e.g. /metrics). */
  rootRouters?: express.Router[];
}

const ADMIN_BODY_LIMIT = 1024 * 1024;
/** A body of another type would be ignored and the action run with its defaults, so it is 415 instead. */
const ADMIN_BODY_TYPES = ['application/json', 'application/*+json'];

/** The express application, without listen(): main.ts serves it, tests drive it with supertest. */
export function createApp(deps: AppDeps): express.Express {
  const app = express();
  app.disable('x-powered-by');
  app.set('etag', false);
  app.use(requestContext(deps.logger));
  app.use(retryAfterOnUnavailable());
  app.use(healthRouter(deps.store));
  for (const router of deps.rootRouters ?? []) app.use(router);
  app.use('/scim/v2', requireToken(deps.tokens, 'scim'), createScimRouter(deps));
  if (deps.adminRouters?.length) {
    app.use('/admin', requireToken(deps.tokens, 'admin'), jsonBody(ADMIN_BODY_LIMIT, ADMIN_BODY_TYPES), ...deps.adminRouters, methodNotAllowed(deps.adminRouters));
  }
  app.use((_req: Request, res: Response) => {
    res.status(404).type('application/scim+json').send(scimError(404, 'no such endpoint'));
  });
  app.use(finalErrorHandler(deps.logger));
  return app;
}

/** Last line of defence: an error that reached here is answered as SCIM JSON, never as an HTML page. */
function finalErrorHandler(logger: Logger) {
  return (error: unknown, req: Request, res: Response, _next: NextFunction): void => {
    const status = httpStatusOf(error);
    if (status >= 500) logger.error('unhandled error', { requestId: req.requestId, error: String(error) });
    if (res.headersSent) return;
    res.status(status).type('application/scim+json').send(scimError(status, publicDetail(status, error)));
  };
}

function publicDetail(status: number, error: unknown): string {
  if (status === 503) return asStorageUnavailable(error)?.message ?? 'service unavailable';
  return status >= 500 ? 'internal error' : String((error as Error).message ?? error);
}

function httpStatusOf(error: unknown): number {
  if (asStorageUnavailable(error)) return 503;
  const status = (error as { status?: unknown; statusCode?: unknown })?.status ?? (error as { statusCode?: unknown })?.statusCode;
  return typeof status === 'number' && status >= 400 && status < 600 ? status : 500;
}
