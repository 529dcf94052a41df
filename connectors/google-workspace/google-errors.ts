import { classifyHttpError, ConfigError, isConnectorError, type ConnectorError } from '../sdk';

/** Google's "slow down" reasons; they arrive as 403 as well as 429. */
const RATE_LIMIT_REASONS = new Set(['userRateLimitExceeded', 'rateLimitExceeded', 'quotaExceeded']);

interface ApiErrorBody {
  error?: { code?: number; message?: string; status?: string; errors?: { reason?: string; domain?: string; message?: string }[] };
}

/** The OAuth token endpoint's dialect (RFC 6749 §5.2). */
interface OAuthErrorBody {
  error: string;
  error_description?: string;
}

interface HttpLikeError {
  response?: { status: number; headers?: Headers; data?: unknown };
  code?: string | number;
  message?: string;
}

/**
 * Turns whatever the SDK threw into a typed connector error. The SDK's own error carries the request
 * config (Authorization header, signed assertion), so it is never attached as `cause`: only the status,
 * Google's message and reason travel on, scrubbed of `secrets`.
 */
export function classifyGoogleError(error: unknown, operation: string, secrets: readonly string[]): ConnectorError {
  if (isConnectorError(error)) return error;
  const { response, code, message } = (error ?? {}) as HttpLikeError;
  if (!response) {
    const detail = code === 'AbortError' || (error as Error)?.name === 'AbortError' ? 'aborted' : String(code ?? message ?? 'no response');
    return classifyHttpError({ message: `${operation}: ${detail}`, secrets });
  }
  const { status, headers, data } = response;
  if (isOAuthError(data)) return tokenError(status, data, headers, secrets);
  const apiError = (data as ApiErrorBody | undefined)?.error;
  const reason = apiError?.errors?.[0]?.reason;
  const text = `${operation}: ${apiError?.message ?? `HTTP ${status}`}${reason ? ` (${reason})` : ''}`;
  if (status === 404 && /^Domain not found/i.test(apiError?.message ?? '')) {
    return classifyHttpError({ status: 403, message: `${text}: check customer/domain in the target config`, secrets });
  }
  return classifyHttpError({ status, headers, message: text, rateLimited: reason !== undefined && RATE_LIMIT_REASONS.has(reason), secrets });
}

function isOAuthError(data: unknown): data is OAuthErrorBody {
  return typeof (data as OAuthErrorBody | undefined)?.error === 'string';
}

/** A refused assertion is a credentials problem (key revoked, delegation or scopes missing); an outage is not. */
function tokenError(status: number, data: OAuthErrorBody, headers: Headers | undefined, secrets: readonly string[]): ConnectorError {
  const message = `token request refused: ${data.error}${data.error_description ? `: ${data.error_description}` : ''}`;
  if (status === 429 || status >= 500) return classifyHttpError({ status, headers, message, secrets });
  return new ConfigError(classifyHttpError({ status, message, secrets }).message);
}

/** Signing failures happen before any request: the key is not a usable RSA private key. */
export function signingError(): ConnectorError {
  return new ConfigError('cannot sign the token request: private_key in the service account key is not a usable RSA key');
}

