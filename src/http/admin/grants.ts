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
import { sendKnownError, validateBody } from './validate';

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

  router.post('/grants', validateBody(grantCreateSchema), (req, res, next) => {
    try {
      res.status(201).json(deps.grantService.request(ctx(req), req.body));
    } catch (error) {
      sendKnownError(error, res, next);
    }
  });

  router.get('/grants', (req, res) => {
    const state = typeof req.query.state === 'string' ? req.query.state : undefined;
    if (state && !GRANT_STATES.includes(state as GrantState)) {
      res.status(400).type('application/scim+json').send(scimError(400, `state must be one of ${GRANT_STATES.join(', ')}`, 'invalidValue'));
      return;
    }
    const text = (name: string) => (typeof req.query[name] === 'string' ? (req.query[name] as string) : undefined);
    res.json(deps.grants.list({ userId: text('user'), groupId: text('group'), state: state as GrantState | undefined }));
  });

  router.get('/grants/:id', (req, res) => {
    const grant = deps.grants.get(req.params.id);
    if (grant) res.json(grant);
    else res.status(404).type('application/scim+json').send(scimError(404, `grant ${req.params.id} not found`));
  });

  router.post('/grants/:id/approve', validateBody(grantApproveSchema), (req, res, next) => {
    try {
      res.json(deps.grants.approve(ctx(req), req.params.id as string, req.body.approver));
    } catch (error) {
      sendKnownError(error, res, next);
    }
  });

  router.post('/grants/:id/revoke', validateBody(grantRevokeSchema), (req, res, next) => {
    try {
      res.json(deps.grants.revoke(ctx(req), req.params.id as string, req.body.reason));
    } catch (error) {
      sendKnownError(error, res, next);
    }
  });

  router.get('/access', (req, res) => {
    const format = typeof req.query.format === 'string' ? req.query.format : 'json';
    if (!['json', 'csv', 'md'].includes(format)) {
      res.status(400).type('application/scim+json').send(scimError(400, 'format must be json, csv or md', 'invalidValue'));
      return;
    }
    const rows = accessReport(deps.store.db, {
      user: typeof req.query.user === 'string' ? req.query.user : undefined,
      target: typeof req.query.target === 'string' ? req.query.target : undefined,
    });
    if (format === 'json') res.json(rows);
    else res.type(format === 'csv' ? 'text/csv' : 'text/markdown').send(renderAccess(rows, format as 'csv' | 'md'));
  });

  router.get('/access/hygiene', (_req, res) => {
    res.json(hygieneFindings(deps.store.db, deps.store.now()));
  });

  router.get('/evidence/:subject', (req, res) => {
    const trail = evidenceTrail(deps.store.db, req.params.subject);
    if (trail) res.json(trail);
    else res.status(400).type('application/scim+json').send(scimError(400, 'subject must be user:<id|userName>, group:<id|name>, grant:<id> or request:<id>', 'invalidValue'));
  });

  router.post('/lifecycle/sweep', (req, res) => {
    res.json(deps.sweepNow(req.requestId));
  });

  return router;
}
