import type { Attributes, JsonValue, MappingDefaults } from '../sdk/contract';
import { PermanentError } from '../sdk/errors';

/**
 * How SCIM maps onto a GitHub organization.
 *
 * The user key names the GitHub account: a login (`octocat`) when the IdP knows it, otherwise an email
 * address to invite (`ada@example.com`). GitHub logins cannot contain `@`, so the two never collide. The
 * default reads `userName`. When the login lives in its own attribute and may be missing, a userKey
 * template gives the bridge both: `{nickName} <{emails[primary eq true].value}>` yields `octocat
 * <ada@example.com>` (the login wins) or ` <ada@example.com>` (no login yet: invite the email).
 *
 * Target fields: `role` (org role, `member` or `admin`; default member). Teams get a description that
 * says who manages them.
 */
export const githubMapping: MappingDefaults = {
  user: { key: 'userName', attributes: {} },
  group: { attributes: { description: 'Managed by scim-bridge from SCIM group {displayName}' } },
};

export type GithubIdentity = { kind: 'login'; login: string } | { kind: 'email'; email: string };

// Logins: alphanumerics and hyphens; Enterprise Managed Users add an `_shortcode` suffix.
const LOGIN = /^[A-Za-z0-9][A-Za-z0-9_-]{0,99}$/;
const EMAIL = /^[^@\s<>]+@[^@\s<>]+\.[^@\s<>]+$/;
// `login <email>` or ` <email>`: a userKey template whose login placeholder may be empty.
const LOGIN_WITH_EMAIL = /^\s*([^\s<>]*)\s*<([^<>]*)>\s*$/;

/** The account a key names: a login to add, or an email address to invite. */
export function identityOf(key: string): GithubIdentity {
  const combined = LOGIN_WITH_EMAIL.exec(key);
  if (combined) {
    const [, login, email] = combined;
    if (login) return loginIdentity(login, key);
    if (email.trim()) return emailIdentity(email.trim(), key);
    throw new PermanentError(`'${key}' names neither a GitHub login nor an email address`);
  }
  if (key.includes('@')) return emailIdentity(key, key);
  return loginIdentity(key, key);
}

function loginIdentity(login: string, key: string): GithubIdentity {
  if (LOGIN.test(login)) return { kind: 'login', login };
  throw new PermanentError(`'${key}' is not a valid GitHub login (letters, digits, hyphens) or an email address`);
}

function emailIdentity(email: string, key: string): GithubIdentity {
  if (EMAIL.test(email)) return { kind: 'email', email };
  throw new PermanentError(`'${key}' is neither a GitHub login nor an email address`);
}

/** `RemoteRef.id`: the lower-cased login or email, which is how listings name the account. */
export function remoteIdOf(identity: GithubIdentity): string {
  return (identity.kind === 'login' ? identity.login : identity.email).toLowerCase();
}

/** Two keys name the same account (`octocat <a@x>` and `Octocat <b@x>` do): no re-keying between them. */
export function sameAccount(a: string, b: string): boolean {
  const [left, right] = [identityOf(a), identityOf(b)];
  return left.kind === right.kind && remoteIdOf(left) === remoteIdOf(right);
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

/**
 * The roles a team brings (connector config): `maintainerTeams` set the team role, `orgAdminTeams` make
 * their members organization owners. Slugs compare case-insensitively.
 */
export class TeamRoles {
  private readonly maintainerTeams: ReadonlySet<string>;
  private readonly orgAdminTeams: ReadonlySet<string>;

  constructor(config: { maintainerTeams?: string[]; orgAdminTeams?: string[] }) {
    this.maintainerTeams = new Set((config.maintainerTeams ?? []).map((slug) => slug.toLowerCase()));
    this.orgAdminTeams = new Set((config.orgAdminTeams ?? []).map((slug) => slug.toLowerCase()));
  }

  teamRole(slug: string): TeamRole {
    return this.maintainerTeams.has(slug.toLowerCase()) ? 'maintainer' : 'member';
  }

  grantsOrgAdmin(slug: string): boolean {
    return this.orgAdminTeams.has(slug.toLowerCase());
  }

  get adminTeams(): string[] {
    return [...this.orgAdminTeams];
  }

  /** The mapped `role` attribute, raised to `admin` when one of the user's teams makes owners. */
  orgRole(attributes: Attributes, teamSlugs: readonly string[]): OrgRole {
    const mapped = orgRoleOf(attributes);
    return mapped === 'admin' || teamSlugs.some((slug) => this.grantsOrgAdmin(slug)) ? 'admin' : 'member';
  }
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
