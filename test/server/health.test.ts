import request from 'supertest';
import { createApp } from '../../src/app';
import { Store } from '../../src/store';
import { Tokens } from '../../src/store/tokens';
import { capturedLogger, testConfig } from './support';

function appWithStore() {
  const config = testConfig();
  const store = Store.open(config.database.file);
  const app = createApp({ store, tokens: new Tokens(store.db), logger: capturedLogger().logger, config });
  return { app, store };
}

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
});
