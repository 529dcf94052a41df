import Database from 'better-sqlite3';
import { Router } from 'express';
import request from 'supertest';
import { createApp } from '../../src/app';
import { Store } from '../../src/store';
import { Tokens } from '../../src/store/tokens';
import { capturedLogger, testConfig } from './support';

const USER = 'urn:ietf:params:scim:schemas:core:2.0:User';

describe('a write lock held by another process', () => {
  const config = testConfig();
  const store = Store.open(config.database.file);
  const tokens = new Tokens(store.db);
  const bearer = `Bearer ${tokens.create('idp', 'scim')}`;
  const adminWrite = Router().post('/touch', (_req, res) => {
    store.transaction(() => store.ledger.append({ actor: 'test', source: 'admin', kind: 'test.touched' }));
    res.json({ ok: true });
  });
  const app = createApp({ store, tokens, logger: capturedLogger().logger, config, rootRouters: [adminWrite] });
  const other = new Database(config.database.file);

  beforeEach(() => other.exec('BEGIN IMMEDIATE'));
  afterEach(() => other.exec('ROLLBACK'));
  afterAll(() => {
    other.close();
    store.close();
  });

  it('answers a SCIM write 503 with Retry-After (not 500), and nothing is written', async () => {
    const res = await request(app).post('/scim/v2/Users').set('Authorization', bearer).send({ schemas: [USER], userName: 'locked.out' });
    expect(res.status).toBe(503);
    expect(res.headers['retry-after']).toBe('1');
    expect(res.body).toEqual({ schemas: ['urn:ietf:params:scim:api:messages:2.0:Error'], status: '503', detail: expect.any(String) });
    expect(store.users.list({ startIndex: 1, count: 10 }).total).toBe(0);
  });

  it('answers any other write the same way (the app-wide error handler)', async () => {
    const res = await request(app).post('/touch');
    expect(res.status).toBe(503);
    expect(res.headers['retry-after']).toBe('1');
    expect(res.body.detail).toMatch(/busy/);
  });

  it('keeps reads working: WAL readers do not wait for the writer', async () => {
    const res = await request(app).get('/scim/v2/Users').set('Authorization', bearer);
    expect(res.status).toBe(200);
    expect((await request(app).get('/readyz')).status).toBe(200);
  });
});
