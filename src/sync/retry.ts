/** Exponential backoff with full jitter: a random wait in [0, min(max, base·2^(attempt-1))]. */
export function backoffDelay(attempt: number, backoff: { baseMs: number; maxMs: number }, random: () => number = Math.random): number {
  const ceiling = Math.min(backoff.maxMs, backoff.baseMs * 2 ** Math.max(0, attempt - 1));
  return Math.floor(random() * ceiling);
}

/** The shortest rest after a rate limit: "Retry-After: 0" or a date in the past must not become a hot loop. */
export const MIN_RATE_LIMIT_WAIT_MS = 1000;

/**
 * How long to wait after the `consecutive`-th rate limit in a row: what the target asked for, but at least
 * a floor that starts at MIN_RATE_LIMIT_WAIT_MS and doubles while the target keeps refusing (up to the
 * target's backoff maximum).
 */
export function rateLimitWait(retryAfterMs: number, consecutive: number, backoff: { maxMs: number }): number {
  const ceiling = Math.max(MIN_RATE_LIMIT_WAIT_MS, backoff.maxMs);
  const floor = Math.min(ceiling, MIN_RATE_LIMIT_WAIT_MS * 2 ** Math.max(0, consecutive - 1));
  return Math.max(retryAfterMs, floor);
}

/** Ledger rows for a run of rate limits: the 1st, 2nd, 4th, 8th... (the ledger is append-only; the queue row keeps the count). */
export function worthRecording(consecutive: number): boolean {
  return consecutive > 0 && (consecutive & (consecutive - 1)) === 0;
}
