import { classifyHttpError, type ConnectorEnv, type JsonValue, type ConnectorError } from '../sdk';
import type { AuthProvider } from './auth';
import type { ScimConfig } from './config';
import { secretsOf } from './config';

export const SCIM_CONTENT_TYPE = 'application/scim+json';
export const ERROR_SCHEMA = 'urn:ietf:params:scim:api:messages:2.0:Error';

export interface ScimErrorBody {
  status?: string | number;
  scimType?: string;
  detail?: string;
}

export interface ScimResponse<T> {
  status: number;
  body: T;
}

export interface RequestOptions {
  query?: Record<string, string | number | undefined>;
  body?: JsonValue;
  signal: AbortSignal;
  /** Statuses the caller handles itself (returned, not thrown): e.g. 404 on DELETE means "already gone". */
  accept?: readonly number[];
}

/**
 * One HTTP call to the SCIM service: auth header, timeout, JSON in and out, and every failure turned into a
 * typed connector error by the shared classifier. A 401 on a cached OAuth token is retried once with a new
 * token (tokens expire or rotate); any other retry is the engine's job, not the connector's.
 */
export class ScimClient {
  private readonly baseUrl: string;
  private readonly secrets: string[];

  constructor(private readonly config: ScimConfig, private readonly env: ConnectorEnv, private readonly auth: AuthProvider) {
    this.baseUrl = config.baseUrl.replace(/\/+$/, '');
    this.secrets = secretsOf(config);
  }

  async request<T = ScimErrorBody>(method: string, path: string, options: RequestOptions): Promise<ScimResponse<T>> {
    const signal = AbortSignal.any([options.signal, AbortSignal.timeout(this.config.timeoutMs ?? 30_000)]);
    let authorization = await this.auth.authorization(signal);
    let response = await this.send(method, path, options, authorization.header, signal);
    if (response.status === 401 && !authorization.fresh && this.auth.invalidate()) {
      authorization = await this.auth.authorization(signal);
      response = await this.send(method, path, options, authorization.header, signal);
    }
    const body = await readBody(response);
    if (response.ok || options.accept?.includes(response.status)) return { status: response.status, body: body as T };
    throw this.errorFor(response.status, body, response.headers, response.statusText);
  }

  /** The typed error for a failed response, for callers that accepted a status and then decide it is an error. */
  errorFor(status: number, body: unknown, headers?: Headers, statusText = ''): ConnectorError {
    return classifyHttpError({ status, headers, message: errorText(body, statusText), secrets: this.secrets });
  }

  private async send(method: string, path: string, options: RequestOptions, authorization: string, signal: AbortSignal): Promise<Response> {
    const url = new URL(`${this.baseUrl}${path}`);
    for (const [name, value] of Object.entries(options.query ?? {})) if (value !== undefined) url.searchParams.set(name, String(value));
    try {
      return await this.env.fetch(url, {
        method,
        headers: { authorization, accept: SCIM_CONTENT_TYPE, ...(options.body !== undefined ? { 'content-type': SCIM_CONTENT_TYPE } : {}) },
        body: options.body === undefined ? undefined : JSON.stringify(options.body),
        signal,
      });
    } catch (cause) {
      throw classifyHttpError({ cause, secrets: this.secrets, message: `${method} ${path}: ${(cause as Error).message}` });
    }
  }
}

async function readBody(response: Response): Promise<unknown> {
  const text = await response.text();
  if (!text) return undefined;
  try {
    return JSON.parse(text);
  } catch {
    return { detail: text.slice(0, 200) };
  }
}

/** The target's own words: SCIM error `detail` and `scimType` (RFC 7644 §3.12). */
function errorText(body: unknown, fallback: string): string {
  const error = (body ?? {}) as ScimErrorBody;
  const detail = error.detail ?? fallback;
  return error.scimType ? `${detail} (scimType ${error.scimType})` : detail;
}
