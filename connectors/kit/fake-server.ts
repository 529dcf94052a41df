import type { Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import { setTimeout as sleep } from 'node:timers/promises';
import express, { type NextFunction, type Request, type RequestHandler, type Response } from 'express';
import type { FakeTarget } from './fake-target';
import { InvalidPageTokenError } from './paging';

/**
 * The base every HTTP fake builds on: an express app on 127.0.0.1 (ephemeral port) with per-endpoint call
 * counts, a request log, a credential check and fault injection. A fake subclass only registers its
 * routes (`this.get('/Users/:id', ...)`) and says how its API shapes errors (`errorResponse`).
 */

export interface FaultSpec {
  status: number;
  /** Sent as a Retry-After header in seconds. */
  retryAfterS?: number;
  /** The error body in the target's own dialect (or a factory given the request). Default: errorResponse(). */
  body?: unknown | ((req: Request) => unknown);
  contentType?: string;
  headers?: Record<string, string>;
  /** Only calls to this endpoint (as named in callCounts(), or matching the pattern) fail; default: any endpoint. */
  endpoint?: string | RegExp;
}

export interface ErrorResponse {
  contentType: string;
  body: unknown;
}

export interface RecordedRequest {
  method: string;
  path: string;
  endpoint: string;
  query: Record<string, unknown>;
  body: unknown;
  /** Undefined while the response is still being written. */
  status?: number;
}

export interface RouteOptions {
  /** No credential check (token endpoints, discovery documents). */
  public?: boolean;
}

export interface FakeServerOptions {
  /** Bearer tokens the default credential check accepts. */
  credentials?: readonly string[];
  /** How a call is named in counts and faults. Default `METHOD /route/:pattern`; Query-protocol APIs name it by Action. */
  endpointOf?: (req: Request, pattern: string) => string;
}

type Method = 'get' | 'post' | 'put' | 'patch' | 'delete';

interface ArmedFault extends FaultSpec {
  remaining: number;
}

interface RateLimit extends FaultSpec {
  allowed: number;
}

export class FakeServer implements FakeTarget {
  readonly app = express();
  readonly requests: RecordedRequest[] = [];
  protected readonly credentials: Set<string>;
  private readonly initialCredentials: readonly string[];
  private readonly router = express.Router();
  private readonly endpointOf: (req: Request, pattern: string) => string;
  private readonly counts = new Map<string, number>();
  private faults: ArmedFault[] = [];
  private rateLimit?: RateLimit;
  private latencyMs = 0;
  private revoked = false;
  private server?: Server;

  constructor(options: FakeServerOptions = {}) {
    this.initialCredentials = options.credentials ?? [];
    this.credentials = new Set(this.initialCredentials);
    this.endpointOf = options.endpointOf ?? ((req, pattern) => `${req.method} ${pattern}`);
    this.app.disable('x-powered-by');
    this.app.use(express.json({ type: ['application/json', 'application/*+json'] }));
    this.app.use(express.urlencoded({ extended: false }));
    this.app.use(express.text({ type: ['text/*', 'application/xml'] }));
    this.app.use(this.router);
    this.app.use((req: Request, res: Response) => this.sendError(req, res, 404, `no route for ${req.method} ${req.path}`));
    this.app.use((error: unknown, req: Request, res: Response, _next: NextFunction) => {
      if (error instanceof InvalidPageTokenError) return this.sendError(req, res, 400, error.message);
      const status = (error as { status?: number }).status ?? 500;
      this.sendError(req, res, status, error instanceof Error ? error.message : String(error));
    });
  }

  get url(): string {
    const address = this.server?.address() as AddressInfo | null | undefined;
    if (!address) throw new Error('fake server is not started');
    return `http://127.0.0.1:${address.port}`;
  }

  /** Listens on 127.0.0.1; tests keep the default port 0 (any free one), a script may fix one. */
  async start(port = 0): Promise<this> {
    await new Promise<void>((resolve, reject) => {
      const server = this.app.listen(port, '127.0.0.1', (error?: Error) => (error ? reject(error) : resolve()));
      this.server = server;
    });
    return this;
  }

  async stop(): Promise<void> {
    const server = this.server;
    if (!server) return;
    this.server = undefined;
    server.closeAllConnections();
    await new Promise<void>((resolve) => server.close(() => resolve()));
  }

  // ---- fault injection --------------------------------------------------------------------------

  /** The next `count` calls (to `spec.endpoint`, if given) fail with `spec.status`. */
  failNext(count: number, spec: FaultSpec): this {
    this.faults.push({ ...spec, remaining: count });
    return this;
  }

  /** Every call waits `ms` before it is handled. */
  latency(ms: number): this {
    this.latencyMs = ms;
    return this;
  }

  /** The next `count` calls succeed; every call after them fails with `spec` until reset(). */
  rateLimitAfter(count: number, spec: FaultSpec): this {
    this.rateLimit = { ...spec, allowed: count };
    return this;
  }

  revokeCredentials(): void {
    this.revoked = true;
  }

  /** Faults, latency, counts, log and credentials back to the start; subclasses clear their data in resetState(). */
  reset(): void {
    this.faults = [];
    this.rateLimit = undefined;
    this.latencyMs = 0;
    this.revoked = false;
    this.credentials.clear();
    for (const credential of this.initialCredentials) this.credentials.add(credential);
    this.counts.clear();
    this.requests.length = 0;
    this.resetState();
  }

  // ---- inspection -------------------------------------------------------------------------------

  requestCount(): number {
    return this.requests.length;
  }

  /** Calls to one endpoint (`GET /Users/:id`), faults included. */
  calls(endpoint: string): number {
    return this.counts.get(endpoint) ?? 0;
  }

  callCounts(): Record<string, number> {
    return Object.fromEntries(this.counts);
  }

  // ---- for subclasses ---------------------------------------------------------------------------

  protected get(pattern: string, handler: RequestHandler, options?: RouteOptions): void {
    this.route('get', pattern, handler, options);
  }
  protected post(pattern: string, handler: RequestHandler, options?: RouteOptions): void {
    this.route('post', pattern, handler, options);
  }
  protected put(pattern: string, handler: RequestHandler, options?: RouteOptions): void {
    this.route('put', pattern, handler, options);
  }
  protected patch(pattern: string, handler: RequestHandler, options?: RouteOptions): void {
    this.route('patch', pattern, handler, options);
  }
  protected delete(pattern: string, handler: RequestHandler, options?: RouteOptions): void {
    this.route('delete', pattern, handler, options);
  }

  /** Every route goes through record → latency → faults → credential check → handler. */
  protected route(method: Method, pattern: string, handler: RequestHandler, options: RouteOptions = {}): void {
    this.router[method](pattern, async (req: Request, res: Response, next: NextFunction) => {
      const endpoint = this.endpointOf(req, pattern);
      this.record(req, res, endpoint);
      if (this.latencyMs > 0) await sleep(this.latencyMs);
      const fault = this.takeFault(endpoint);
      if (fault) return this.sendFault(req, res, fault);
      if (!options.public && (this.revoked || !this.authorize(req))) {
        return this.sendError(req, res, 401, 'invalid or revoked credentials');
      }
      return handler(req, res, next);
    });
  }

  /** True after revokeCredentials(): public routes (token endpoints) consult it to refuse as well. */
  protected get credentialsRevoked(): boolean {
    return this.revoked;
  }

  /** Default credential check: `Authorization: Bearer <one of credentials>`. */
  protected authorize(req: Request): boolean {
    const match = /^Bearer\s+(\S+)$/i.exec(req.get('authorization') ?? '');
    return match !== null && this.credentials.has(match[1]);
  }

  /** How this API shapes an error body. Override to speak the target's dialect. */
  protected errorResponse(status: number, message: string, _req: Request): ErrorResponse {
    return { contentType: 'application/json', body: { error: { code: status, message } } };
  }

  protected sendError(req: Request, res: Response, status: number, message: string, headers: Record<string, string> = {}): void {
    const { contentType, body } = this.errorResponse(status, message, req);
    this.send(res, status, contentType, body, headers);
  }

  /** Clear the fake's in-memory data. */
  protected resetState(): void {}

  private record(req: Request, res: Response, endpoint: string): void {
    this.counts.set(endpoint, (this.counts.get(endpoint) ?? 0) + 1);
    const entry: RecordedRequest = { method: req.method, path: req.path, endpoint, query: { ...req.query }, body: req.body };
    this.requests.push(entry);
    res.on('finish', () => (entry.status = res.statusCode));
  }

  private takeFault(endpoint: string): FaultSpec | undefined {
    const armed = this.faults.find((fault) => fault.remaining > 0 && appliesTo(fault, endpoint));
    if (armed) {
      armed.remaining -= 1;
      this.faults = this.faults.filter((fault) => fault.remaining > 0);
      return armed;
    }
    const limit = this.rateLimit;
    if (!limit || !appliesTo(limit, endpoint)) return undefined;
    if (limit.allowed > 0) {
      limit.allowed -= 1;
      return undefined;
    }
    return limit;
  }

  private sendFault(req: Request, res: Response, fault: FaultSpec): void {
    const headers = { ...(fault.retryAfterS !== undefined ? { 'Retry-After': String(fault.retryAfterS) } : {}), ...fault.headers };
    if (fault.body === undefined) return this.sendError(req, res, fault.status, `injected fault ${fault.status}`, headers);
    const body = typeof fault.body === 'function' ? (fault.body as (req: Request) => unknown)(req) : fault.body;
    const contentType = fault.contentType ?? (typeof body === 'string' ? 'text/plain' : 'application/json');
    this.send(res, fault.status, contentType, body, headers);
  }

  private send(res: Response, status: number, contentType: string, body: unknown, headers: Record<string, string>): void {
    res.status(status).set(headers).type(contentType);
    res.send(typeof body === 'string' || Buffer.isBuffer(body) ? body : JSON.stringify(body));
  }
}

function appliesTo(fault: FaultSpec, endpoint: string): boolean {
  if (fault.endpoint === undefined) return true;
  return typeof fault.endpoint === 'string' ? fault.endpoint === endpoint : fault.endpoint.test(endpoint);
}
