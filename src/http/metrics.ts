import { Router, type NextFunction, type Request, type Response } from 'express';
import { Counter, Gauge, Histogram, Registry, collectDefaultMetrics } from 'prom-client';
import type { Store } from '../store';
import type { DeliveryObserver } from '../sync/observer';

/**
 * Prometheus metrics at GET /metrics, unauthenticated like /healthz: scrapers rarely carry bearer tokens,
 * and nothing here identifies a person - labels are route templates, status codes, target names,
 * connector kinds and outcomes, all bounded sets. Each app gets its own registry (tests build many apps).
 */
export interface Metrics {
  registry: Registry;
  /** Counts every request (mount at the root, before the other routers) and serves /metrics. */
  router: Router;
  /** Feeds delivery outcomes, latency and target calls from the sync engine. */
  observer: DeliveryObserver;
}

/** Path segments kept as they are; any other segment is an id and becomes ':id' (bounded label values). */
const KNOWN_SEGMENTS = new Set([
  'scim', 'v2', 'Users', 'Groups', 'Bulk', '.search', 'Schemas', 'ResourceTypes', 'ServiceProviderConfig', 'Me',
  'admin', 'targets', 'deliveries', 'dead', 'retry', 'pause', 'resume', 'subjects', 'history', 'user', 'group',
  'grants', 'access', 'evidence', 'lifecycle', 'sweep', 'approve', 'revoke', 'reconcile', 'drift', 'metrics', 'healthz', 'readyz',
]);

export function routeLabel(path: string): string {
  const segments = path.split('?')[0].split('/').filter(Boolean).slice(0, 6);
  return `/${segments.map((segment) => (KNOWN_SEGMENTS.has(segment) ? segment : ':id')).join('/')}`;
}

export function createMetrics(store: Store): Metrics {
  const registry = new Registry();
  collectDefaultMetrics({ register: registry, prefix: 'scim_bridge_' });
  const requests = new Counter({
    name: 'scim_bridge_http_requests_total', help: 'HTTP requests by method, route template and status',
    labelNames: ['method', 'route', 'status'], registers: [registry],
  });
  const deliveries = new Counter({
    name: 'scim_bridge_deliveries_total', help: 'Delivery outcomes by target (applied, noop, retry, dead, deferred)',
    labelNames: ['target', 'outcome'], registers: [registry],
  });
  const latency = new Histogram({
    name: 'scim_bridge_delivery_latency_seconds', help: 'From the accepted change to its outcome at the target',
    labelNames: ['target', 'outcome'], buckets: [0.01, 0.025, 0.05, 0.1, 0.25, 0.5, 1, 2.5, 5, 10, 30, 60, 300], registers: [registry],
  });
  const calls = new Counter({
    name: 'scim_bridge_target_calls_total', help: 'Connector operations by target, connector kind, operation and result',
    labelNames: ['target', 'connector', 'operation', 'result'], registers: [registry],
  });
  new Gauge({
    name: 'scim_bridge_queue_depth', help: 'Sync queue rows by target and state',
    labelNames: ['target', 'state'], registers: [registry],
    collect() {
      this.reset();
      for (const row of store.queue.depth()) this.set({ target: row.target, state: row.state }, row.count);
    },
  });

  const router = Router();
  router.use((req: Request, res: Response, next: NextFunction) => {
    res.on('finish', () => requests.inc({ method: req.method, route: routeLabel(req.originalUrl), status: String(res.statusCode) }));
    next();
  });
  router.get('/metrics', async (_req, res, next) => {
    try {
      res.type(registry.contentType).send(await registry.metrics());
    } catch (error) {
      next(error);
    }
  });

  const observer: DeliveryObserver = {
    delivered(report) {
      deliveries.inc({ target: report.target, outcome: report.outcome });
      if (report.outcome === 'applied' || report.outcome === 'noop') {
        latency.observe({ target: report.target, outcome: report.outcome }, Math.max(0, report.latencyMs) / 1000);
      }
    },
    targetCall(call) {
      calls.inc({ target: call.target, connector: call.connector, operation: call.operation, result: call.ok ? 'ok' : 'error' });
    },
  };
  return { registry, router, observer };
}
