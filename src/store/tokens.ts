import { createHash, randomBytes } from 'node:crypto';
import type { Db } from './db';
import { isUniqueViolation } from './resource-query';

export type TokenScope = 'scim' | 'admin';

export interface TokenInfo {
  name: string;
  scope: TokenScope;
  created_at: string;
  /** When the token last authenticated a request, to the minute (see USE_RECORDED_EVERY_MS). */
  last_used_at: string | null;
  revoked_at: string | null;
}

export class TokenExistsError extends Error {}

/** last_used_at is written at most this often per token: a write per request would double the write load. */
const USE_RECORDED_EVERY_MS = 60_000;

/**
 * Bearer tokens, stored only as sha256 hashes: the plaintext is shown once, at creation. A name has at
 * most one live token; revoked ones stay listed, and the name can be given to a new token (rotation).
 */
export class Tokens {
  // verify() runs on every request: prepared once, not per call.
  private readonly byHash;
  private readonly recordUse;
  private readonly useRecordedAt = new Map<number, number>();

  constructor(private readonly db: Db, private readonly now: () => Date = () => new Date()) {
    this.byHash = db.prepare('SELECT id, name, scope FROM tokens WHERE hash = ? AND revoked_at IS NULL');
    this.recordUse = db.prepare('UPDATE tokens SET last_used_at = ? WHERE id = ?');
  }

  create(name: string, scope: TokenScope): string {
    const token = `sb_${randomBytes(32).toString('base64url')}`;
    try {
      this.db.prepare('INSERT INTO tokens (name, hash, scope, created_at) VALUES (?, ?, ?, ?)').run(name, hashToken(token), scope, this.now().toISOString());
    } catch (error) {
      if (isUniqueViolation(error)) throw new TokenExistsError(`a token named '${name}' already exists`);
      throw error;
    }
    return token;
  }

  /** The live token's name and scope, or undefined for an unknown or revoked token. Notes the use (at most once a minute). */
  verify(token: string): { name: string; scope: TokenScope } | undefined {
    const row = this.byHash.get(hashToken(token)) as { id: number; name: string; scope: TokenScope } | undefined;
    if (!row) return undefined;
    this.noteUse(row.id);
    return { name: row.name, scope: row.scope };
  }

  list(): TokenInfo[] {
    return this.db.prepare('SELECT name, scope, created_at, last_used_at, revoked_at FROM tokens ORDER BY name, id').all() as TokenInfo[];
  }

  revoke(name: string): boolean {
    return this.db
      .prepare('UPDATE tokens SET revoked_at = ? WHERE name = ? AND revoked_at IS NULL')
      .run(this.now().toISOString(), name).changes > 0;
  }

  /** Best effort: a busy or read-only database must not fail the request the token authenticates. */
  private noteUse(id: number): void {
    const now = this.now();
    if (now.getTime() - (this.useRecordedAt.get(id) ?? -Infinity) < USE_RECORDED_EVERY_MS) return;
    this.useRecordedAt.set(id, now.getTime());
    try {
      this.recordUse.run(now.toISOString(), id);
    } catch {
      // the next use a minute later tries again
    }
  }
}

function hashToken(token: string): string {
  return createHash('sha256').update(token).digest('hex');
}
