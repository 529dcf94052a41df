import { admin, type admin_directory_v1 } from '@googleapis/admin';
import type { JWT } from 'google-auth-library';
import type { ConnectorEnv, OpContext } from '../sdk/contract';
import { DEFAULT_ROOT_URL, type GoogleWorkspaceConfig } from './config';
import { classifyGoogleError, signingError } from './google-errors';
import { createDelegatedClient, loadServiceAccountKey, type ServiceAccountKey } from './service-account';

export type DirectoryApi = admin_directory_v1.Admin;
export interface CallOptions {
  signal: AbortSignal;
}

interface Session {
  api: DirectoryApi;
  auth: JWT;
  key: ServiceAccountKey;
}

/**
 * The one way the connector reaches the Directory API: loads the key on first use (create() does no I/O),
 * gets a delegated token, makes one SDK call and classifies any failure. The SDK's own retries are off:
 * the engine owns retries, backoff and rate limits.
 */
export class DirectoryClient {
  private session?: Promise<Session>;

  constructor(
    private readonly config: GoogleWorkspaceConfig,
    private readonly env: ConnectorEnv,
  ) {}

  async call<T>(operation: string, ctx: OpContext, run: (api: DirectoryApi, options: CallOptions) => Promise<{ data: T }>): Promise<T> {
    const session = await this.authorized(operation);
    try {
      const response = await run(session.api, { signal: ctx.signal });
      return response.data;
    } catch (error) {
      throw classifyGoogleError(error, operation, this.secretsOf(session));
    }
  }

  private async authorized(operation: string): Promise<Session> {
    const session = await this.open();
    try {
      const { token } = await session.auth.getAccessToken();
      if (token) this.env.redactor?.add(token);
      return session;
    } catch (error) {
      const isHttpFailure = typeof error === 'object' && error !== null && 'config' in error;
      throw isHttpFailure ? classifyGoogleError(error, operation, this.secretsOf(session)) : signingError();
    }
  }

  private open(): Promise<Session> {
    this.session ??= this.createSession().catch((error: unknown) => {
      this.session = undefined;
      throw error;
    });
    return this.session;
  }

  private async createSession(): Promise<Session> {
    const key = await loadServiceAccountKey(this.config);
    this.env.redactor?.add(key.private_key);
    const auth = createDelegatedClient(key, this.config.adminEmail, this.env.fetch);
    // googleapis-common pins its own google-auth-library copy; the JWT from the top-level one is the same
    // class at runtime but a different declaration to TypeScript.
    const sdkAuth = auth as unknown as admin_directory_v1.Options['auth'];
    const api = admin({ version: 'directory_v1', auth: sdkAuth, rootUrl: this.config.rootUrl ?? DEFAULT_ROOT_URL, retry: false });
    return { api, auth, key };
  }

  private secretsOf(session: Session): string[] {
    return [session.key.private_key, session.auth.credentials.access_token ?? ''].filter((secret) => secret.length > 0);
  }
}
