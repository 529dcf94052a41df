/**
 * Re-creating a revoked token's name overwrote the revoked row (name was the primary key), erasing when
 * the old credential was made and revoked. Tokens get their own id: a name may be used again for a new
 * row once its token is revoked (rotation: revoke entra, create entra), and revoked rows stay.
 */
export const tokenHistory = {
  version: 10,
  name: 'token-history',
  up: `
CREATE TABLE tokens_with_history (
  id           INTEGER PRIMARY KEY,
  name         TEXT NOT NULL,
  hash         TEXT NOT NULL UNIQUE,
  scope        TEXT NOT NULL CHECK (scope IN ('scim', 'admin')),
  created_at   TEXT NOT NULL,
  last_used_at TEXT,
  revoked_at   TEXT
) STRICT;
INSERT INTO tokens_with_history (name, hash, scope, created_at, last_used_at, revoked_at)
  SELECT name, hash, scope, created_at, last_used_at, revoked_at FROM tokens ORDER BY created_at;
DROP TABLE tokens;
ALTER TABLE tokens_with_history RENAME TO tokens;
CREATE UNIQUE INDEX tokens_live_name ON tokens (name) WHERE revoked_at IS NULL;
`,
};
