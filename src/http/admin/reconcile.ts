import { Router, type NextFunction, type Request, type Response } from 'express';
import runSchema from '../../../schemas/admin/reconcile-run.schema.json';
import type { FixStatus } from '../../reconcile/drift';
import type { ReconcileMode } from '../../reconcile/settings';
import type { ReconcileService } from '../../reconcile/service';
import { scimError } from '../auth';
import { sendKnownError, validateBody } from './validate';

const FIX_STATUSES: FixStatus[] = ['planned', 'applied', 'blocked', 'superseded', 'deferred', 'not-fixable'];
const MAX_PAGE = 1000;

class InvalidQuery extends Error {
  readonly status = 400;
}

/**
 * GET /admin/reconcile (runs, newest first; ?target, ?limit), GET /admin/reconcile/:id (the report and a
 * page of findings: ?after=<seq>, ?limit, ?fix), POST /admin/reconcile/:target (start a run; 202 at once,
 * poll the report for its verdict).
 */
export function reconcileAdminRouter(service: ReconcileService): Router {
  const router = Router();

  router.get('/reconcile', guarded((req, res) => {
    const target = textParam(req, 'target');
    res.json({ runs: service.reports.list({ target, limit: intParam(req, 'limit', 50, 1, MAX_PAGE) }) });
  }));

  router.get('/reconcile/:id', guarded((req, res) => {
    const report = service.reports.get(req.params.id as string);
    if (!report) {
      res.status(404).type('application/scim+json').send(scimError(404, `no reconciliation run ${String(req.params.id)}`));
      return;
    }
    const fix = textParam(req, 'fix');
    if (fix !== undefined && !FIX_STATUSES.includes(fix as FixStatus)) throw new InvalidQuery(`fix must be one of ${FIX_STATUSES.join(', ')}`);
    const limit = intParam(req, 'limit', MAX_PAGE, 1, MAX_PAGE);
    const findings = service.reports.findings(report.id, { afterSeq: intParam(req, 'after', 0, 0, Number.MAX_SAFE_INTEGER), limit, fix: fix as FixStatus | undefined });
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

function guarded(fn: (req: Request, res: Response) => void) {
  return (req: Request, res: Response, next: NextFunction): void => {
    try {
      fn(req, res);
    } catch (error) {
      sendKnownError(error, res, next);
    }
  };
}

function textParam(req: Request, name: string): string | undefined {
  const value = req.query[name];
  if (value === undefined) return undefined;
  if (typeof value !== 'string' || value === '') throw new InvalidQuery(`${name} must be given once, as text`);
  return value;
}

function intParam(req: Request, name: string, fallback: number, min: number, max: number): number {
  const text = textParam(req, name);
  if (text === undefined) return fallback;
  const value = Number(text);
  if (!/^\d+$/.test(text) || value < min || value > max) throw new InvalidQuery(`${name} must be an integer from ${min} to ${max}`);
  return value;
}
