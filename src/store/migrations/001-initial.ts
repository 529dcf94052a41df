/**
 * Initial schema (design.md section 2). Users and groups keep the full SCIM resource as JSON plus the
 * columns filters hit most; deleted rows stay as tombstones (deleted_at) until every target acknowledged.
 */
export const initial = {
  version: 1,
  name: 'initial',
  up: `
CREATE TABLE users (
  id            TEXT PRIMARY KEY,
  user_name     TEXT NOT NULL,
  external_id   TEXT,
  display_name  TEXT,
  active        INTEGER NOT NULL DEFAULT 1,
  resource      TEXT NOT NULL,
  version       INTEGER NOT NULL DEFAULT 1,
  created       TEXT NOT NULL,
  last_modified TEXT NOT NULL,
  deleted_at    TEXT
) STRICT;
CREATE UNIQUE INDEX users_user_name ON users (user_name COLLATE NOCASE) WHERE deleted_at IS NULL;
CREATE INDEX users_external_id ON users (external_id) WHERE external_id IS NOT NULL;
CREATE INDEX users_display_name ON users (display_name COLLATE NOCASE);
CREATE INDEX users_last_modified ON users (last_modified);

-- One row per email of a live user, so email filters hit an index instead of parsing JSON.
CREATE TABLE user_emails (
  user_id    TEXT NOT NULL REFERENCES users (id) ON DELETE CASCADE,
  value      TEXT NOT NULL,
  type       TEXT,
  is_primary INTEGER NOT NULL DEFAULT 0
) STRICT;
CREATE INDEX user_emails_value ON user_emails (value COLLATE NOCASE);
CREATE INDEX user_emails_user ON user_emails (user_id);

CREATE TABLE groups (
  id            TEXT PRIMARY KEY,
  display_name  TEXT NOT NULL,
  external_id   TEXT,
  resource      TEXT NOT NULL,
  version       INTEGER NOT NULL DEFAULT 1,
  created       TEXT NOT NULL,
  last_modified TEXT NOT NULL,
  deleted_at    TEXT
) STRICT;
CREATE INDEX groups_display_name ON groups (display_name COLLATE NOCASE);
CREATE INDEX groups_external_id ON groups (external_id) WHERE external_id IS NOT NULL;

-- source 'idp' rows come from SCIM; 'grant' rows from time-bound grants (grant_id, expires_at).
CREATE TABLE memberships (
  group_id   TEXT NOT NULL REFERENCES groups (id),
  user_id    TEXT NOT NULL REFERENCES users (id),
  source     TEXT NOT NULL DEFAULT 'idp' CHECK (source IN ('idp', 'grant')),
  grant_id   TEXT,
  expires_at TEXT,
  PRIMARY KEY (group_id, user_id, source)
) STRICT;
CREATE INDEX memberships_user ON memberships (user_id);

CREATE TABLE ledger (
  seq        INTEGER PRIMARY KEY,
  at         TEXT NOT NULL,
  actor      TEXT NOT NULL,
  source     TEXT NOT NULL,
  request_id TEXT,
  kind       TEXT NOT NULL,
  subject    TEXT,
  target     TEXT,
  before     TEXT,
  after      TEXT,
  reason     TEXT,
  prev_hash  TEXT NOT NULL,
  hash       TEXT NOT NULL
) STRICT;
CREATE INDEX ledger_subject ON ledger (subject, seq);
CREATE INDEX ledger_request ON ledger (request_id) WHERE request_id IS NOT NULL;
CREATE TRIGGER ledger_no_update BEFORE UPDATE ON ledger BEGIN SELECT RAISE(ABORT, 'ledger is append-only'); END;
CREATE TRIGGER ledger_no_delete BEFORE DELETE ON ledger BEGIN SELECT RAISE(ABORT, 'ledger is append-only'); END;

-- One row per (target, subject): "this subject may be out of date on this target". generation grows
-- with every enqueue, so a worker that finishes an old generation knows a newer change is waiting.
CREATE TABLE sync_queue (
  target       TEXT NOT NULL,
  subject_kind TEXT NOT NULL CHECK (subject_kind IN ('user', 'group')),
  subject_id   TEXT NOT NULL,
  state        TEXT NOT NULL DEFAULT 'pending' CHECK (state IN ('pending', 'inflight', 'dead')),
  due_at       INTEGER NOT NULL,
  attempts     INTEGER NOT NULL DEFAULT 0,
  generation   INTEGER NOT NULL DEFAULT 1,
  last_error   TEXT,
  request_id   TEXT,
  enqueued_at  TEXT NOT NULL,
  updated_at   TEXT NOT NULL,
  PRIMARY KEY (target, subject_kind, subject_id)
) STRICT;
CREATE INDEX sync_queue_due ON sync_queue (target, state, due_at);

CREATE TABLE links (
  target       TEXT NOT NULL,
  subject_kind TEXT NOT NULL CHECK (subject_kind IN ('user', 'group')),
  subject_id   TEXT NOT NULL,
  remote_id    TEXT NOT NULL,
  remote_key   TEXT,
  last_applied TEXT NOT NULL,
  synced_at    TEXT NOT NULL,
  PRIMARY KEY (target, subject_kind, subject_id)
) STRICT;
CREATE INDEX links_remote ON links (target, subject_kind, remote_id);

CREATE TABLE tokens (
  name         TEXT PRIMARY KEY,
  hash         TEXT NOT NULL UNIQUE,
  scope        TEXT NOT NULL CHECK (scope IN ('scim', 'admin')),
  created_at   TEXT NOT NULL,
  last_used_at TEXT,
  revoked_at   TEXT
) STRICT;

CREATE TABLE targets_state (
  target    TEXT PRIMARY KEY,
  paused    INTEGER NOT NULL DEFAULT 0,
  reason    TEXT,
  updated_at TEXT NOT NULL
) STRICT;
`,
};
