import { RateLimiter } from '../../src/sync/limiter';
import { backoffDelay, MIN_RATE_LIMIT_WAIT_MS, rateLimitWait, worthRecording } from '../../src/sync/retry';

describe('token bucket', () => {
  it('allows a burst of one second\'s worth, then spaces calls at the configured rate', async () => {
    const limiter = new RateLimiter(20);
    const started = performance.now();
    for (let call = 0; call < 30; call++) await limiter.acquire();
    // 20 from the full bucket, the other 10 at 20 per second: at least ~500 ms.
    expect(performance.now() - started).toBeGreaterThanOrEqual(450);
  });

  it('holds every caller during a pause (Retry-After), also without a rate', async () => {
    let now = 0;
    const limiter = new RateLimiter(undefined, () => now);
    limiter.pauseFor(3000);
    expect(limiter.pausedFor()).toBe(3000);
    now = 2500;
    expect(limiter.pausedFor()).toBe(500);
    now = 3000;
    expect(limiter.pausedFor()).toBe(0);
    await expect(limiter.acquire()).resolves.toBeUndefined();
  });

  it('stops waiting when the engine aborts', async () => {
    const limiter = new RateLimiter(1);
    await limiter.acquire();
    const abort = new AbortController();
    const waiting = limiter.acquire(abort.signal);
    abort.abort(new Error('stopping'));
    await expect(waiting).rejects.toThrow('stopping');
  });
});

describe('backoff', () => {
  const backoff = { baseMs: 100, maxMs: 1000 };
  it('grows exponentially up to the cap, with full jitter below it', () => {
    const top = (attempt: number) => backoffDelay(attempt, backoff, () => 0.9999);
    expect([1, 2, 3, 4, 5, 6].map(top)).toEqual([99, 199, 399, 799, 999, 999]);
    expect(backoffDelay(3, backoff, () => 0)).toBe(0);
    expect(backoffDelay(3, backoff, () => 0.5)).toBe(200);
  });
});

describe('waits after a rate limit', () => {
  it('never shorter than a second, doubling while the target keeps refusing, up to the backoff maximum', () => {
    const backoff = { maxMs: 300_000 };
    expect(rateLimitWait(0, 1, backoff)).toBe(MIN_RATE_LIMIT_WAIT_MS);
    expect([2, 3, 4].map((consecutive) => rateLimitWait(0, consecutive, backoff))).toEqual([2000, 4000, 8000]);
    expect(rateLimitWait(0, 40, backoff)).toBe(300_000);
    expect(rateLimitWait(0, 40, { maxMs: 20 })).toBe(MIN_RATE_LIMIT_WAIT_MS);
    expect(rateLimitWait(45_000, 2, backoff)).toBe(45_000); // what the target asked for, when longer
  });

  it('records the 1st, 2nd, 4th, 8th... refusal in a row', () => {
    expect([1, 2, 3, 4, 5, 6, 7, 8, 9, 16].filter(worthRecording)).toEqual([1, 2, 4, 8, 16]);
  });
});
