import { Router } from 'express';
import type { Store } from '../../store';
import { GRANT_STATES, type Grants, type GrantState } from '../../store/grants';
import type { GrantService } from '../../lifecycle/grant-service';
import { accessReport, renderAccess, requireKnownTarget } from '../../lifecycle/access-report';
import { hygieneFindings } from '../../lifecycle/hygiene';
import { evidenceTrail } from '../../lifecycle/evidence';
import grantCreateSchema from '../../../schemas/admin/grant-create.schema.json';
import grantApproveSchema from '../../../schemas/admin/grant-approve.schema.json';
import grantRevokeSchema from '../../../schemas/admin/grant-revoke.schema.json';
import { InvalidRequest, guarded, queryText, validateBody } from './request';

export interface LifecycleAdminDeps {
  store: Store;
  grants: Grants;
  grantService: GrantService;
  /** Configured target names (the access report's --target must name one, or one the database knows). */
  targets: readonly string[];
  /** Runs the expiry sweeper now (the same code the schedule runs). */
  sweepNow(requestId: string): unknown;
}

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
    const user = queryText(req, 'user');
    const group = queryText(req, 'group');
    res.json(deps.grants.list({
      userId: user && deps.grantService.userId(user),
      groupId: group && deps.grantService.groupId(group),
      state: state as GrantState | undefined,
    }));
  }));

  router.get('/grants/:id', guarded((req, res) => {
    res.json(deps.grants.require(req.params.id as string));
  }));

  router.post('/grants/:id/approve', validateBody(grantApproveSchema), guarded((req, res) => {
    res.json(deps.grantService.approve(ctx(req), req.params.id as string, req.body.approver));
  }));

  router.post('/grants/:id/revoke', validateBody(grantRevokeSchema), guarded((req, res) => {
    res.json(deps.grants.revoke(ctx(req), req.params.id as string, req.body.reason));
  }));

  router.get('/access', guarded((req, res) => {
    const format = queryText(req, 'format') ?? 'json';
    if (!['json', 'csv', 'md'].includes(format)) throw new InvalidRequest('format must be json, csv or md');
    const target = queryText(req, 'target');
    if (target) requireKnownTarget(deps.store.db, deps.targets, target);
    const rows = accessReport(deps.store.db, { user: queryText(req, 'user'), target });
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
