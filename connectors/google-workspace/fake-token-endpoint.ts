import { verify, type KeyObject } from 'node:crypto';

/** Audiences Google's token endpoint accepts in an assertion. */
const TOKEN_AUDIENCES = ['https://oauth2.googleapis.com/token', 'https://accounts.google.com/o/oauth2/token'];
const CLOCK_SKEW_S = 300;

export interface AssertionExpectations {
  publicKey: KeyObject;
  clientEmail: string;
  /** Accounts that exist in the fake domain and may be impersonated. */
  knownSubjects: ReadonlySet<string>;
  /** The scopes the Admin console's domain-wide delegation entry lists for this client. */
  delegatedScopes: ReadonlySet<string>;
  /** Also accepted as `aud`: the fake's own token URL. */
  tokenUrl: string;
  nowS: number;
}

export interface AssertionClaims {
  iss: string;
  sub?: string;
  scope: string;
  aud: string;
  iat: number;
  exp: number;
}

/** The token endpoint's refusal, in OAuth's dialect (RFC 6749 §5.2) with Google's wording. */
export interface TokenRefusal {
  status: number;
  error: string;
  error_description: string;
}

/** Checks a JWT bearer assertion (RFC 7523) the way Google's token endpoint does for domain-wide delegation. */
export function verifyAssertion(assertion: string, expect: AssertionExpectations): AssertionClaims | TokenRefusal {
  const parts = assertion.split('.');
  if (parts.length !== 3) return refusal(400, 'invalid_grant', 'Invalid JWT: Token must be a short-lived token and in a reasonable timeframe.');
  const [encodedHeader, encodedPayload, signature] = parts;
  const header = decodeJson(encodedHeader) as { alg?: string } | undefined;
  const claims = decodeJson(encodedPayload) as AssertionClaims | undefined;
  if (header?.alg !== 'RS256' || !claims) return refusal(400, 'invalid_grant', 'Invalid JWT Signature.');
  const signed = verify('RSA-SHA256', Buffer.from(`${encodedHeader}.${encodedPayload}`), expect.publicKey, Buffer.from(signature, 'base64url'));
  if (!signed || claims.iss !== expect.clientEmail) return refusal(400, 'invalid_grant', 'Invalid JWT Signature.');
  if (![...TOKEN_AUDIENCES, expect.tokenUrl].includes(claims.aud)) return refusal(400, 'invalid_grant', 'Invalid JWT: audience mismatch.');
  if (!(claims.exp > expect.nowS && claims.iat <= expect.nowS + CLOCK_SKEW_S && claims.exp - claims.iat <= 3600)) {
    return refusal(400, 'invalid_grant', 'Invalid JWT: Token must be a short-lived token (60 minutes) and in a reasonable timeframe.');
  }
  if (!claims.sub || !expect.knownSubjects.has(claims.sub.toLowerCase())) return refusal(400, 'invalid_grant', 'Invalid email or User ID');
  const scopes = (claims.scope ?? '').split(' ').filter(Boolean);
  if (scopes.length === 0 || scopes.some((scope) => !expect.delegatedScopes.has(scope))) {
    return refusal(
      401,
      'unauthorized_client',
      'Client is unauthorized to retrieve access tokens using this method, or client not authorized for any of the scopes requested.',
    );
  }
  return claims;
}

export function isRefusal(result: AssertionClaims | TokenRefusal): result is TokenRefusal {
  return 'error' in result;
}

function refusal(status: number, error: string, description: string): TokenRefusal {
  return { status, error, error_description: description };
}

function decodeJson(part: string): unknown {
  try {
    return JSON.parse(Buffer.from(part, 'base64url').toString('utf8'));
  } catch {
    return undefined;
  }
}
