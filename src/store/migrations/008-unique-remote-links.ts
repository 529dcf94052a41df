/**
 * A remote object belongs to one subject per target: links_remote becomes unique, so an account can never
 * be linked to two users (a rehire adopted the account that the previous user's scheduled delete then
 * removed). Existing duplicates keep the most recently synced link, the newer holder: the older one's
 * pending deprovision no longer reaches the account, and if that subject is still a live user, its next
 * delivery reports the conflict as a dead letter.
 */
export const uniqueRemoteLinks = {
  version: 8,
  name: 'unique-remote-links',
  up: `
DELETE FROM links WHERE rowid IN (
  SELECT rowid FROM (
    SELECT rowid, ROW_NUMBER() OVER (PARTITION BY target, subject_kind, remote_id ORDER BY synced_at DESC, rowid DESC) AS rank FROM links
  ) WHERE rank > 1
);
DROP INDEX links_remote;
CREATE UNIQUE INDEX links_remote ON links (target, subject_kind, remote_id);
`,
};
