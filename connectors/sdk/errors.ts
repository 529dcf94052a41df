/**
 * Typed connector errors. The engine decides what to do from `kind`, never from a message.
 * Messages must never contain secrets (tokens, keys, passwords): build them from the target's
 * error text and status, not from request headers or bodies.
 */
export type ConnectorErrorKind = 'retryable' | 'rate-limited' | 'permanent' | 'config' | 'not-found' | 'conflict';

export abstract class ConnectorError extends Error {
  abstract readonly kind: ConnectorErrorKind;
  abstract readonly retryable: boolean;

  constructor(message: string, options?: { cause?: unknown }) {
    super(message, options);
    this.name = new.target.name;
  }
}

/** A transient failure (5xx, network reset, timeout): the engine backs off with jitter and tries again. */
export class RetryableError extends ConnectorError {
  readonly kind = 'retryable' as const;
  readonly retryable = true;
}

/** The target asked us to slow down: the engine pauses this target's limiter for `retryAfterMs`. */
export class RateLimitedError extends ConnectorError {
  readonly kind = 'rate-limited' as const;
  readonly retryable = true;

  constructor(readonly retryAfterMs: number, message = `rate limited, retry after ${retryAfterMs} ms`, options?: { cause?: unknown }) {
    super(message, options);
  }
}

/** The target refused the data itself (validation, policy): retrying will not help; the item is dead-lettered. */
export class PermanentError extends ConnectorError {
  readonly kind = 'permanent' as const;
  readonly retryable = false;
}

/** Bad credentials, missing scope or permission: the target is paused and reported unhealthy. */
export class ConfigError extends ConnectorError {
  readonly kind = 'config' as const;
  readonly retryable = false;
}

/** Which remote object a NotFoundError is about, when an operation names two (addMember: group and user). */
export type NotFoundSubject = 'user' | 'group';

/** The remote object does not exist: a delete or removal already happened; an update must re-correlate. */
export class NotFoundError extends ConnectorError {
  readonly kind = 'not-found' as const;
  readonly retryable = false;
  /** Set it when the target says which object is gone; undefined means "not known" (never guessed). */
  readonly subject?: NotFoundSubject;

  constructor(message: string, options?: { cause?: unknown; subject?: NotFoundSubject }) {
    super(message, options);
    this.subject = options?.subject;
  }
}

/** The remote object already exists: the engine links `existing` and updates it instead of creating. */
export class ConflictError<T = unknown> extends ConnectorError {
  readonly kind = 'conflict' as const;
  readonly retryable = false;

  constructor(message: string, readonly existing?: T, options?: { cause?: unknown }) {
    super(message, options);
  }
}

export function isConnectorError(error: unknown): error is ConnectorError {
  return error instanceof ConnectorError;
}
