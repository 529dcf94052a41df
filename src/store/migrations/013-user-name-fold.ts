/**
 * userName is unique and compared case-insensitively (caseExact=false) beyond ASCII: the index was
 * NOCASE, which folds A-Z only, so "änne" and "ÄNNE" were two users. user_name_fold holds caseFold(userName)
 * (src/store/case-fold.ts) and carries the uniqueness; the NOCASE index it replaces is dropped.
 *
 * A database may already hold live users whose names differ only in non-ASCII case. The earliest keeps
 * the folded name; the others get their id appended, so the unique index builds and nothing is lost
 * (they stay reachable by id; renaming one gives it a proper folded name).
 *
 * The store writes the column with every insert and update; the trigger only fills it for a row inserted
 * by SQL that does not know the column (a test fixture, a repair script), so no row is left unfindable.
 */
export const userNameFold = {
  version: 13,
  name: 'user-name-fold',
  up: `
ALTER TABLE users ADD COLUMN user_name_fold TEXT;
UPDATE users SET user_name_fold = scim_fold(user_name);
UPDATE users SET user_name_fold = user_name_fold || ' #' || id
  WHERE deleted_at IS NULL
    AND EXISTS (SELECT 1 FROM users o WHERE o.deleted_at IS NULL AND o.user_name_fold = users.user_name_fold AND o.rowid < users.rowid);
DROP INDEX users_user_name;
CREATE UNIQUE INDEX users_user_name_fold ON users (user_name_fold) WHERE deleted_at IS NULL;
CREATE TRIGGER users_user_name_fold AFTER INSERT ON users WHEN NEW.user_name_fold IS NULL
BEGIN
  UPDATE users SET user_name_fold = scim_fold(NEW.user_name) WHERE rowid = NEW.rowid;
END;
`,
};
