import type { Request } from 'express';

/** A Host header we are willing to echo into meta.location: a name or IP literal, an optional port. */
const PLAIN_HOST = /^(?:[A-Za-z0-9._~-]+|\[[0-9A-Fa-f:.]+\])(?::\d{1,5})?$/;

/**
 * The origin (scheme://host[:port]) meta.location and Location headers start with: `server.baseUrl`
 * when configured (the public URL behind a TLS proxy), otherwise the one this request reached us at, so
 * locations are absolute URIs (RFC 7643 3.1) that a client can GET as given. A Host header that is not
 * a plain host gives relative locations rather than echoing it.
 */
export function publicOrigin(req: Request, baseUrl: string | undefined): string {
  if (baseUrl) return baseUrl.replace(/\/$/, '');
  const host = req.get('host');
  return host && PLAIN_HOST.test(host) ? `${req.protocol}://${host}` : '';
}
