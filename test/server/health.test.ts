import { closeSync, openSync, renameSync, truncateSync, unlinkSync, writeFileSync, writeSync } from 'node:fs';
import request from 'supertest';
import { createApp } from '../../src/app';
import { storageWatch } from '../../src/http/health';
import { Store } from '../../src/store';
import { Tokens } from '../../src/store/tokens';
import { capturedLogger, testConfig } from './support';

const USER = 'urn:ietf:params:scim:schemas:core:2.0:User';

function appWithStore(now = () => new Date()) {
  const config = testConfig();
  const store = Store.open(config.database.file, now);
  const tokens = new Tokens(store.db);
  const app = createApp({ store, tokens, logger: capturedLogger().logger, config });
  return { app, store, file: config.database.file, bearer: `Bearer ${tokens.create('idp', 'scim')}` };
}

/** Ways the file under a running bridge gets lost; each must turn readiness and writes into 503s. */
const losses: Array<[string, (file: string) => void]> = [
  ['the database, WAL and shm files are deleted', (file) => ['', '-wal', '-shm'].forEach((suffix) => unlinkSync(file + suffix))],
  ['only the WAL is deleted', (file) => unlinkSync(`${file}-wal`)],
  ['the file is replaced by another', (file) => {
    writeFileSync(`${file}.other`, '');
    renameSync(`${file}.other`, file);
  }],
  ['its first 8 KB are overwritten', (file) => {
    const fd = openSync(file, 'r+');
    writeSync(fd, Buffer.alloc(8192, 0x41), 0, 8192, 0);
    closeSync(fd);
  }],
  ['it is truncated to 0 bytes', (file) => truncateSync(file, 0)],
];

describe('health endpoints', () => {
  it('/healthz answers ok without a token and says nothing else', async () => {
    const { app, store } = appWithStore();
    const res = await request(app).get('/healthz');
    expect(res.status).toBe(200);
    expect(res.body).toEqual({ status: 'ok' });
    expect(res.headers['x-powered-by']).toBeUndefined();
    store.close();
  });

  it('/readyz is ready while the database answers, 503 once it does not', async () => {
    const { app, store } = appWithStore();
    expect((await request(app).get('/readyz')).body).toEqual({ status: 'ready' });
    store.close();
    const res = await request(app).get('/readyz');
    expect(res.status).toBe(503);
    expect(res.body).toEqual({ status: 'unavailable' });
  });

  it('ignores credentials: a bad token neither blocks nor changes the answer', async () => {
    const { app, store } = appWithStore();
    const res = await request(app).get('/readyz').set('Authorization', 'Bearer not-a-token');
    expect(res.status).toBe(200);
    expect(res.body).toEqual({ status: 'ready' });
    store.close();
  });

  it.each(losses)('when %s under the running bridge: /readyz 503 and writes 503 with Retry-After, never acknowledged', async (_label, lose) => {
    let clock = Date.parse('2026-03-01T10:00:00Z');
    const { app, store, file, bearer } = appWithStore(() => new Date(clock));
    for (let i = 0; i < 5; i++) await request(app).post('/scim/v2/Users').set('Authorization', bearer).send({ schemas: [USER], userName: `before${i}` }).expect(201);
    store.db.pragma('wal_checkpoint(TRUNCATE)'); // the rows now live in the main file, as after the checkpointer ran
    expect((await request(app).get('/readyz')).status).toBe(200);

    lose(file);
    clock += 1000; // readiness reads through SQLite's page cache to the file at most once a second

    const ready = await request(app).get('/readyz');
    expect(ready.status).toBe(503);
    expect(ready.body).toEqual({ status: 'unavailable' });
    const write = await request(app).post('/scim/v2/Users').set('Authorization', bearer).send({ schemas: [USER], userName: 'after' });
    expect(write.status).toBe(503);
    expect(write.headers['retry-after']).toBe('1');
    expect(write.body).toMatchObject({ status: '503', detail: expect.stringMatching(/database/) });
    expect(write.body.detail).not.toContain(file);
    store.close();
  });
});

describe('storageWatch', () => {
  afterEach(() => jest.useRealTimers());

  it('notices a damaged file between requests: later writes are refused, and the operator is told once', async () => {
    jest.useFakeTimers();
    const { store, file } = appWithStore();
    const { logger, lines } = capturedLogger();
    const watch = storageWatch(store, logger, 5000);
    watch.start();
    store.db.pragma('wal_checkpoint(TRUNCATE)'); // the schema now lives only in the main file
    truncateSync(file, 0);
    jest.advanceTimersByTime(15_000);
    await watch.stop();
    expect(() => store.transaction(() => store.ledger.append({ actor: 't', source: 'cli', kind: 'test' }))).toThrow(/database/);
    const lost = lines().filter((line) => line.includes('database storage lost'));
    expect(lost).toHaveLength(1);
    expect(JSON.parse(lost[0])).toMatchObject({ level: 'error', database: file });
    store.close();
  });
});
