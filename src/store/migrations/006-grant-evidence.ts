/**
 * Grants name people by stable user id (requester_id, approver_id) next to the userName shown to
 * people, record when their access began (activated_at) and when the sweeper flagged them for review.
 * group_names keeps every displayName a group has had, so a privileged group stays privileged when it
 * is renamed (the policy in config names groups). Existing rows are filled from the ledger.
 */
export const grantEvidence = {
  version: 6,
  name: 'grant-evidence',
  up: `
ALTER TABLE grants ADD COLUMN requester_id TEXT;
ALTER TABLE grants ADD COLUMN approver_id TEXT;
ALTER TABLE grants ADD COLUMN activated_at TEXT;
ALTER TABLE grants ADD COLUMN flagged_at TEXT;
ALTER TABLE grants ADD COLUMN flag_reason TEXT;

UPDATE grants SET
  requester_id = (SELECT u.id FROM users u WHERE u.id = grants.requester OR u.user_name = grants.requester COLLATE NOCASE
                  ORDER BY u.deleted_at IS NOT NULL LIMIT 1),
  approver_id = (SELECT u.id FROM users u WHERE u.id = grants.approver OR u.user_name = grants.approver COLLATE NOCASE
                 ORDER BY u.deleted_at IS NOT NULL LIMIT 1),
  activated_at = (SELECT min(l.at) FROM ledger l WHERE l.subject = 'user:' || grants.user_id AND l.kind = 'grant.activated'
                  AND json_extract(l.after, '$.id') = grants.id),
  flagged_at = (SELECT min(l.at) FROM ledger l WHERE l.subject = 'user:' || grants.user_id AND l.kind = 'grant.flagged'
                AND json_extract(l.after, '$.id') = grants.id),
  flag_reason = (SELECT l.reason FROM ledger l WHERE l.subject = 'user:' || grants.user_id AND l.kind = 'grant.flagged'
                 AND json_extract(l.after, '$.id') = grants.id ORDER BY l.seq LIMIT 1);
CREATE INDEX grants_approver ON grants (approver_id) WHERE approver_id IS NOT NULL;

CREATE TABLE group_names (
  group_id     TEXT NOT NULL,
  display_name TEXT NOT NULL COLLATE NOCASE,
  PRIMARY KEY (group_id, display_name)
) STRICT, WITHOUT ROWID;
CREATE INDEX group_names_name ON group_names (display_name);
INSERT OR IGNORE INTO group_names (group_id, display_name) SELECT id, display_name FROM groups;
INSERT OR IGNORE INTO group_names (group_id, display_name)
  SELECT substr(subject, 7), json_extract(after, '$.displayName') FROM ledger
  WHERE subject LIKE 'group:%' AND kind IN ('group.created', 'group.updated') AND json_extract(after, '$.displayName') IS NOT NULL;
CREATE TRIGGER group_named AFTER INSERT ON groups BEGIN
  INSERT OR IGNORE INTO group_names (group_id, display_name) VALUES (NEW.id, NEW.display_name);
END;
CREATE TRIGGER group_renamed AFTER UPDATE OF display_name ON groups BEGIN
  INSERT OR IGNORE INTO group_names (group_id, display_name) VALUES (NEW.id, NEW.display_name);
END;
`,
};
