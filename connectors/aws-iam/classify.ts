import {
  classifyHttpError,
  ConfigError,
  ConflictError,
  ConnectorError,
  headerValue,
  NotFoundError,
  parseRetryAfter,
  PermanentError,
  RateLimitedError,
  redactSecrets,
  RetryableError,
} from '../sdk';

/**
 * IAM speaks in error codes, not statuses: Throttling arrives as HTTP 400 and AccessDenied shares 403 with
 * bad credentials. The codes decide first; whatever they do not name falls through to the shared HTTP
 * classifier (status and Retry-After).
 */

/** IAM sends no Retry-After with Throttling: the engine pauses the target this long, then backs off with jitter. */
export const IAM_THROTTLE_PAUSE_MS = 1000;

// Codes as IAM sends them; iamErrorCode strips the SDK's `Exception` suffix before the lookup.
const THROTTLED = new Set(['Throttling', 'RequestLimitExceeded', 'TooManyRequests']);
const TRANSIENT = new Set([
  'ServiceFailure', 'ServiceUnavailable', 'InternalFailure', 'InternalError', 'ConcurrentModification',
  'EntityTemporarilyUnmodifiable', 'RequestTimeout', 'DeleteConflict', 'TimeoutError', 'AbortError',
]);
/** The credentials themselves are wrong: every call will fail, so the target is paused and reported unhealthy. */
const BAD_CREDENTIALS = new Set([
  'InvalidClientTokenId', 'SignatureDoesNotMatch', 'ExpiredToken', 'UnrecognizedClient', 'MissingAuthenticationToken',
  'IncompleteSignature', 'InvalidAccessKeyId', 'CredentialsProviderError', 'OptInRequired',
]);
/**
 * AccessDenied is permanent for the item, not a config error: with a path-scoped policy it means this one
 * user or group lies outside what the bridge may touch, and pausing the whole target would stall everyone.
 */
const REFUSED = new Set([
  'AccessDenied', 'LimitExceeded', 'ValidationError', 'InvalidInput', 'MalformedPolicyDocument', 'UnmodifiableEntity',
  'PasswordPolicyViolation', 'InvalidParameterValue', 'InvalidParameterCombination', 'MissingParameter', 'InvalidAction',
  'NameConflict',
]);

/** Access key ids are not secrets, but they name a credential: masked in messages all the same. */
const ACCESS_KEY_ID = /\b(AKIA|ASIA)[A-Z0-9]{16}\b/g;

interface SdkErrorShape {
  name?: string;
  message?: string;
  Code?: string;
  $metadata?: { httpStatusCode?: number };
  $response?: { headers?: Record<string, string | undefined> };
}

/** The IAM error code: modelled errors are named `<Code>Exception` (and carry Code), unmodelled ones are named by code. */
export function iamErrorCode(error: unknown): string {
  const shape = (error ?? {}) as SdkErrorShape;
  const raw = shape.Code ?? shape.name ?? 'Error';
  return raw.endsWith('Exception') ? raw.slice(0, -'Exception'.length) : raw;
}

/** Maps an SDK failure of `action` to the engine's typed errors; already-typed errors pass through. */
export function classifyIamError(error: unknown, action: string, secrets: readonly string[]): ConnectorError {
  if (error instanceof ConnectorError) return error;
  const shape = (error ?? {}) as SdkErrorShape;
  const code = iamErrorCode(error);
  const status = shape.$metadata?.httpStatusCode;
  const headers = shape.$response?.headers;
  const targetText = (shape.message ?? '').split('\n')[0].slice(0, 500).replace(ACCESS_KEY_ID, '[access key id]');
  const detail = `IAM ${action} failed: ${code}: ${targetText}`;
  const message = redactSecrets(status ? `HTTP ${status}: ${detail}` : detail, secrets);
  const options = { cause: error };

  if (THROTTLED.has(code)) {
    return new RateLimitedError(parseRetryAfter(headerValue(headers, 'retry-after')) ?? IAM_THROTTLE_PAUSE_MS, message, options);
  }
  if (code === 'NoSuchEntity') return new NotFoundError(message, options);
  if (code === 'EntityAlreadyExists') return new ConflictError(message, undefined, options);
  if (BAD_CREDENTIALS.has(code)) return new ConfigError(message, options);
  if (TRANSIENT.has(code)) return new RetryableError(message, options);
  if (REFUSED.has(code)) return new PermanentError(message, options);
  return classifyHttpError({ status, headers, message: detail, cause: error, secrets });
}
