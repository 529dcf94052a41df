import { createServer, type Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import request from 'supertest';
import { startServer, type RunningServer } from '../../src/server';
import { serverModules } from '../../src/server-modules';
import { waitFor } from '../sync/harness';
import { capturedLogger, testConfig } from './support';

const CLIENT_SECRET = 'client-s3cret-for-echo-target';
const ACCESS_TOKEN = 'AccessTok-issued-at-runtime-98765';
const BEARER_TOKEN = 'static-bearer-t0ken-for-echo';

/**
 * A SCIM target that hands out an OAuth access token and then rejects every SCIM call with a 400 whose
 * detail quotes the request's Authorization header, whole and as the bare credential: the worst a
 * careless target does with a secret.
 */
function echoingTarget(): Promise<Server> {
  const server = createServer((req, res) => {
    req.resume();
    req.on('end', () => {
      if (req.url === '/token') {
        res.writeHead(200, { 'content-type': 'application/json' });
        res.end(JSON.stringify({ access_token: ACCESS_TOKEN, token_type: 'Bearer', expires_in: 3600 }));
        return;
      }
      const auth = req.headers.authorization ?? '';
      res.writeHead(400, { 'content-type': 'application/scim+json' });
      res.end(JSON.stringify({
        schemas: ['urn:ietf:params:scim:api:messages:2.0:Error'],
        status: '400',
        detail: `rejected request with Authorization: ${auth} (credential ${auth.split(' ')[1]})`,
      }));
    });
  });
  return new Promise((resolve) => server.listen(0, '127.0.0.1', () => resolve(server)));
}

describe('a target that echoes the credentials it was sent', () => {
  let target: Server;
  let running: RunningServer;
  let lines: () => string[];

  beforeAll(async () => {
    target = await echoingTarget();
    const base = `http://127.0.0.1:${(target.address() as AddressInfo).port}`;
    const captured = capturedLogger();
    lines = captured.lines;
    running = await startServer({
      logger: captured.logger,
      modules: serverModules,
      config: testConfig({
        targets: [
          { name: 'oauth', connector: 'scim', config: { baseUrl: `${base}/scim/v2`, auth: { type: 'oauth-client-credentials', tokenUrl: `${base}/token`, clientId: 'bridge', clientSecret: CLIENT_SECRET } } },
          { name: 'bearer', connector: 'scim', config: { baseUrl: `${base}/scim/v2`, auth: { type: 'bearer', token: BEARER_TOKEN } } },
        ],
      } as never),
    });
    const token = running.context.tokens.create('okta', 'scim');
    const created = await request(`http://127.0.0.1:${running.port}`)
      .post('/scim/v2/Users')
      .set('Authorization', `Bearer ${token}`)
      .send({ schemas: ['urn:ietf:params:scim:schemas:core:2.0:User'], userName: 'echo@example.com' });
    expect(created.status).toBe(201);
    const failed = running.context.store.db.prepare("SELECT count(*) AS n FROM sync_queue WHERE last_error IS NOT NULL AND state = 'dead'");
    await waitFor(() => (failed.get() as { n: number }).n === 2);
  });

  afterAll(async () => {
    await running.stop();
    await new Promise((resolve) => target.close(resolve));
  });

  const secrets = [ACCESS_TOKEN, CLIENT_SECRET, BEARER_TOKEN];

  it('keeps the fetched access token, like the configured secrets, out of the queue and the ledger', () => {
    const { db } = running.context.store;
    const errors = db.prepare('SELECT target, last_error FROM sync_queue ORDER BY target').all() as Array<{ target: string; last_error: string }>;
    expect(errors.map((row) => row.target)).toEqual(['bearer', 'oauth']);
    for (const { last_error } of errors) expect(last_error).toMatch(/rejected request with Authorization: Bearer \[redacted\] \(credential \[redacted\]\)/);
    const stored = JSON.stringify([errors, ...running.context.store.ledger.export()]);
    for (const secret of secrets) expect(stored).not.toContain(secret);
  });

  it('keeps them out of every log line', () => {
    const logged = lines().join('\n');
    expect(logged).toMatch(/delivery failed/);
    for (const secret of secrets) expect(logged).not.toContain(secret);
  });
});
