const REDACTED = '[redacted]';

/**
 * Removes every occurrence of each secret (and its URL-encoded form, which is how secrets leak through
 * query strings and form bodies) from a message. Secrets shorter than 4 characters are ignored: scrubbing
 * them would mangle ordinary words and they are not secrets worth the name.
 */
export function redactSecrets(message: string, secrets: readonly (string | undefined)[]): string {
  let out = message;
  for (const secret of secrets) {
    if (!secret || secret.length < 4) continue;
    for (const form of new Set([secret, encodeURIComponent(secret)])) out = out.split(form).join(REDACTED);
  }
  return out;
}
