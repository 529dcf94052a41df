/**
 * A fingerprint of each target's delivery settings as of the last start (src/sync/target-backfill.ts):
 * a start that finds them new or changed queues what they now put on the target.
 */
export const targetSettings = {
  version: 15,
  name: 'target-settings',
  up: `
CREATE TABLE target_settings (
  target      TEXT PRIMARY KEY,
  fingerprint TEXT NOT NULL,
  changed_at  TEXT NOT NULL
);
`,
};
