import { Router } from 'express';
import type { Logger } from '../log';
import type { Store } from '../store';

/** Unauthenticated liveness and readiness; they say only ok or not. */
export function healthRouter(store: Store): Router {
  const router = Router();
  router.get('/healthz', (_req, res) => {
    res.json({ status: 'ok' });
  });
  // Ready means the file SQLite writes to is still the one at its path and can be read back.
  router.get('/readyz', (_req, res) => {
    if (store.storage.probe() === undefined) res.json({ status: 'ready' });
    else res.status(503).json({ status: 'unavailable' });
  });
  return router;
}

/**
 * Probes the database between requests too, so damage to the file (truncated, overwritten) stops writes
 * even when nobody asks /readyz, and tells the operator once.
 */
export function storageWatch(store: Store, logger: Logger, intervalMs = 5000) {
  let timer: NodeJS.Timeout | undefined;
  let reported = false;
  const probe = () => {
    const problem = store.storage.probe();
    if (problem === undefined || reported) return;
    reported = true;
    logger.error('database storage lost: writes are refused (503) until the bridge is restarted on a sound file', { problem, database: store.db.name });
  };
  return {
    name: 'storage-watch',
    start() {
      timer = setInterval(probe, intervalMs);
      timer.unref();
    },
    async stop() {
      clearInterval(timer);
    },
  };
}
