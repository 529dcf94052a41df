import { Router, type NextFunction, type Request, type Response } from 'express';
import { Counter, Gauge, Histogram, Registry, collectDefaultMetrics } from 'prom-client';
import type { QueueState, Store } from '../store';
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

export interface MetricsOptions {
  /** Configured target names: their queue depth series exist (at 0) from the start, not only once rows queue. */
  targets?: readonly string[];
}

const QUEUE_STATES: readonly QueueState[] = ['pending', 'inflight', 'dead'];

/** A route as the app's routers declare it: method (lower-case, `_all` for router.all) and path template. */
export interface RouteTemplate {
  method: string;
  path: string;
  segments: string[];
}

interface RouterLayer {
  route?: { path: unknown; methods: Record<string, boolean> };
  rawPath?: unknown;
  handle?: { stack?: RouterLayer[] };
}

/**
 * Every route declared in the app's routers, with the paths they are mounted under, so a request is labelled
 * by the template that serves it (`/admin/subjects/:kind/:id/history`) whatever its status: the same label
 * for a 200, a 400 from the handler and a 401 from the token check in front of it. Templates with patterns
 * other than `:name` segments are left out (their requests fall back to fallbackLabel).
 */
export function declaredRoutes(stack: readonly RouterLayer[], prefix = ''): RouteTemplate[] {
  return stack.flatMap((layer) => {
    if (layer.route) {
      const path = `${prefix}${String(layer.route.path)}`.replace(/(.)\/$/, '$1'); // a sub-router's '/' is its mount path
      if (typeof layer.route.path !== 'string' || !/^(\/(:?[\w.-]+))+$/.test(path)) return [];
      return Object.keys(layer.route.methods).map((method) => ({ method, path, segments: path.split('/').slice(1) }));
    }
    if (!layer.handle?.stack) return [];
    const mount = typeof layer.rawPath === 'string' && layer.rawPath !== '/' ? layer.rawPath : '';
    return declaredRoutes(layer.handle.stack, `${prefix}${mount}`);
  });
}

/** The label of a request: the declared route it matches (most literal segments wins), else fallbackLabel. */
export function routeLabel(method: string, url: string, routes: readonly RouteTemplate[]): string {
  const segments = url.split('?')[0].split('/').filter(Boolean);
  const wanted = method.toLowerCase();
  let best: { route: RouteTemplate; literals: number } | undefined;
  for (const route of routes) {
    if (!methodMatches(route.method, wanted) || route.segments.length !== segments.length) continue;
    const literals = literalMatches(route.segments, segments);
    if (literals !== undefined && (!best || literals > best.literals)) best = { route, literals };
  }
  return best?.route.path ?? fallbackLabel(segments);
}

function methodMatches(declared: string, wanted: string): boolean {
  return declared === wanted || declared === '_all' || (wanted === 'head' && declared === 'get');
}

/** How many literal segments of the template the request has, or undefined when one differs. */
function literalMatches(template: readonly string[], segments: readonly string[]): number | undefined {
  let literals = 0;
  for (const [index, part] of template.entries()) {
    if (part.startsWith(':')) continue;
    if (part !== segments[index]) return undefined;
    literals += 1;
  }
  return literals;
}

/** Path segments kept as they are when no declared route matches; any other segment becomes ':id' (bounded label values). */
const KNOWN_SEGMENTS = new Set([
  'scim', 'v2', 'Users', 'Groups', 'Bulk', '.search', 'Schemas', 'ResourceTypes', 'ServiceProviderConfig', 'Me',
  'admin', 'metrics', 'healthz', 'readyz',
]);

function fallbackLabel(segments: readonly string[]): string {
  return `/${segments.slice(0, 6).map((segment) => (KNOWN_SEGMENTS.has(segment) ? segment : ':id')).join('/')}`;
}

export function createMetrics(store: Store, options: MetricsOptions = {}): Metrics {
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
  // Every known (target, state) is reported, at 0 when empty: a series that vanishes at 0 breaks rate() and alerts.
  const knownTargets = new Set(options.targets ?? []);
  new Gauge({
    name: 'scim_bridge_queue_depth', help: 'Sync queue rows by target and state',
    labelNames: ['target', 'state'], registers: [registry],
    collect() {
      const depth = store.queue.depth();
      for (const row of depth) knownTargets.add(row.target);
      for (const target of knownTargets) for (const state of QUEUE_STATES) this.set({ target, state }, 0);
      for (const row of depth) this.set({ target: row.target, state: row.state }, row.count);
    },
  });
  const routes = new WeakMap<object, RouteTemplate[]>();
  const routesOf = (req: Request) => {
    let declared = routes.get(req.app);
    if (!declared) routes.set(req.app, (declared = declaredRoutes((req.app as unknown as { router: { stack: RouterLayer[] } }).router.stack)));
    return declared;
  };

  const router = Router();
  router.use((req: Request, res: Response, next: NextFunction) => {
    res.on('finish', () => requests.inc({ method: req.method, route: routeLabel(req.method, req.originalUrl, routesOf(req)), status: String(res.statusCode) }));
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
