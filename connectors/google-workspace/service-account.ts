import { readFile } from 'node:fs/promises';
import { JWT } from 'google-auth-library';
import { ConfigError } from '../sdk/errors';
import { DIRECTORY_SCOPES, type GoogleWorkspaceConfig } from './config';

/** The token endpoint google-auth-library always calls; `token_uri` from the key replaces it. */
export const GOOGLE_TOKEN_URL = 'https://oauth2.googleapis.com/token';

/** The fields of a service-account JSON key the connector uses. */
export interface ServiceAccountKey {
  client_email: string;
  private_key: string;
  private_key_id?: string;
  token_uri?: string;
}

/**
 * Parses the key without ever echoing it: JSON.parse messages quote the input, so neither the message
 * nor the cause of a parse failure leaves this function.
 */
export function parseServiceAccountKey(json: string, source: string): ServiceAccountKey {
  let parsed: unknown;
  try {
    parsed = JSON.parse(json);
  } catch {
    throw new ConfigError(`${source} is not valid JSON (expected the service account's JSON key)`);
  }
  const key = parsed as Partial<ServiceAccountKey> | null;
  if (typeof key?.client_email !== 'string' || typeof key.private_key !== 'string') {
    throw new ConfigError(`${source} lacks client_email or private_key (expected the service account's JSON key)`);
  }
  if (key.token_uri !== undefined && !isAllowedTokenUri(key.token_uri)) {
    throw new ConfigError(`${source} has a token_uri that is neither https nor loopback`);
  }
  return { client_email: key.client_email, private_key: key.private_key, private_key_id: key.private_key_id, token_uri: key.token_uri };
}

/** A signed assertion must only travel over TLS, or stay on this machine (the test fake). */
function isAllowedTokenUri(uri: string): boolean {
  try {
    const url = new URL(uri);
    return url.protocol === 'https:' || (url.protocol === 'http:' && ['127.0.0.1', 'localhost', '[::1]'].includes(url.hostname));
  } catch {
    return false;
  }
}

export async function loadServiceAccountKey(config: GoogleWorkspaceConfig): Promise<ServiceAccountKey> {
  if (config.serviceAccountKey !== undefined) return parseServiceAccountKey(config.serviceAccountKey, 'serviceAccountKey');
  const file = config.serviceAccountKeyFile ?? '';
  let json: string;
  try {
    json = await readFile(file, 'utf8');
  } catch (error) {
    throw new ConfigError(`cannot read serviceAccountKeyFile ${file} (${(error as NodeJS.ErrnoException).code ?? 'unreadable'})`);
  }
  return parseServiceAccountKey(json, `serviceAccountKeyFile ${file}`);
}

/**
 * A JWT client for domain-wide delegation: the service account signs an assertion with `sub` = the admin
 * and the three Directory scopes, and exchanges it at the key's `token_uri`. google-auth-library always
 * posts to Google's well-known token URL and retries that POST itself; the interceptor sends it to
 * `token_uri` (the loopback fake in tests) and turns the library's retries off, since the engine owns them.
 */
export function createDelegatedClient(key: ServiceAccountKey, adminEmail: string, fetchImplementation: typeof fetch): JWT {
  const client = new JWT({
    email: key.client_email,
    key: key.private_key,
    keyId: key.private_key_id,
    subject: adminEmail,
    scopes: [...DIRECTORY_SCOPES],
    transporterOptions: { fetchImplementation },
  });
  const tokenUrl = new URL(key.token_uri ?? GOOGLE_TOKEN_URL);
  client.transporter.interceptors.request.add({
    resolved: async (options) => {
      if (String(options.url) !== GOOGLE_TOKEN_URL) return options;
      options.url = tokenUrl;
      options.retryConfig = { ...options.retryConfig, retry: 0 };
      return options;
    },
  });
  return client;
}
