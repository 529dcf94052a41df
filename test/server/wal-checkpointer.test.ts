import { statSync } from 'node:fs';
import { startServer } from '../../src/server';
import { capturedLogger, testConfig } from './support';

describe('WAL checkpoints off the request path', () => {
  it('copies committed pages into the database file from a worker, with the inline autocheckpoint only as a safety net', async () => {
    const config = testConfig();
    const running = await startServer({ config, logger: capturedLogger().logger });
    try {
      const { store } = running.context;
      expect(store.db.pragma('wal_autocheckpoint', { simple: true })).toBe(10_000);
      const sizeBefore = statSync(config.database.file).size;
      for (let batch = 0; batch < 20; batch++) {
        store.transaction(() => {
          for (let i = 0; i < 100; i++) store.ledger.append({ actor: 't', source: 'cli', kind: 'padding', after: { text: 'x'.repeat(500), batch, i } });
        });
      }
      const walPages = statSync(`${config.database.file}-wal`).size / 4096;
      // Far below the safety net, so only the worker can have moved these pages into the main file.
      expect(walPages).toBeLessThan(10_000);
      let size = sizeBefore;
      for (let waited = 0; waited < 5000 && size <= sizeBefore + 500_000; waited += 100) {
        await new Promise((resolve) => setTimeout(resolve, 100));
        size = statSync(config.database.file).size;
      }
      expect(size).toBeGreaterThan(sizeBefore + 500_000);
    } finally {
      await running.stop();
    }
  });
});
