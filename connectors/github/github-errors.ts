import type { ConnectorError } from '../sdk/errors';
import { classifyHttpError, headerValue, type HeaderSource } from '../sdk/http';

/**
 * GitHub's error dialect on top of the shared classifier:
 * - secondary rate limits (403 or 429, "You have exceeded a secondary rate limit") without Retry-After:
 *   GitHub says to wait at least a minute, so the wait is 60 s instead of the generic default;
 * - primary limits (`x-ratelimit-remaining: 0`) wait until `x-ratelimit-reset` (the shared classifier);
 * - 422 "Over invitation rate limit" is a daily invitation quota, not bad data: wait an hour;
 * - other 422s are validation failures: permanent, with GitHub's own words (message + errors[]).
 */

/** GitHub: "If no retry-after header is present, wait at least one minute before retrying." */
export const SECONDARY_LIMIT_WAIT_S = 60;
export const INVITATION_QUOTA_WAIT_S = 3600;

interface GithubErrorBody {
  message?: string;
  errors?: Array<string | { resource?: string; field?: string; code?: string; message?: string }>;
}

interface OctokitLikeError {
  status?: unknown;
  message?: string;
  response?: { headers?: HeaderSource; data?: unknown };
}

const SECONDARY_LIMIT = /secondary rate limit|abuse detection/i;
const INVITATION_QUOTA = /invitation rate limit/i;

export function classifyGithubError(error: unknown, secrets: readonly string[]): ConnectorError {
  const failure = error as OctokitLikeError;
  const response = failure?.response;
  // Octokit reports a request that got no response (connection refused, reset) as status 500 without one.
  const status = typeof failure?.status === 'number' && response ? failure.status : undefined;
  const body = (response?.data ?? undefined) as GithubErrorBody | string | undefined;
  const message = githubMessage(body) ?? (status === undefined ? undefined : failure?.message);
  const headers = { ...headersOf(response?.headers) };
  const text = `${message ?? ''}`;
  if (status === 422 && INVITATION_QUOTA.test(text)) headers['retry-after'] ??= String(INVITATION_QUOTA_WAIT_S);
  if ((status === 403 || status === 429) && SECONDARY_LIMIT.test(text) && headerValue(headers, 'x-ratelimit-remaining') !== '0') {
    headers['retry-after'] ??= String(SECONDARY_LIMIT_WAIT_S);
  }
  return classifyHttpError({
    status,
    headers,
    message,
    body,
    cause: error,
    secrets,
    rateLimited: status === 422 && INVITATION_QUOTA.test(text),
  });
}

/** GitHub's message plus the detail of each validation error: "Validation Failed: email is invalid". */
export function githubMessage(body: GithubErrorBody | string | undefined): string | undefined {
  if (typeof body === 'string') return body.trim() ? body.trim().slice(0, 500) : undefined;
  if (!body || typeof body.message !== 'string') return undefined;
  const details = (body.errors ?? []).map(describeValidationError).filter(Boolean);
  return details.length ? `${body.message}: ${details.join('; ')}` : body.message;
}

function describeValidationError(error: NonNullable<GithubErrorBody['errors']>[number]): string {
  if (typeof error === 'string') return error;
  if (error.message) return error.message;
  return [error.resource, error.field, error.code].filter(Boolean).join(' ');
}

function headersOf(source: HeaderSource): Record<string, string> {
  const headers: Record<string, string> = {};
  if (!source) return headers;
  const entries = typeof (source as Headers).forEach === 'function' && typeof (source as Headers).get === 'function'
    ? [...(source as Headers).entries()]
    : Object.entries(source as Record<string, string | string[] | undefined>);
  for (const [name, value] of entries) {
    if (value !== undefined) headers[name.toLowerCase()] = Array.isArray(value) ? value[0] : String(value);
  }
  return headers;
}
