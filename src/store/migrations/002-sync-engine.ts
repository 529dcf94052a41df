/**
 * Sync engine lookups by subject across targets: "does any target still hold a link or a queue row for
 * this subject" decides when a tombstone can go, and the admin history lists a subject on every target.
 */
export const syncEngine = {
  version: 2,
  name: 'sync-engine',
  up: `
CREATE INDEX links_subject ON links (subject_kind, subject_id);
CREATE INDEX sync_queue_subject ON sync_queue (subject_kind, subject_id);
`,
};
