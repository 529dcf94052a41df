const REDACTED = '[redacted]';

/**
 * Removes every occurrence of each secret (and its URL-encoded form, which is how secrets leak through
 * query strings and form bodies) from a message. Secrets shorter than 4 characters are ignored: scrubbing
 * them would mangle ordinary words and they are not secrets worth the name.
 */
export function redactSecrets(message: string, secrets: Iterable<string | undefined>): string {
  let out = message;
  for (const secret of secrets) {
    if (!secret || secret.length < 4) continue;
    for (const form of new Set([secret, encodeURIComponent(secret)])) out = out.split(form).join(REDACTED);
  }
  return out;
}

const TOKEN_CHARS = "[A-Za-z0-9\\-._~+/]+=*";
/** An auth scheme and its credentials (`Authorization: Bearer …`, `Basic …`, GitHub's `token …`). */
const SCHEME_CREDENTIAL = new RegExp(`\\b(Bearer|Basic|token)(\\s+)(${TOKEN_CHARS})`, 'gi');
/** A secret-named field in JSON, form or header text (`"access_token":"…"`, `client_secret=…`). */
const SECRET_FIELD = /(["']?\b(?:access_token|refresh_token|id_token|client_secret|password|api_key)["']?\s*[:=]\s*["']?)([^"'&\s,;}]+)/gi;

/**
 * Scrubs credentials recognisable by their shape, whoever's they are: what a target echoes back of the
 * request (its Authorization header, a token response). A value counts as a credential when it has a
 * digit or is long; words after "Bearer", "Basic" or "token" in ordinary prose ("Basic authentication
 * failed", "token endpoint") are left alone.
 */
export function scrubCredentials(text: string): string {
  return text
    .replace(SCHEME_CREDENTIAL, (match, scheme: string, space: string, value: string) =>
      looksLikeCredential(value, scheme.toLowerCase() === 'token' ? 16 : 8) ? `${scheme}${space}${REDACTED}` : match,
    )
    .replace(SECRET_FIELD, (_match, field: string) => `${field}${REDACTED}`);
}

function looksLikeCredential(value: string, minLength: number): boolean {
  return value.length >= minLength && (/\d/.test(value) || value.length >= 24);
}

/** Applies fn to every string in a JSON-like value, at any depth (up to 8 levels; deeper values are kept as they are). */
export function mapStrings(value: unknown, fn: (text: string) => string, depth = 0): unknown {
  if (typeof value === 'string') return fn(value);
  if (depth > 8 || value === null || typeof value !== 'object') return value;
  if (Array.isArray(value)) return value.map((item) => mapStrings(item, fn, depth + 1));
  return Object.fromEntries(Object.entries(value).map(([key, inner]) => [key, mapStrings(inner, fn, depth + 1)]));
}

/** Runtime secrets kept per target: enough for a token refreshed while older ones may still be quoted. */
const RUNTIME_SECRETS_KEPT = 32;

/**
 * One target's secrets: those in its config and those its connector obtained at run time (an OAuth access
 * token, an installation token, registered through ConnectorEnv.redactor). scrub() removes them, and any
 * credential-shaped text, from a message before it is logged or stored.
 */
export class SecretRedactor {
  private readonly runtime = new Set<string>();

  constructor(private readonly configured: readonly string[] = []) {}

  add(secret: string): void {
    if (!secret || this.runtime.has(secret)) return;
    this.runtime.add(secret);
    if (this.runtime.size > RUNTIME_SECRETS_KEPT) this.runtime.delete(this.runtime.values().next().value as string);
  }

  scrub(message: string): string {
    return scrubCredentials(redactSecrets(redactSecrets(message, this.configured), this.runtime));
  }
}
