import { STATUS_CODES, createServer, type IncomingMessage, type Server, type ServerResponse } from 'node:http';
import type { Duplex } from 'node:stream';
import type { AddressInfo } from 'node:net';
import type { Router } from 'express';
import { createApp } from './app';
import { scimError } from './http/auth';
import type { BridgeConfig } from './config/types';
import type { Logger } from './log';
import { ServeLock } from './serve-lock';
import { Store } from './store';
import { Tokens } from './store/tokens';
import { walCheckpointer } from './wal-checkpointer';
import { storageWatch } from './http/health';

/** A long-running part of the bridge (sync engine, schedulers): started once the database is open and
 * the port is bound, stopped after HTTP has drained and before the database closes. */
export interface Service {
  readonly name?: string;
  start(): void | Promise<void>;
  stop(): Promise<void>;
  /** Logs what the service set up (schedules…), after the `listening` line, which stays the first line. */
  announce?(): void;
}

/** What modules are built from. */
export interface ServerContext {
  config: BridgeConfig;
  store: Store;
  tokens: Tokens;
  logger: Logger;
}

/** What one module adds to the server: services to run and routers to mount. */
export interface ServerContribution {
  services?: Service[];
  /** Mounted under /admin behind an admin-scoped token. */
  adminRouters?: Router[];
  /** Mounted at the root, unauthenticated (e.g. /metrics). */
  rootRouters?: Router[];
}

/** A plug-in of `serve` (sync engine, reconciler, sweeper…), listed in src/server-modules.ts. */
export interface ServerModule {
  name: string;
  /** Called in list order after the database opens; no listening or timers here, that is start()'s job. */
  setup(context: ServerContext): ServerContribution | Promise<ServerContribution>;
}

export interface StartServerOptions {
  config: BridgeConfig;
  logger: Logger;
  modules?: readonly ServerModule[];
  /** How long in-flight requests may take to finish on shutdown before their connections are cut. */
  shutdownGraceMs?: number;
  /** Stop and exit the process on SIGTERM/SIGINT (what `serve` wants; tests call stop() instead). */
  exitOnSignals?: boolean;
}

export interface RunningServer {
  port: number;
  /** The SCIM base URL, as the IdP should be given it. */
  scimUrl: string;
  context: ServerContext;
  /** Stops accepting, lets in-flight requests finish, stops services, closes the database. Idempotent. */
  stop(): Promise<void>;
}

/**
 * Takes the database's serve lock (one server per database, see ServeLock), opens the store, builds the
 * app with every module's contribution, listens, then starts services.
 */
export async function startServer(options: StartServerOptions): Promise<RunningServer> {
  const { config, logger } = options;
  const lock = ServeLock.acquire(config.database.file);
  let store: Store;
  try {
    store = Store.open(config.database.file);
  } catch (error) {
    lock.release();
    throw error;
  }
  const context: ServerContext = { config, store, tokens: new Tokens(store.db), logger };
  const services: Service[] = [walCheckpointer(store, logger), storageWatch(store, logger)];
  let server: Server | undefined;
  try {
    const contributions = await setUpModules(options.modules ?? [], context);
    services.push(...contributions.flatMap((contribution) => contribution.services ?? []));
    const app = createApp({
      ...context,
      adminRouters: contributions.flatMap((contribution) => contribution.adminRouters ?? []),
      rootRouters: contributions.flatMap((contribution) => contribution.rootRouters ?? []),
    });
    server = createServer(app);
    server.on('clientError', answerClientError);
    const port = await listen(server, config.server.port, config.server.host);
    await startServices(services, logger);
    const scimUrl = `${config.server.baseUrl ?? `http://${displayHost(config.server.host)}:${port}`}/scim/v2`;
    const stop = once(() => shutdown(server!, services, store, logger, options.shutdownGraceMs ?? 10_000).finally(() => lock.release()));
    const running: RunningServer = { port, scimUrl, context, stop };
    // Handlers go in before the startup line, so whoever waits for that line can signal at once.
    if (options.exitOnSignals) stopOnSignals(running, logger);
    logger.info('listening', { port, host: config.server.host, scimUrl, database: config.database.file, targets: config.targets.map((t) => t.name) });
    for (const service of services) service.announce?.();
    return running;
  } catch (error) {
    server?.close();
    store.close();
    lock.release();
    throw error;
  }
}

async function setUpModules(modules: readonly ServerModule[], context: ServerContext): Promise<ServerContribution[]> {
  const contributions: ServerContribution[] = [];
  for (const module of modules) contributions.push(await module.setup(context));
  return contributions;
}

async function startServices(services: Service[], logger: Logger): Promise<void> {
  const started: Service[] = [];
  try {
    for (const service of services) {
      await service.start();
      started.push(service);
    }
  } catch (error) {
    await stopServices(started, logger);
    throw error;
  }
}

async function stopServices(services: Service[], logger: Logger): Promise<void> {
  for (const service of [...services].reverse()) {
    try {
      await service.stop();
    } catch (error) {
      logger.error('service failed to stop', { service: service.name, error: String(error) });
    }
  }
}

/**
 * A request Node's parser refuses (request line plus headers over its 16 KB limit, malformed HTTP)
 * never reaches express, and Node's own answer has no body. Answer it as a SCIM error and close.
 */
function answerClientError(error: Error & { code?: string }, socket: Duplex): void {
  const inResponse = (socket as Duplex & { _httpMessage?: { headersSent?: boolean } })._httpMessage?.headersSent;
  if (error.code === 'ECONNRESET' || !socket.writable || inResponse) {
    socket.destroy();
    return;
  }
  const [status, detail] =
    error.code === 'HPE_HEADER_OVERFLOW'
      ? [431, 'the request line and headers exceed 16 KB; send a long filter in a POST .search body instead']
      : error.code === 'ERR_HTTP_REQUEST_TIMEOUT'
        ? [408, 'the request was not received in time']
        : [400, 'the request is not valid HTTP'];
  const body = JSON.stringify(scimError(status, detail, status === 400 ? 'invalidSyntax' : undefined));
  socket.end(
    `HTTP/1.1 ${status} ${STATUS_CODES[status]}\r\nContent-Type: application/scim+json; charset=utf-8\r\n` +
      `Content-Length: ${Buffer.byteLength(body)}\r\nConnection: close\r\n\r\n${body}`,
  );
}

function listen(server: Server, port: number, host: string): Promise<number> {
  return new Promise((resolve, reject) => {
    server.once('error', reject);
    server.listen(port, host, () => {
      server.off('error', reject);
      resolve((server.address() as AddressInfo).port);
    });
  });
}

async function shutdown(server: Server, services: Service[], store: Store, logger: Logger, graceMs: number): Promise<void> {
  logger.info('shutting down');
  await drain(server, graceMs);
  await stopServices(services, logger);
  store.close();
  logger.info('stopped');
}

/** Stops accepting and waits for in-flight requests; keep-alive connections are closed as they go idle. */
function drain(server: Server, graceMs: number): Promise<void> {
  const closed = new Promise<void>((resolve) => server.close(() => resolve()));
  // Requests already being handled, or arriving on open keep-alive connections, get `Connection: close`.
  server.prependListener('request', (_req: IncomingMessage, res: ServerResponse) => res.setHeader('Connection', 'close'));
  server.closeIdleConnections();
  const idleSweep = setInterval(() => server.closeIdleConnections(), 50);
  const deadline = setTimeout(() => server.closeAllConnections(), graceMs);
  return closed.finally(() => {
    clearInterval(idleSweep);
    clearTimeout(deadline);
  });
}

/** On SIGTERM or SIGINT: stop gracefully and exit 0 (1 if stopping failed). A second signal exits at once. */
export function stopOnSignals(running: RunningServer, logger: Logger, exit: (code: number) => void = process.exit): void {
  const onSignal = (signal: NodeJS.Signals) => {
    logger.info('signal received', { signal });
    process.once('SIGTERM', () => exit(1));
    process.once('SIGINT', () => exit(1));
    running.stop().then(
      () => exit(0),
      (error: unknown) => {
        logger.error('shutdown failed', { error: String(error) });
        exit(1);
      },
    );
  };
  process.once('SIGTERM', onSignal);
  process.once('SIGINT', onSignal);
}

function displayHost(host: string): string {
  return host === '0.0.0.0' || host === '::' ? 'localhost' : host.includes(':') ? `[${host}]` : host;
}

function once<T>(fn: () => Promise<T>): () => Promise<T> {
  let result: Promise<T> | undefined;
  return () => (result ??= fn());
}
