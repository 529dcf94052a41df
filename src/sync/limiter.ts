/**
 * A token bucket per target: `requestsPerSecond` tokens a second, bursts up to one second's worth.
 * `pauseFor` (a target's Retry-After) holds every caller until the pause ends. Without a rate the
 * bucket never runs dry, but pauses still apply.
 */
export class RateLimiter {
  private tokens: number;
  private refilledAt: number;
  private pausedUntil = 0;

  constructor(
    private readonly requestsPerSecond: number | undefined,
    private readonly monotonicNow: () => number = () => performance.now(),
  ) {
    this.tokens = this.capacity;
    this.refilledAt = monotonicNow();
  }

  private get capacity(): number {
    return Math.max(1, this.requestsPerSecond ?? 1);
  }

  pauseFor(ms: number): void {
    this.pausedUntil = Math.max(this.pausedUntil, this.monotonicNow() + ms);
  }

  /** Milliseconds left in the current pause (0 when not paused). */
  pausedFor(): number {
    return Math.max(0, this.pausedUntil - this.monotonicNow());
  }

  /** Resolves when a request may be sent; rejects with the signal's reason when aborted while waiting. */
  async acquire(signal?: AbortSignal): Promise<void> {
    for (;;) {
      signal?.throwIfAborted();
      const wait = this.tryTake();
      if (wait === 0) return;
      await sleep(wait, signal);
    }
  }

  /** Takes a token and returns 0, or returns how long to wait before trying again. */
  private tryTake(): number {
    const now = this.monotonicNow();
    if (now < this.pausedUntil) return this.pausedUntil - now;
    if (this.requestsPerSecond === undefined) return 0;
    this.tokens = Math.min(this.capacity, this.tokens + ((now - this.refilledAt) / 1000) * this.requestsPerSecond);
    this.refilledAt = now;
    if (this.tokens >= 1) {
      this.tokens -= 1;
      return 0;
    }
    return Math.ceil(((1 - this.tokens) / this.requestsPerSecond) * 1000);
  }
}

export function sleep(ms: number, signal?: AbortSignal): Promise<void> {
  return new Promise((resolve, reject) => {
    if (signal?.aborted) return reject(signal.reason);
    const onAbort = () => {
      clearTimeout(timer);
      reject(signal?.reason);
    };
    const timer = setTimeout(() => {
      signal?.removeEventListener('abort', onAbort);
      resolve();
    }, ms);
    signal?.addEventListener('abort', onAbort, { once: true });
  });
}
