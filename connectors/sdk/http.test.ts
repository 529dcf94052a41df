import {
  ConfigError,
  ConflictError,
  NotFoundError,
  PermanentError,
  RateLimitedError,
  RetryableError,
} from './errors';
import { classifyHttpError, DEFAULT_RATE_LIMIT_BACKOFF_MS, headerValue, parseRetryAfter } from './http';

describe('parseRetryAfter', () => {
  const now = Date.parse('2026-11-23T01:00:00Z');

  it.each([
    ['3', 3000],
    ['0', 0],
    [' 120 ', 120_000],
    ['1.5', 1500],
  ])('reads delta-seconds %j as %d ms', (value, expected) => {
    expect(parseRetryAfter(value, now)).toBe(expected);
  });

  it('reads an HTTP-date (IMF-fixdate) as the time left until then', () => {
    expect(parseRetryAfter('Mon, 23 Nov 2026 01:00:30 GMT', now)).toBe(30_000);
  });

  it('reads the obsolete RFC 850 date form too', () => {
    expect(parseRetryAfter('Monday, 23-Nov-26 01:01:00 GMT', now)).toBe(60_000);
  });

  it('treats a date in the past as "now"', () => {
    expect(parseRetryAfter('Mon, 23 Nov 2026 00:59:00 GMT', now)).toBe(0);
  });

  it.each([[undefined], [null], [''], ['soon'], ['-5']])('gives undefined for %j', (value) => {
    expect(parseRetryAfter(value, now)).toBeUndefined();
  });
});

describe('classifyHttpError', () => {
  it('turns 429 with Retry-After seconds into RateLimitedError of that many ms', () => {
    const error = classifyHttpError({ status: 429, headers: new Headers({ 'Retry-After': '3' }), message: 'slow down' });
    expect(error).toBeInstanceOf(RateLimitedError);
    expect((error as RateLimitedError).retryAfterMs).toBe(3000);
    expect(error.message).toBe('HTTP 429: slow down');
  });

  it('reads Retry-After from a plain header record, whatever its case', () => {
    const error = classifyHttpError({ status: 429, headers: { 'retry-after': '7' } });
    expect((error as RateLimitedError).retryAfterMs).toBe(7000);
    expect(headerValue({ 'RETRY-AFTER': ['9', '10'] }, 'retry-after')).toBe('9');
  });

  it('reads an HTTP-date Retry-After on a 429', () => {
    const inTenSeconds = new Date(Date.now() + 10_000).toUTCString();
    const error = classifyHttpError({ status: 429, headers: { 'Retry-After': inTenSeconds } }) as RateLimitedError;
    expect(error.retryAfterMs).toBeGreaterThan(8_000);
    expect(error.retryAfterMs).toBeLessThanOrEqual(10_000);
  });

  it('uses the default backoff for a 429 without Retry-After', () => {
    expect((classifyHttpError({ status: 429 }) as RateLimitedError).retryAfterMs).toBe(DEFAULT_RATE_LIMIT_BACKOFF_MS);
  });

  it('makes a 503 with Retry-After a rate limit, and without it a retryable error', () => {
    expect(classifyHttpError({ status: 503, headers: { 'Retry-After': '5' } })).toMatchObject({ constructor: RateLimitedError, retryAfterMs: 5000 });
    expect(classifyHttpError({ status: 503 })).toBeInstanceOf(RetryableError);
  });

  it.each([408, 500, 502, 504, 599])('treats %d as retryable', (status) => {
    expect(classifyHttpError({ status })).toBeInstanceOf(RetryableError);
  });

  it('treats a failure without a response (network error) as retryable, naming the cause', () => {
    const cause = Object.assign(new TypeError('fetch failed'), { cause: { code: 'ECONNREFUSED' } });
    const error = classifyHttpError({ cause });
    expect(error).toBeInstanceOf(RetryableError);
    expect(error.message).toBe('request failed: fetch failed (ECONNREFUSED)');
    expect(error.cause).toBe(cause);
    const described = classifyHttpError({ cause, message: 'GET /Users: fetch failed' });
    expect(described.message).toBe('request failed: GET /Users: fetch failed (ECONNREFUSED)');
  });

  it('treats 401, and 403 unless the connector recognised a rate limit, as configuration errors', () => {
    expect(classifyHttpError({ status: 401 })).toBeInstanceOf(ConfigError);
    expect(classifyHttpError({ status: 403, message: 'missing scope admin.directory.user' })).toBeInstanceOf(ConfigError);
    const limited = classifyHttpError({ status: 403, message: 'secondary rate limit', rateLimited: true, headers: { 'retry-after': '60' } });
    expect(limited).toMatchObject({ constructor: RateLimitedError, retryAfterMs: 60_000 });
  });

  it('recognises a 403 that says "rate limit" in its message or body (GitHub secondary limit, Google quota)', () => {
    const github = classifyHttpError({ status: 403, message: 'You have exceeded a secondary rate limit. Please wait a few minutes.' });
    expect(github).toMatchObject({ constructor: RateLimitedError, retryAfterMs: DEFAULT_RATE_LIMIT_BACKOFF_MS });
    const google = classifyHttpError({ status: 403, message: 'Forbidden', body: { error: { errors: [{ reason: 'userRateLimitExceeded' }] } } });
    expect(google).toBeInstanceOf(RateLimitedError);
    expect(google.message).toBe('HTTP 403: Forbidden');
    expect(classifyHttpError({ status: 403, body: '{"reason":"quotaExceeded"}' })).toBeInstanceOf(RateLimitedError);
    expect(classifyHttpError({ status: 403, message: 'Not Authorized to access this resource', body: { reason: 'forbidden' } })).toBeInstanceOf(ConfigError);
  });

  it('waits until x-ratelimit-reset when x-ratelimit-remaining is 0 (exhausted primary quota)', () => {
    const reset = Math.floor(Date.now() / 1000) + 120;
    const error = classifyHttpError({ status: 403, headers: { 'x-ratelimit-remaining': '0', 'x-ratelimit-reset': String(reset) } });
    expect(error).toBeInstanceOf(RateLimitedError);
    expect((error as RateLimitedError).retryAfterMs).toBeGreaterThan(118_000);
    expect((error as RateLimitedError).retryAfterMs).toBeLessThanOrEqual(120_000);
    const remaining = classifyHttpError({ status: 403, headers: { 'x-ratelimit-remaining': '12', 'x-ratelimit-reset': String(reset) } });
    expect(remaining).toBeInstanceOf(ConfigError);
  });

  it('maps 404 and 410 to NotFoundError, 409 to ConflictError, other 4xx to PermanentError', () => {
    expect(classifyHttpError({ status: 404 })).toBeInstanceOf(NotFoundError);
    expect(classifyHttpError({ status: 410 })).toBeInstanceOf(NotFoundError);
    expect(classifyHttpError({ status: 409 })).toBeInstanceOf(ConflictError);
    for (const status of [400, 405, 413, 422]) expect(classifyHttpError({ status })).toBeInstanceOf(PermanentError);
  });

  it('marks retryable kinds for the engine', () => {
    expect(classifyHttpError({ status: 429 }).retryable).toBe(true);
    expect(classifyHttpError({ status: 502 }).retryable).toBe(true);
    expect(classifyHttpError({ status: 400 }).retryable).toBe(false);
    expect(classifyHttpError({ status: 400 }).kind).toBe('permanent');
  });

  it('removes configured secrets from the message, also URL-encoded', () => {
    const secret = 'p@ss/word+123';
    const error = classifyHttpError({
      status: 400,
      message: `bad request for client_secret=${encodeURIComponent(secret)} and token ${secret}`,
      secrets: [secret],
    });
    expect(error.message).toBe('HTTP 400: bad request for client_secret=[redacted] and token [redacted]');
  });
});
