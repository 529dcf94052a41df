import { Router } from 'express';
import type { IdentityAdmin } from '../../lifecycle/identity-admin';
import identityPatchSchema from '../../../schemas/admin/identity-patch.schema.json';
import { guarded, validateBody } from './request';

/** GET and PATCH /admin/identities/:user (id or userName): the identity-lifecycle extension, set by an operator. */
export function identityAdminRouter(identities: IdentityAdmin): Router {
  const router = Router();

  router.get('/identities/:user', guarded((req, res) => {
    res.json(identities.show(req.params.user as string));
  }));

  router.patch('/identities/:user', validateBody(identityPatchSchema), guarded((req, res) => {
    const ctx = { actor: req.actor ?? 'admin', requestId: req.requestId, source: 'admin' as const };
    res.json(identities.update(ctx, req.params.user as string, req.body));
  }));

  return router;
}
