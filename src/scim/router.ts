import { Router } from 'express';
import type { AppDeps } from '../app';
import { scimError } from '../http/auth';

/** Placeholder until the SCIM edge lands (issue 2): answers 501 so nothing pretends to work. */
export function createScimRouter(_deps: AppDeps): Router {
  const router = Router();
  router.use((_req, res) => {
    res.status(501).type('application/scim+json').send(scimError(501, 'SCIM endpoints not implemented yet'));
  });
  return router;
}
