import { Router, type NextFunction, type Request, type Response } from 'express';
import runSchema from '../../../schemas/admin/reconcile-run.schema.json';
import type { FixStatus } from '../../reconcile/drift';
import type { ReconcileMode } from '../../reconcile/settings';
import type { ReconcileService } from '../../reconcile/service';
import { scimError } from '../auth';
import { InvalidRequest, guarded, queryInt, queryText, validateBody } from './request';

const FIX_STATUSES: FixStatus[] = ['planned', 'applied', 'blocked', 'superseded', 'deferred', 'not-fixable'];
const MAX_PAGE = 1000;

/**
 * GET /admin/reconcile (runs, newest first; ?target, ?limit), GET /admin/reconcile/:id (the report and a
 * page of findings: ?after=<seq>, ?limit, ?fix), POST /admin/reconcile/:target (start a run; 202 at once,
 * poll the report for its verdict).
 */
export function reconcileAdminRouter(service: ReconcileService): Router {
  const router = Router();

  router.get('/reconcile', guarded((req, res) => {
    const target = queryText(req, 'target');
    res.json({ runs: service.reports.list({ target, limit: queryInt(req, 'limit', 50, 1, MAX_PAGE) }) });
  }));

  router.get('/reconcile/:id', guarded((req, res) => {
    const report = service.reports.get(req.params.id as string);
    if (!report) {
      res.status(404).type('application/scim+json').send(scimError(404, `no reconciliation run ${String(req.params.id)}`));
      return;
    }
    const fix = queryText(req, 'fix');
    if (fix !== undefined && !FIX_STATUSES.includes(fix as FixStatus)) throw new InvalidRequest(`fix must be one of ${FIX_STATUSES.join(', ')}`);
    const limit = queryInt(req, 'limit', MAX_PAGE, 1, MAX_PAGE);
    const findings = service.reports.findings(report.id, { afterSeq: queryInt(req, 'after', 0, 0, Number.MAX_SAFE_INTEGER), limit, fix: fix as FixStatus | undefined });
    res.json({ ...report, findings, nextAfter: findings.length === limit ? findings[findings.length - 1].seq : null });
  }));

  router.post('/reconcile/:target', validateBody(runSchema), guarded((req, res) => {
    const body = req.body as { mode?: ReconcileMode; dryRun?: boolean };
    const run = service.start(req.params.target as string, { mode: body.mode, dryRun: body.dryRun, trigger: 'admin', actor: req.actor ?? 'admin', requestId: req.requestId });
    run.done.catch(() => undefined); // the outcome is in the stored report
    res.status(202).location(`${req.baseUrl}/reconcile/${run.id}`).json({ id: run.id, requestId: run.requestId, target: req.params.target, status: 'running' });
  }));

  return router;
}
