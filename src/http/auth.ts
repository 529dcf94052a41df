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

/** Requires `Authorization: Bearer <token>` with the given scope; sets req.actor to the token's name. */
export function requireToken(tokens: Tokens, scope: TokenScope) {
  return (req: Request, res: Response, next: NextFunction): void => {
    const match = /^Bearer\s+(\S+)\s*$/i.exec(req.header('authorization') ?? '');
    const token = match ? tokens.verify(match[1]) : undefined;
    if (!token || token.scope !== scope) {
      res
        .status(401)
        .set('WWW-Authenticate', 'Bearer realm="scim-bridge"')
        .type('application/scim+json')
        .send(scimError(401, match ? `invalid token or token lacks the '${scope}' scope` : 'missing bearer token'));
      return;
    }
    req.actor = token.name;
    next();
  };
}
