import type { NextFunction, Request, Response } from 'express';
import type { Tokens, TokenScope } from '../store/tokens';

/** SCIM error body (RFC 7644 section 3.12); every error the bridge answers has this shape. */
export function scimError(status: number, detail: string, scimType?: string) {
  return {
    schemas: ['urn:ietf:params:scim:api:messages:2.0:Error'],
    status: String(status),
    ...(scimType ? { scimType } : {}),
    detail,
  };
}

/**
 * Requires `Authorization: Bearer <token>` with the given scope; sets req.actor to the token's name.
 * RFC 6750 3.1: no or an unknown token is 401 (invalid_token when one was sent); a valid token without
 * the scope is 403 insufficient_scope, so the client knows the credentials work but lack the right.
 */
export function requireToken(tokens: Tokens, scope: TokenScope) {
  return (req: Request, res: Response, next: NextFunction): void => {
    const match = /^Bearer\s+(\S+)\s*$/i.exec(req.header('authorization') ?? '');
    const token = match ? tokens.verify(match[1]) : undefined;
    if (!token) {
      const challenge = match ? 'Bearer realm="scim-bridge", error="invalid_token"' : 'Bearer realm="scim-bridge"';
      refuse(res, 401, challenge, match ? 'invalid or revoked bearer token' : 'missing bearer token');
      return;
    }
    if (token.scope !== scope) {
      refuse(res, 403, `Bearer realm="scim-bridge", error="insufficient_scope", scope="${scope}"`, `this token lacks the '${scope}' scope`);
      return;
    }
    req.actor = token.name;
    next();
  };
}

function refuse(res: Response, status: 401 | 403, challenge: string, detail: string): void {
  res.status(status).set('WWW-Authenticate', challenge).type('application/scim+json').send(scimError(status, detail));
}
