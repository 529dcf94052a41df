import { Worker } from 'node:worker_threads';
import type { Logger } from './log';
import type { Service } from './server';
import type { Store } from './store';

/**
 * Moves SQLite's WAL checkpoints off the request path. By default the connection that commits the
 * 1000th WAL page copies the WAL into the database and fsyncs it, which stalls that write (and, with
 * better-sqlite3 being synchronous, the whole event loop) for several milliseconds about every hundred
 * user writes. Here a worker thread with its own connection runs a PASSIVE checkpoint every
 * `intervalMs`, which in WAL mode proceeds alongside the writers; the main connection's
 * autocheckpoint stays as a safety net at `safetyNetPages` in case the worker falls behind.
 */
export function walCheckpointer(store: Store, logger: Logger, options: { intervalMs?: number; safetyNetPages?: number } = {}): Service {
  let worker: Worker | undefined;
  return {
    name: 'wal-checkpointer',
    start() {
      const file = store.db.name;
      if (!store.db.open || file === ':memory:' || file === '') return;
      store.db.pragma(`wal_autocheckpoint = ${options.safetyNetPages ?? 10_000}`);
      worker = new Worker(WORKER_SOURCE, {
        eval: true,
        workerData: { sqlite: require.resolve('better-sqlite3'), file, intervalMs: options.intervalMs ?? 1000 },
      });
      worker.on('error', (error) => logger.error('WAL checkpointer failed; the database checkpoints inline instead', { error: String(error) }));
      worker.unref();
    },
    async stop() {
      await worker?.terminate();
      worker = undefined;
    },
  };
}

/** Plain JS so it runs the same from dist and under ts-jest; better-sqlite3 is resolved by the parent. */
const WORKER_SOURCE = `
const { workerData } = require('node:worker_threads');
const Database = require(workerData.sqlite);
const db = new Database(workerData.file);
db.pragma('busy_timeout = 1000');
setInterval(() => db.pragma('wal_checkpoint(PASSIVE)'), workerData.intervalMs);
`;
