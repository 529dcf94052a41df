import { Router, type Request } from 'express';
import { SCIMMYRouters } from 'scimmy-routers';
import type { AppDeps } from '../app';
import { scimContextFor, type ScimContext } from './context';
import { bulk } from './bulk';
import { allowedMethods } from './methods';
import { normalizeRequests, scimBody } from './request-body';
import { sendScimError, unavailableAfterScimmy } from './errors';
import { parseableExpressions, plainQuery, unknownIdShapes } from './request-query';
import { absoluteDiscoveryLocations, bareServerErrors, truthfulListCounts } from './response-fixes';
import { notModified } from './etag';
import { KeyedLock } from './keyed-lock';
import { search } from './search';
import { configureScimmy } from './scimmy-setup';

/**
 * The SCIM 2.0 API (mounted at /scim/v2 behind requireToken): our edge middleware (body limits, plain
 * query, IdP normalising, ETags), a SQL-paged root /.search, then scimmy-routers over the store-backed
 * Users and Groups resources.
 */
export function createScimRouter(deps: AppDeps): Router {
  const { scim } = deps.config;
  configureScimmy(scim);
  const contexts = new WeakMap<Request, ScimContext>();
  const locks = new KeyedLock();
  const contextOf = (req: Request): ScimContext => {
    const ctx = contexts.get(req);
    if (!ctx) throw new Error('SCIM request context missing');
    return ctx;
  };

  const router = Router();
  router.use(bareServerErrors((req, detail) => deps.logger.error('scim request failed', { requestId: req.requestId, detail })));
  router.use(allowedMethods(), scimBody(scim.maxPayloadBytes), plainQuery(), unknownIdShapes(), parseableExpressions(), normalizeRequests());
  router.use((req, res, next) => {
    contexts.set(req, scimContextFor(req, res, { store: deps.store, logger: deps.logger, locks, maxResults: scim.maxResults, baseUrl: deps.config.server.baseUrl }));
    next();
  });
  router.use(notModified(), truthfulListCounts(), absoluteDiscoveryLocations(deps.config.server.baseUrl));
  router.post('/.search', search(contextOf, { users: true, groups: true }));
  router.post('/Users/.search', search(contextOf, { users: true, groups: false }));
  router.post('/Groups/.search', search(contextOf, { users: false, groups: true }));
  router.post('/Bulk', bulk(contextOf, scim.maxBulkOperations));
  // Answered here, not by scimmy-routers, whose 501 reaches the error handler and is logged as a server fault.
  router.all('/Me', (_req, res) => sendScimError(res, 501, 'Endpoint Not Implemented: the bridge authenticates clients, not users, so there is no /Me (RFC 7644 3.11)'));
  router.use(
    new SCIMMYRouters({
      type: 'bearer',
      // requireToken in app.ts has already authenticated the request; the /Me endpoint is not offered.
      handler: () => '',
      context: contextOf,
    }) as unknown as Router,
  );
  router.use(unavailableAfterScimmy());
  return router;
}
