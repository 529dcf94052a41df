import { Router } from 'express';
import type { Store } from '../../store';
import type { Grants, GrantState } from '../../store/grants';
import type { GrantService } from '../../lifecycle/grant-service';
import { accessReport, hygieneFindings, renderAccess } from '../../lifecycle/access-report';
import { evidenceTrail } from '../../lifecycle/evidence';
import grantCreateSchema from '../../../schemas/admin/grant-create.schema.json';
import grantApproveSchema from '../../../schemas/admin/grant-approve.schema.json';
import grantRevokeSchema from '../../../schemas/admin/grant-revoke.schema.json';
import { scimError } from '../auth';
import { InvalidRequest, guarded, queryText, validateBody } from './request';

export interface LifecycleAdminDeps {
  store: Store;
  grants: Grants;
  grantService: GrantService;
  /** Runs the expiry sweeper now (the same code the schedule runs). */
  sweepNow(requestId: string): unknown;
}

const GRANT_STATES: GrantState[] = ['pending-approval', 'scheduled', 'active', 'expired', 'revoked'];

/** /admin/grants, /admin/access, /admin/evidence and /admin/lifecycle/sweep. */
export function lifecycleAdminRouter(deps: LifecycleAdminDeps): Router {
  const router = Router();
  const ctx = (req: { actor?: string; requestId: string }) => ({ actor: req.actor ?? 'admin', requestId: req.requestId, source: 'admin' as const });

  router.post('/grants', validateBody(grantCreateSchema), guarded((req, res) => {
    res.status(201).json(deps.grantService.request(ctx(req), req.body));
  }));

  router.get('/grants', guarded((req, res) => {
    const state = queryText(req, 'state');
    if (state && !GRANT_STATES.includes(state as GrantState)) throw new InvalidRequest(`state must be one of ${GRANT_STATES.join(', ')}`);
    res.json(deps.grants.list({ userId: queryText(req, 'user'), groupId: queryText(req, 'group'), state: state as GrantState | undefined }));
  }));

  router.get('/grants/:id', (req, res) => {
    const grant = deps.grants.get(req.params.id);
    if (grant) res.json(grant);
    else res.status(404).type('application/scim+json').send(scimError(404, `grant ${req.params.id} not found`));
  });

  router.post('/grants/:id/approve', validateBody(grantApproveSchema), guarded((req, res) => {
    res.json(deps.grants.approve(ctx(req), req.params.id as string, req.body.approver));
  }));

  router.post('/grants/:id/revoke', validateBody(grantRevokeSchema), guarded((req, res) => {
    res.json(deps.grants.revoke(ctx(req), req.params.id as string, req.body.reason));
  }));

  router.get('/access', guarded((req, res) => {
    const format = queryText(req, 'format') ?? 'json';
    if (!['json', 'csv', 'md'].includes(format)) throw new InvalidRequest('format must be json, csv or md');
    const rows = accessReport(deps.store.db, { user: queryText(req, 'user'), target: queryText(req, 'target') });
    if (format === 'json') res.json(rows);
    else res.type(format === 'csv' ? 'text/csv' : 'text/markdown').send(renderAccess(rows, format as 'csv' | 'md'));
  }));

  router.get('/access/hygiene', (_req, res) => {
    res.json(hygieneFindings(deps.store.db, deps.store.now()));
  });

  router.get('/evidence/:subject', guarded((req, res) => {
    const trail = evidenceTrail(deps.store.db, req.params.subject as string);
    if (!trail) throw new InvalidRequest('subject must be user:<id|userName>, group:<id|name>, grant:<id> or request:<id>');
    res.json(trail);
  }));

  router.post('/lifecycle/sweep', (req, res) => {
    res.json(deps.sweepNow(req.requestId));
  });

  return router;
}
