/**
 * Who names a user as their manager: when a manager is provisioned on a target, the engine queues the
 * reports already there (src/sync/user-references.ts), one index lookup instead of a scan of every user.
 * The expression must stay the one the engine queries (MANAGER_JSON_PATH).
 */
export const managerIndex = {
  version: 12,
  name: 'manager-index',
  up: `
CREATE INDEX users_manager ON users (json_extract(resource, '$."urn:ietf:params:scim:schemas:extension:enterprise:2.0:User".manager.value'))
  WHERE deleted_at IS NULL;
`,
};
