/**
 * Time-bound grants (issue 8). A grant becomes a `memberships` row with source 'grant' while active;
 * the grants row keeps who asked, who approved, why, and when it started, ends and was removed.
 */
export const grants = {
  version: 4,
  name: 'grants',
  up: `
CREATE TABLE grants (
  id            TEXT PRIMARY KEY,
  user_id       TEXT NOT NULL REFERENCES users (id),
  group_id      TEXT NOT NULL REFERENCES groups (id),
  reason        TEXT NOT NULL,
  requester     TEXT NOT NULL,
  requested_by  TEXT NOT NULL,
  approver      TEXT,
  approved_at   TEXT,
  privileged    INTEGER NOT NULL DEFAULT 0,
  starts_at     TEXT NOT NULL,
  expires_at    TEXT NOT NULL,
  state         TEXT NOT NULL CHECK (state IN ('pending-approval', 'scheduled', 'active', 'expired', 'revoked')),
  ended_at      TEXT,
  ended_by      TEXT,
  end_reason    TEXT,
  created_at    TEXT NOT NULL,
  request_id    TEXT
) STRICT;
CREATE INDEX grants_user ON grants (user_id);
CREATE INDEX grants_group ON grants (group_id);
CREATE INDEX grants_due ON grants (state, starts_at, expires_at);
`,
};
