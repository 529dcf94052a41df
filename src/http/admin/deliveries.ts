import { Router, type Request } from 'express';
import retrySchema from '../../../schemas/admin/delivery-retry.schema.json';
import pauseSchema from '../../../schemas/admin/target-pause.schema.json';
import type { ChangeContext, QueueState, SubjectKind } from '../../store';
import type { DeliveryAdmin, SubjectHistory } from '../../sync/delivery-admin';
import type { TargetStatus } from '../../sync/engine';
import { InvalidRequest, guarded, queryInt, queryText, validateBody } from './request';

export interface DeliveriesAdminDeps {
  admin: DeliveryAdmin;
  /** Live engine state (health, in-flight work); absent when the engine is not running. */
  engineStatus?: () => TargetStatus[];
}

class UnknownSubject extends Error {
  readonly status = 404;
  constructor(subject: string) {
    super(`no ${subject} is or was known to the bridge`);
  }
}

/** Every create writes a ledger row and the ledger is never pruned, so a deleted (even purged) subject still has one. */
function neverExisted(history: SubjectHistory): boolean {
  return history.ledger.length === 0 && history.targets.every((target) => !target.queue && !target.link);
}

const QUEUE_STATES: QueueState[] = ['pending', 'inflight', 'dead'];
const SUBJECT_KINDS: SubjectKind[] = ['user', 'group'];

/** /admin/targets, /admin/deliveries and /admin/subjects/:kind/:id/history. */
export function deliveriesAdminRouter(deps: DeliveriesAdminDeps): Router {
  const router = Router();
  const { admin } = deps;
  const ctx = (req: Request): ChangeContext => ({ actor: req.actor ?? 'admin', requestId: req.requestId, source: 'admin' });

  router.get('/targets', (_req, res) => {
    const live = deps.engineStatus?.() ?? [];
    res.json(admin.targets().map((target) => {
      const status = live.find((entry) => entry.name === target.target);
      return { ...target, connector: status?.connector, health: status?.health ?? null, busy: status?.busy ?? 0 };
    }));
  });

  router.post('/targets/:name/pause', validateBody(pauseSchema), guarded((req, res) => {
    admin.pause(req.params.name as string, (req.body as { reason?: string }).reason ?? `paused by ${req.actor ?? 'admin'}`, ctx(req));
    res.json({ target: req.params.name, paused: true });
  }));

  router.post('/targets/:name/resume', validateBody(pauseSchema), guarded((req, res) => {
    admin.resume(req.params.name as string, ctx(req));
    res.json({ target: req.params.name, paused: false });
  }));

  router.get('/deliveries/dead', guarded((req, res) => {
    res.json(admin.deliveries({ target: queryText(req, 'target'), state: 'dead', limit: queryInt(req, 'limit', 100, 1, 1000) }));
  }));

  router.get('/deliveries', guarded((req, res) => {
    const state = queryText(req, 'state');
    if (state !== undefined && !QUEUE_STATES.includes(state as QueueState)) {
      throw new InvalidRequest(`state must be one of ${QUEUE_STATES.join(', ')}`);
    }
    res.json(admin.deliveries({ target: queryText(req, 'target'), state: state as QueueState | undefined, limit: queryInt(req, 'limit', 100, 1, 1000) }));
  }));

  router.post('/deliveries/retry', validateBody(retrySchema), guarded((req, res) => {
    const body = req.body as { target: string; subject?: { kind: SubjectKind; id: string } };
    res.json({ retried: admin.retry(body.target, body.subject, ctx(req)) });
  }));

  router.get('/subjects/:kind/:id/history', guarded((req, res) => {
    const kind = req.params.kind as SubjectKind;
    if (!SUBJECT_KINDS.includes(kind)) throw new InvalidRequest(`kind must be one of ${SUBJECT_KINDS.join(', ')}`);
    const history = admin.history(kind, req.params.id as string);
    if (neverExisted(history)) throw new UnknownSubject(history.subject);
    res.json(history);
  }));

  return router;
}
