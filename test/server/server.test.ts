import { request as httpRequest, Agent } from 'node:http';
import { Router } from 'express';
import { hostname } from 'node:os';
import { DatabaseInUseError } from '../../src/serve-lock';
import { startServer, type RunningServer, type Service, type ServerModule } from '../../src/server';
import { Store } from '../../src/store';
import { Tokens } from '../../src/store/tokens';
import { capturedLogger, testConfig } from './support';

interface Reply {
  status: number;
  body: string;
  connection?: string;
}

function get(port: number, path: string, headers: Record<string, string> = {}, agent?: Agent): Promise<Reply> {
  return new Promise((resolve, reject) => {
    const req = httpRequest({ host: '127.0.0.1', port, path, headers, agent }, (res) => {
      let body = '';
      res.setEncoding('utf8');
      res.on('data', (chunk: string) => (body += chunk));
      res.on('end', () => resolve({ status: res.statusCode ?? 0, body, connection: res.headers.connection }));
    });
    req.on('error', reject);
    req.end();
  });
}

/** A module with a slow root route, an admin route and a service that records its lifecycle. */
function recordingModule(events: string[], slowMs = 300): ServerModule {
  return {
    name: 'recording',
    setup({ store }) {
      const service: Service = {
        name: 'recorder',
        start: () => {
          store.db.prepare('SELECT 1').get();
          events.push('start');
        },
        stop: async () => {
          store.db.prepare('SELECT 1').get();
          events.push('stop');
        },
      };
      const root = Router().get('/slow', (_req, res) => {
        setTimeout(() => {
          events.push('slow answered');
          res.json({ done: true });
        }, slowMs);
      });
      const admin = Router().get('/ping', (req, res) => res.json({ actor: req.actor }));
      return { services: [service], rootRouters: [root], adminRouters: [admin] };
    },
  };
}

describe('startServer', () => {
  let running: RunningServer | undefined;
  afterEach(async () => {
    await running?.stop();
    running = undefined;
  });

  it('listens on an ephemeral port, logs one startup line with the SCIM URL, and serves health unauthenticated', async () => {
    const { logger, lines } = capturedLogger();
    running = await startServer({ config: testConfig(), logger });
    expect(running.port).toBeGreaterThan(0);
    expect(running.scimUrl).toBe(`http://127.0.0.1:${running.port}/scim/v2`);
    const startup = lines().map((line) => JSON.parse(line)).filter((entry) => entry.message === 'listening');
    expect(startup).toEqual([expect.objectContaining({ port: running.port, scimUrl: running.scimUrl, targets: [] })]);
    expect(await get(running.port, '/healthz')).toMatchObject({ status: 200, body: '{"status":"ok"}' });
    expect(await get(running.port, '/readyz')).toMatchObject({ status: 200, body: '{"status":"ready"}' });
  });

  it('mounts module routers (admin ones behind an admin token) and runs services between open and close', async () => {
    const events: string[] = [];
    running = await startServer({ config: testConfig(), logger: capturedLogger().logger, modules: [recordingModule(events, 1)] });
    expect(events).toEqual(['start']);
    const adminToken = running.context.tokens.create('ops', 'admin');
    const scimToken = running.context.tokens.create('entra', 'scim');
    expect(await get(running.port, '/admin/ping', { authorization: `Bearer ${adminToken}` })).toMatchObject({ status: 200, body: '{"actor":"ops"}' });
    expect((await get(running.port, '/admin/ping', { authorization: `Bearer ${scimToken}` })).status).toBe(403);
    expect((await get(running.port, '/admin/ping')).status).toBe(401);
    expect(await get(running.port, '/slow')).toMatchObject({ status: 200 });
    await running.stop();
    expect(events).toEqual(['start', 'slow answered', 'stop']);
    expect(running.context.store.db.open).toBe(false);
  });

  it('on stop, finishes in-flight requests, refuses new connections, then stops services and closes the database', async () => {
    const events: string[] = [];
    const { logger, lines } = capturedLogger();
    running = await startServer({ config: testConfig(), logger, modules: [recordingModule(events)] });
    const port = running.port;
    const inFlight = get(port, '/slow');
    await new Promise((resolve) => setTimeout(resolve, 50));
    const stopped = running.stop();
    await expect(get(port, '/healthz')).rejects.toMatchObject({ code: 'ECONNREFUSED' });
    expect(await inFlight).toMatchObject({ status: 200, body: '{"done":true}' });
    await stopped;
    expect(events).toEqual(['start', 'slow answered', 'stop']);
    expect(running.context.store.db.open).toBe(false);
    expect(lines().map((line) => JSON.parse(line).message)).toEqual(expect.arrayContaining(['shutting down', 'stopped']));
  });

  it('does not wait for idle keep-alive connections to time out', async () => {
    running = await startServer({ config: testConfig(), logger: capturedLogger().logger, shutdownGraceMs: 20_000 });
    const agent = new Agent({ keepAlive: true });
    expect((await get(running.port, '/healthz', {}, agent)).status).toBe(200);
    const started = Date.now();
    await running.stop();
    expect(Date.now() - started).toBeLessThan(2000);
    agent.destroy();
  });

  it('closes the database and frees the port when a service fails to start', async () => {
    const config = testConfig();
    const stopped: string[] = [];
    const failing: ServerModule = {
      name: 'failing',
      setup: () => ({
        services: [
          { name: 'first', start: () => undefined, stop: async () => void stopped.push('first') },
          { name: 'second', start: () => Promise.reject(new Error('cannot start')), stop: async () => void stopped.push('second') },
        ],
      }),
    };
    await expect(startServer({ config, logger: capturedLogger().logger, modules: [failing] })).rejects.toThrow('cannot start');
    expect(stopped).toEqual(['first']);
    running = await startServer({ config, logger: capturedLogger().logger });
    expect((await get(running.port, '/readyz')).status).toBe(200);
  });

  it('serves a database once: a second server on it is refused, naming the first; other connections keep working', async () => {
    const config = testConfig();
    running = await startServer({ config, logger: capturedLogger().logger });
    const second = startServer({ config: { ...config, server: { ...config.server, port: 0 } }, logger: capturedLogger().logger });
    await expect(second).rejects.toThrow(DatabaseInUseError);
    await expect(second).rejects.toThrow(`database ${config.database.file} is already served by scim-bridge process ${process.pid} on ${hostname()}`);

    const cli = Store.open(config.database.file);
    try {
      expect(new Tokens(cli.db).create('entra', 'scim')).toMatch(/\S{20,}/);
    } finally {
      cli.close();
    }
    await running.stop();
    running = await startServer({ config, logger: capturedLogger().logger });
    expect((await get(running.port, '/readyz')).status).toBe(200);
  });
});
