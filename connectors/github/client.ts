import { createPrivateKey } from 'node:crypto';
import { createAppAuth } from '@octokit/auth-app';
import { Octokit } from '@octokit/rest';
import type { ConnectorEnv, OpContext } from '../sdk/contract';
import { ConfigError, NotFoundError } from '../sdk/errors';
import { DEFAULT_API_URL, DEFAULT_PAGE_SIZE, secretsOf, type GithubConfig } from './config';
import { classifyGithubError } from './github-errors';

/** What every Octokit call gets: the operation's abort signal. */
export interface CallOptions {
  request: { signal: AbortSignal };
}

/**
 * One Octokit per connector, pointed at `baseUrl`, with nothing that retries or throttles: @octokit/rest
 * ships only request-log, paginate-rest and rest-endpoint-methods (no retry or throttling plugin), so the
 * engine owns retries and rate limits. Every call goes through `call()`, which turns failures into typed
 * connector errors.
 */
export class GithubClient {
  readonly octokit: Octokit;
  readonly org: string;
  readonly pageSize: number;
  private readonly secrets: string[];
  private readonly authProblem?: string;

  constructor(readonly config: GithubConfig, env: ConnectorEnv) {
    this.org = config.org;
    this.pageSize = config.pageSize ?? DEFAULT_PAGE_SIZE;
    this.secrets = secretsOf(config);
    this.authProblem = privateKeyProblem(config);
    this.octokit = new Octokit({
      baseUrl: (config.baseUrl ?? DEFAULT_API_URL).replace(/\/+$/, ''),
      userAgent: 'scim-bridge',
      ...authOptions(config),
      request: { fetch: registeringCredentials(env) },
      // request-log passes the full request options (with the Authorization header) to log.debug: drop that.
      log: {
        debug: () => undefined,
        info: (message: string) => env.logger.debug(message),
        warn: (message: string) => env.logger.warn(message),
        error: (message: string) => env.logger.debug(message),
      },
    });
  }

  /** Runs one API call; failures become typed errors without secrets. */
  async call<T>(ctx: OpContext, work: (octokit: Octokit, options: CallOptions) => Promise<T>): Promise<T> {
    ctx.signal.throwIfAborted();
    if (this.authProblem) throw new ConfigError(this.authProblem);
    try {
      return await work(this.octokit, { request: { signal: ctx.signal } });
    } catch (error) {
      ctx.signal.throwIfAborted();
      throw classifyGithubError(error, this.secrets);
    }
  }

  /** Like call(), but a 404 means "not there": undefined. */
  async find<T>(ctx: OpContext, work: (octokit: Octokit, options: CallOptions) => Promise<T>): Promise<T | undefined> {
    try {
      return await this.call(ctx, work);
    } catch (error) {
      if (error instanceof NotFoundError) return undefined;
      throw error;
    }
  }
}

/** Registers the credentials of every request (an App's JWT and installation tokens come and go) with the bridge's redactor. */
function registeringCredentials(env: ConnectorEnv): typeof fetch {
  return (input, init) => {
    const credentials = new Headers(init?.headers).get('authorization')?.replace(/^\S+\s+/, '');
    if (credentials) env.redactor?.add(credentials);
    return fetch(input, init);
  };
}

function authOptions(config: GithubConfig) {
  if (config.auth.type === 'token') return { auth: config.auth.token };
  const { appId, privateKey, installationId } = config.auth;
  return { authStrategy: createAppAuth, auth: { appId, privateKey, installationId } };
}

/** Parsing the key is not I/O: a broken key is reported by check() and every call, never with its text. */
function privateKeyProblem(config: GithubConfig): string | undefined {
  if (config.auth.type !== 'app') return undefined;
  try {
    const key = createPrivateKey(config.auth.privateKey);
    return key.asymmetricKeyType === 'rsa' ? undefined : 'the GitHub App private key must be an RSA key';
  } catch {
    return 'the GitHub App private key is not a valid PEM private key';
  }
}
