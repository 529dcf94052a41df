import { createHash, randomBytes } from 'node:crypto';
import type { Db } from './db';

export type TokenScope = 'scim' | 'admin';

export interface TokenInfo {
  name: string;
  scope: TokenScope;
  created_at: string;
  last_used_at: string | null;
  revoked_at: string | null;
}

export class TokenExistsError extends Error {}

/** Bearer tokens, stored only as sha256 hashes: the plaintext is shown once, at creation. */
export class Tokens {
  // verify() runs on every request: prepared once, not per call.
  private readonly byHash;

  constructor(private readonly db: Db, private readonly now: () => Date = () => new Date()) {
    this.byHash = db.prepare('SELECT name, scope FROM tokens WHERE hash = ? AND revoked_at IS NULL');
  }

  create(name: string, scope: TokenScope): string {
    const token = `sb_${randomBytes(32).toString('base64url')}`;
    const existing = this.db.prepare('SELECT revoked_at FROM tokens WHERE name = ?').get(name) as { revoked_at: string | null } | undefined;
    if (existing && existing.revoked_at === null) throw new TokenExistsError(`a token named '${name}' already exists`);
    this.db
      .prepare(`INSERT INTO tokens (name, hash, scope, created_at) VALUES (?, ?, ?, ?)
                ON CONFLICT (name) DO UPDATE SET hash = excluded.hash, scope = excluded.scope,
                  created_at = excluded.created_at, last_used_at = NULL, revoked_at = NULL`)
      .run(name, hashToken(token), scope, this.now().toISOString());
    return token;
  }

  /** The live token's name and scope, or undefined for an unknown or revoked token. */
  verify(token: string): { name: string; scope: TokenScope } | undefined {
    return this.byHash.get(hashToken(token)) as { name: string; scope: TokenScope } | undefined;
  }

  list(): TokenInfo[] {
    return this.db.prepare('SELECT name, scope, created_at, last_used_at, revoked_at FROM tokens ORDER BY name').all() as TokenInfo[];
  }

  revoke(name: string): boolean {
    return this.db
      .prepare('UPDATE tokens SET revoked_at = ? WHERE name = ? AND revoked_at IS NULL')
      .run(this.now().toISOString(), name).changes > 0;
  }
}

function hashToken(token: string): string {
  return createHash('sha256').update(token).digest('hex');
}
