import {
  ConfigError,
  ConflictError,
  type ConnectorError,
  NotFoundError,
  PermanentError,
  RateLimitedError,
  RetryableError,
} from './errors';
import { redactSecrets } from './redact';

/**
 * The one place that turns an HTTP failure into a typed connector error, so every connector treats
 * status codes and Retry-After the same way. A 403 counts as a rate limit when it carries Retry-After,
 * `x-ratelimit-remaining: 0`, or rate-limit wording in its message or body (GitHub's secondary limit,
 * Google's userRateLimitExceeded); connectors that know their target's dialect better (IAM's 400
 * Throttling) pass `rateLimited: true` instead of re-implementing the rules.
 */

/** Used when a target says "slow down" without saying for how long. */
export const DEFAULT_RATE_LIMIT_BACKOFF_MS = 30_000;

export type HeaderSource = Headers | Record<string, string | string[] | undefined> | undefined;

export interface HttpFailure {
  /** Undefined when no response arrived (DNS, connection reset, timeout): always retryable. */
  status?: number;
  headers?: HeaderSource;
  /** The target's own error text (never request headers or bodies). */
  message?: string;
  cause?: unknown;
  /** The connector recognised a rate limit in the body (e.g. a 403 that means "slow down"). */
  rateLimited?: boolean;
  /** The raw error body (text or parsed JSON): scanned for rate-limit wording on a 403, never copied into the message. */
  body?: unknown;
  /** Strings to scrub from the message: tokens, client secrets, keys. */
  secrets?: readonly string[];
}

const RETRYABLE_STATUSES = new Set([408, 500, 502, 503, 504]);

export function classifyHttpError(failure: HttpFailure): ConnectorError {
  const { status, cause } = failure;
  const message = describe(failure);
  if (status === undefined) return new RetryableError(message, { cause });
  const retryAfterMs = parseRetryAfter(headerValue(failure.headers, 'retry-after')) ?? rateLimitResetMs(failure.headers);
  if (status === 429 || failure.rateLimited || (status === 403 && saysRateLimited(failure, retryAfterMs))) {
    return new RateLimitedError(retryAfterMs ?? DEFAULT_RATE_LIMIT_BACKOFF_MS, message, { cause });
  }
  if (status === 503 && retryAfterMs !== undefined) return new RateLimitedError(retryAfterMs, message, { cause });
  if (RETRYABLE_STATUSES.has(status) || status >= 500) return new RetryableError(message, { cause });
  if (status === 401 || status === 403) return new ConfigError(message, { cause });
  if (status === 404 || status === 410) return new NotFoundError(message, { cause });
  if (status === 409) return new ConflictError(message, undefined, { cause });
  return new PermanentError(message, { cause });
}

/**
 * Retry-After as milliseconds from now: delta-seconds (`120`) or an HTTP-date
 * (`Wed, 21 Oct 2015 07:28:00 GMT`, RFC 9110 §10.2.3). A date in the past gives 0; garbage gives undefined.
 */
export function parseRetryAfter(value: string | undefined | null, now: number = Date.now()): number | undefined {
  const text = value?.trim();
  if (!text) return undefined;
  if (/^\d+(\.\d+)?$/.test(text)) return Math.round(Number(text) * 1000);
  if (!/[a-z]/i.test(text)) return undefined; // an HTTP-date always names a day and month; "-5" is garbage
  const at = Date.parse(text);
  if (Number.isNaN(at)) return undefined;
  return Math.max(0, at - now);
}

/** Wording real APIs use in 403 bodies that mean "slow down" (GitHub secondary limits, Google quota errors). */
const RATE_LIMIT_WORDING = /rate[ _-]?limit|too many requests|quota ?exceeded|abuse detection/i;

function saysRateLimited(failure: HttpFailure, retryAfterMs: number | undefined): boolean {
  if (retryAfterMs !== undefined) return true;
  const body = typeof failure.body === 'string' ? failure.body : JSON.stringify(failure.body ?? '');
  return RATE_LIMIT_WORDING.test(`${failure.message ?? ''} ${body}`);
}

/**
 * `x-ratelimit-remaining: 0` with `x-ratelimit-reset` (epoch seconds) is how GitHub and others announce an
 * exhausted primary quota: wait until the reset.
 */
function rateLimitResetMs(headers: HeaderSource, now: number = Date.now()): number | undefined {
  if (headerValue(headers, 'x-ratelimit-remaining') !== '0') return undefined;
  const reset = Number(headerValue(headers, 'x-ratelimit-reset'));
  return Number.isFinite(reset) && reset > 0 ? Math.max(0, reset * 1000 - now) : undefined;
}

export function headerValue(headers: HeaderSource, name: string): string | undefined {
  if (!headers) return undefined;
  if (typeof (headers as Headers).get === 'function') return (headers as Headers).get(name) ?? undefined;
  const wanted = name.toLowerCase();
  for (const [key, value] of Object.entries(headers as Record<string, string | string[] | undefined>)) {
    if (key.toLowerCase() === wanted) return Array.isArray(value) ? value[0] : value;
  }
  return undefined;
}

function describe({ status, message, cause, secrets = [] }: HttpFailure): string {
  const detail = status === undefined ? networkDetail(message, cause) : message?.trim();
  const prefix = status === undefined ? 'request failed' : `HTTP ${status}`;
  return redactSecrets(detail ? `${prefix}: ${detail}` : prefix, secrets);
}

/** The network error's code (ECONNREFUSED, ETIMEDOUT) is the useful part, also under a connector's own message. */
function networkDetail(message: string | undefined, cause: unknown): string {
  const detail = message?.trim() || (cause instanceof Error ? cause.message : '');
  const code = causeCode(cause);
  return code && !detail.includes(code) ? `${detail} (${code})`.trim() : detail;
}

function causeCode(cause: unknown): string {
  const inner = cause instanceof Error ? (cause as { cause?: unknown }).cause : undefined;
  return inner && typeof inner === 'object' && 'code' in inner ? String((inner as { code: unknown }).code) : '';
}
