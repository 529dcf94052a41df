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

-- When each membership began and ended, kept by triggers so every writer (SCIM, grants) is covered:
-- the access report's "since when" and "removed when".
CREATE TABLE membership_history (
  id         INTEGER PRIMARY KEY,
  group_id   TEXT NOT NULL,
  user_id    TEXT NOT NULL,
  source     TEXT NOT NULL,
  grant_id   TEXT,
  added_at   TEXT NOT NULL,
  removed_at TEXT
) STRICT;
CREATE INDEX membership_history_user ON membership_history (user_id, group_id);
CREATE TRIGGER membership_added AFTER INSERT ON memberships BEGIN
  INSERT INTO membership_history (group_id, user_id, source, grant_id, added_at)
  VALUES (NEW.group_id, NEW.user_id, NEW.source, NEW.grant_id, strftime('%Y-%m-%dT%H:%M:%fZ', 'now'));
END;
CREATE TRIGGER membership_regranted AFTER UPDATE OF grant_id ON memberships BEGIN
  UPDATE membership_history SET grant_id = NEW.grant_id
  WHERE group_id = NEW.group_id AND user_id = NEW.user_id AND source = NEW.source AND removed_at IS NULL;
END;
CREATE TRIGGER membership_removed AFTER DELETE ON memberships BEGIN
  UPDATE membership_history SET removed_at = strftime('%Y-%m-%dT%H:%M:%fZ', 'now')
  WHERE group_id = OLD.group_id AND user_id = OLD.user_id AND source = OLD.source AND removed_at IS NULL;
END;
`,
};
