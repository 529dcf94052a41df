/**
 * sync_queue.throttled counts consecutive rate-limited attempts of a row: the engine lengthens the wait
 * while the target keeps refusing (a "Retry-After: 0" is no longer a hot loop) and writes a ledger row
 * only on the 1st, 2nd, 4th, 8th... refusal in a row, since the ledger is append-only.
 */
export const queueThrottled = {
  version: 7,
  name: 'queue-throttled',
  up: `
ALTER TABLE sync_queue ADD COLUMN throttled INTEGER NOT NULL DEFAULT 0;
`,
};
