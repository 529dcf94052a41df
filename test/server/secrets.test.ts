import { existsSync, readFileSync } from 'node:fs';
import request from 'supertest';
import { startServer, type RunningServer } from '../../src/server';
import { serverModules } from '../../src/server-modules';
import { capturedLogger, testConfig } from './support';

const PASSWORDS = ['Initial-Pa55word!x', 'Okta-Sync-Pa55word!y', 'Put-Pa55word!z', 'Invalid-Pa55word!w', 'Bulk-Pa55word!v'];
const TARGET_SECRET = 'memory-target-s3cret-credential';
const WRONG_TOKEN = 'sb_not-a-real-token-but-still-secret';
const USER_SCHEMA = 'urn:ietf:params:scim:schemas:core:2.0:User';
const PATCH_SCHEMA = 'urn:ietf:params:scim:api:messages:2.0:PatchOp';

describe('secrets never reach logs, the ledger or the database', () => {
  let running: RunningServer;
  let lines: () => string[];
  let token: string;

  beforeAll(async () => {
    const captured = capturedLogger();
    lines = captured.lines;
    const config = testConfig({
      targets: [{ name: 'mirror', connector: 'memory', config: { directory: 'secrets-test', token: TARGET_SECRET } }],
    });
    running = await startServer({ config, logger: captured.logger, modules: serverModules });
    token = running.context.tokens.create('okta', 'scim');
    await driveTraffic(`http://127.0.0.1:${running.port}`, token);
  });

  afterAll(async () => {
    await running.stop();
  });

  async function driveTraffic(url: string, bearer: string): Promise<void> {
    const auth = { Authorization: `Bearer ${bearer}` };
    const created = await request(url).post('/scim/v2/Users').set(auth).send({ schemas: [USER_SCHEMA], userName: 'pat@example.com', password: PASSWORDS[0], active: true });
    expect(created.status).toBe(201);
    const id = created.body.id as string;
    const patched = await request(url).patch(`/scim/v2/Users/${id}`).set(auth).send({
      schemas: [PATCH_SCHEMA], Operations: [{ op: 'replace', path: 'password', value: PASSWORDS[1] }],
    });
    expect(patched.status).toBeLessThan(300);
    const put = await request(url).put(`/scim/v2/Users/${id}`).set(auth).send({ schemas: [USER_SCHEMA], userName: 'pat@example.com', password: PASSWORDS[2], active: false });
    expect(put.status).toBe(200);
    const invalid = await request(url).post('/scim/v2/Users').set(auth).send({ schemas: [USER_SCHEMA], userName: 42, password: PASSWORDS[3] });
    expect(invalid.status).toBe(400);
    expect(JSON.stringify(invalid.body)).not.toContain(PASSWORDS[3]);
    const bulk = await request(url).post('/scim/v2/Bulk').set(auth).send({
      schemas: ['urn:ietf:params:scim:api:messages:2.0:BulkRequest'],
      Operations: [{ method: 'POST', path: '/Users', bulkId: 'b1', data: { schemas: [USER_SCHEMA], userName: 'bulk@example.com', password: PASSWORDS[4] } }],
    });
    expect(bulk.status).toBe(200);
    expect((await request(url).get('/scim/v2/Users').set({ Authorization: `Bearer ${WRONG_TOKEN}` })).status).toBe(401);
    await waitForDeliveries();
  }

  /** Lets the sync engine deliver to the memory target, so its log lines are part of what is checked. */
  async function waitForDeliveries(): Promise<void> {
    for (let waited = 0; waited < 5000 && running.context.store.queue.list({ state: 'pending' }).length > 0; waited += 50) {
      await new Promise((resolve) => setTimeout(resolve, 50));
    }
  }

  const secrets = () => [...PASSWORDS, TARGET_SECRET, WRONG_TOKEN, token, token.slice(3)];

  it('logged the traffic, with request ids, but no token, password or credential', () => {
    const logged = lines().join('\n');
    expect(lines().filter((line) => JSON.parse(line).message === 'request').length).toBeGreaterThanOrEqual(6);
    expect(lines().every((line) => JSON.parse(line).message !== 'request' || typeof JSON.parse(line).requestId === 'string')).toBe(true);
    for (const secret of secrets()) expect(logged).not.toContain(secret);
    expect(logged).not.toMatch(/Bearer sb_/);
  });

  it('recorded the changes in the ledger without any password', () => {
    const rows = [...running.context.store.ledger.export()];
    expect(rows.some((row) => row.kind === 'user.created')).toBe(true);
    const ledger = JSON.stringify(rows);
    for (const secret of secrets()) expect(ledger).not.toContain(secret);
  });

  it('stored no password or plaintext token in the database file', () => {
    running.context.store.db.pragma('wal_checkpoint(TRUNCATE)');
    const file = running.context.config.database.file;
    for (const part of [file, `${file}-wal`].filter((candidate) => existsSync(candidate))) {
      const bytes = readFileSync(part);
      for (const secret of [...PASSWORDS, token.slice(3)]) expect(bytes.includes(Buffer.from(secret))).toBe(false);
    }
  });
});
