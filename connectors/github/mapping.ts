import type { Attributes, JsonValue, MappingDefaults } from '../sdk/contract';
import { PermanentError } from '../sdk/errors';

/**
 * How SCIM maps onto a GitHub organization.
 *
 * The user key is a GitHub login (`octocat`) when the IdP knows it, otherwise an email address to invite
 * (`ada@example.com`). GitHub logins cannot contain `@`, so the two forms never collide. The default
 * reads `userName`; point `userKey` at whatever holds the login (and let the IdP fall back to the email
 * with its own expression, e.g. Entra `Coalesce([githubLogin], [mail])`, Okta `user.githubLogin ?: user.email`).
 *
 * Target fields: `role` (org role, `member` or `admin`; default member). Teams get a description that
 * says who manages them.
 */
export const githubMapping: MappingDefaults = {
  user: { key: 'userName', attributes: {} },
  group: { key: 'displayName', attributes: { description: 'Managed by scim-bridge from SCIM group {displayName}' } },
};

export type GithubIdentity = { kind: 'login'; login: string } | { kind: 'email'; email: string };

// Logins: alphanumerics and hyphens; Enterprise Managed Users add an `_shortcode` suffix.
const LOGIN = /^[A-Za-z0-9][A-Za-z0-9_-]{0,99}$/;
const EMAIL = /^[^@\s]+@[^@\s]+\.[^@\s]+$/;

/** The account a key names: a login to add, or an email address to invite. */
export function identityOf(key: string): GithubIdentity {
  if (key.includes('@')) {
    if (EMAIL.test(key)) return { kind: 'email', email: key };
    throw new PermanentError(`'${key}' is neither a GitHub login nor an email address`);
  }
  if (LOGIN.test(key)) return { kind: 'login', login: key };
  throw new PermanentError(`'${key}' is not a valid GitHub login (letters, digits, hyphens) or an email address`);
}

export type OrgRole = 'member' | 'admin';

/** The org role the mapping asks for; an unmapped role means `member`. */
export function orgRoleOf(attributes: Attributes): OrgRole {
  return parseOrgRole(attributes.role);
}

function parseOrgRole(value: JsonValue | undefined): OrgRole {
  if (value === undefined || value === null || value === '') return 'member';
  const role = String(value).toLowerCase();
  if (role === 'member' || role === 'admin') return role;
  throw new PermanentError(`role '${String(value)}' is not a GitHub organization role (member or admin)`);
}

/** The invitation API names the plain member role `direct_member`. */
export function invitationRoleOf(role: OrgRole): 'direct_member' | 'admin' {
  return role === 'admin' ? 'admin' : 'direct_member';
}

export function orgRoleOfInvitation(role: string | undefined): OrgRole {
  return role === 'admin' ? 'admin' : 'member';
}

export type TeamRole = 'member' | 'maintainer';

export function teamRoleFor(slug: string, maintainerTeams: readonly string[] = []): TeamRole {
  return maintainerTeams.includes(slug.toLowerCase()) ? 'maintainer' : 'member';
}

/** Team fields the connector writes; `privacy` defaults to `closed` (visible to all org members). */
export interface TeamFields {
  description?: string | null;
  privacy?: 'closed' | 'secret';
}

export function teamFieldsOf(attributes: Attributes): TeamFields {
  const fields: TeamFields = {};
  if ('description' in attributes) fields.description = attributes.description === null ? null : String(attributes.description);
  if (attributes.privacy === 'closed' || attributes.privacy === 'secret') fields.privacy = attributes.privacy;
  else if (attributes.privacy !== undefined && attributes.privacy !== null) {
    throw new PermanentError(`team privacy '${String(attributes.privacy)}' must be closed or secret`);
  }
  return fields;
}
