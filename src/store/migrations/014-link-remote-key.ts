/**
 * Which subject holds a remote key on a target (case-insensitive, as target keys are): the engine asks
 * before creating, so two subjects that map to one key conflict whatever the target does with a
 * duplicate (src/sync/remote-ownership.ts claimKey).
 */
export const linkRemoteKey = {
  version: 14,
  name: 'link-remote-key',
  up: `
CREATE INDEX links_remote_key ON links (target, subject_kind, remote_key COLLATE NOCASE);
`,
};
