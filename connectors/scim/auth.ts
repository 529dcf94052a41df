import { ConfigError, classifyHttpError, redactSecrets, type ConnectorEnv } from '../sdk';
import type { ScimConfig, ClientCredentialsAuth } from './config';

/** Produces the Authorization header; `fresh` says whether it was just obtained (a 401 on a fresh token is final). */
export interface AuthProvider {
  authorization(signal: AbortSignal): Promise<{ header: string; fresh: boolean }>;
  /** Forget a cached token after a 401; true when asking again may help. */
  invalidate(): boolean;
}

export function createAuth(config: ScimConfig, env: ConnectorEnv): AuthProvider {
  const auth = config.auth;
  if (auth.type === 'bearer') {
    return { authorization: async () => ({ header: `Bearer ${auth.token}`, fresh: true }), invalidate: () => false };
  }
  return new ClientCredentialsProvider(auth, env);
}

/** Refresh this long before the server's expiry, so a token never dies in flight. */
const EXPIRY_MARGIN_MS = 60_000;

class ClientCredentialsProvider implements AuthProvider {
  private cached?: { header: string; expiresAt: number };
  /** Concurrent operations that find no valid token share one token request instead of each making their own. */
  private pending?: Promise<{ header: string; expiresAt: number }>;

  constructor(private readonly auth: ClientCredentialsAuth, private readonly env: ConnectorEnv) {}

  async authorization(signal: AbortSignal): Promise<{ header: string; fresh: boolean }> {
    if (this.cached && this.cached.expiresAt > this.env.now().getTime()) return { header: this.cached.header, fresh: false };
    this.pending ??= this.requestToken(signal).finally(() => (this.pending = undefined));
    this.cached = await this.pending;
    return { header: this.cached.header, fresh: true };
  }

  invalidate(): boolean {
    const hadToken = this.cached !== undefined;
    this.cached = undefined;
    return hadToken;
  }

  /** RFC 6749 §4.4.2, client authentication with HTTP Basic (§2.3.1: servers must support it). */
  private async requestToken(signal: AbortSignal): Promise<{ header: string; expiresAt: number }> {
    const { tokenUrl, clientId, clientSecret, scope } = this.auth;
    const basic = Buffer.from(`${encodeURIComponent(clientId)}:${encodeURIComponent(clientSecret)}`).toString('base64');
    const form = new URLSearchParams({ grant_type: 'client_credentials', ...(scope ? { scope } : {}) });
    const secrets = [clientSecret, basic];
    let response: Response;
    try {
      response = await this.env.fetch(tokenUrl, {
        method: 'POST',
        headers: { authorization: `Basic ${basic}`, 'content-type': 'application/x-www-form-urlencoded', accept: 'application/json' },
        body: form,
        signal,
      });
    } catch (cause) {
      throw classifyHttpError({ cause, secrets, message: `token endpoint unreachable: ${(cause as Error).message}` });
    }
    const body = (await response.json().catch(() => ({}))) as { access_token?: string; expires_in?: number; error?: string; error_description?: string };
    if (!response.ok) throw tokenError(response, body, secrets);
    if (!body.access_token) throw new ConfigError('token endpoint answered without an access_token');
    this.env.redactor?.add(body.access_token);
    const lifetimeMs = (body.expires_in ?? 3600) * 1000;
    return { header: `Bearer ${body.access_token}`, expiresAt: this.env.now().getTime() + Math.max(0, lifetimeMs - EXPIRY_MARGIN_MS) };
  }
}

/** invalid_client, invalid_scope, unauthorized_client are operator problems: ConfigError, not dead letters. */
function tokenError(response: Response, body: { error?: string; error_description?: string }, secrets: string[]) {
  const message = `token endpoint: ${[body.error, body.error_description].filter(Boolean).join(': ') || response.statusText}`;
  if (response.status === 400 || response.status === 401 || response.status === 403) {
    return new ConfigError(redactSecrets(`HTTP ${response.status}: ${message}`, secrets));
  }
  return classifyHttpError({ status: response.status, headers: response.headers, message, secrets });
}
