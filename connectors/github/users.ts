import type { Changes, ConnectorLogger, OpContext, Outcome, RemoteRef, RemoteUser, TargetUser, UserOperations } from '../sdk/contract';
import { ConflictError, NotFoundError, PermanentError } from '../sdk/errors';
import type { GithubClient } from './client';
import type { LeaverAction } from './config';
import { invitationGone, type Invitations, type InvitedTeam, type OrgInvitation } from './invitations';
import { listAll } from './listing';
import { identityOf, orgRoleOf, orgRoleOfInvitation, remoteIdOf, sameAccount, type GithubIdentity, type OrgRole, type TeamRoles } from './mapping';
import { Memberships } from './memberships';
import { adminTeamsOf, existingTeams } from './teams';

/**
 * A "user" on GitHub is an organization membership (key: the login) or a pending email invitation (key:
 * the email address). `RemoteRef.id` is the lower-cased login or email: GitHub addresses both by it, and a
 * pending member has no other stable id in the listings. There is no `disable`: GitHub cannot suspend an
 * org member, so the engine's deprovision policy removes instead (see README).
 */
export function githubUsers(client: GithubClient, invitations: Invitations, roles: TeamRoles, leaverAction: LeaverAction, logger: ConnectorLogger): UserOperations {
  const memberships = new Memberships(client);

  /** The account the key names; `key` is kept as given so the engine's link keeps its own key. */
  const find = async (key: string, ctx: OpContext): Promise<RemoteUser | undefined> => {
    const identity = identityOf(key);
    if (identity.kind === 'login') {
      const membership = await memberships.get(identity.login, ctx);
      return membership && { ...memberUser(identity.login, membership.role), key };
    }
    const invitation = await invitations.findByEmail(identity.email, ctx);
    return invitation && { ...invitationUser(invitation), key };
  };

  /**
   * Adds the account or sends the one email invitation, with every mapped team that exists already
   * (TargetUser.groups, when the engine passes them): GitHub cannot add teams to a pending invitation
   * without cancelling and re-sending it. Refuses (ConflictError) if the account is already there.
   */
  const provision = async (identity: GithubIdentity, key: string, role: OrgRole, teams: readonly InvitedTeam[], ctx: OpContext): Promise<RemoteRef> => {
    const existing = await find(key, ctx);
    if (existing) throw new ConflictError(`'${key}' is already a member of or invited to ${client.org}`, existing);
    if (identity.kind === 'login') await memberships.set(identity.login, role, ctx);
    else await invitations.invite(identity.email, role, teams.map((team) => team.id), ctx);
    return { id: remoteIdOf(identity), key };
  };

  /** The leaver policy. An email leaver without a pending invitation is only 'noop' when it provably never joined. */
  const retire = async (identity: GithubIdentity, ctx: OpContext): Promise<Outcome> => {
    if (identity.kind === 'login') return memberships.retire(identity.login, leaverAction, ctx);
    const status = await invitations.statusOf(identity.email, ctx);
    if (status.state === 'pending') return invitations.cancel(status.invitation, ctx);
    if (status.state === 'failed') return 'noop';
    throw new PermanentError(
      `'${identity.email}' has no pending invitation to ${client.org}: it was accepted under a GitHub login the bridge does not know ` +
        `(or cancelled outside the bridge). Remove that account from the organization by hand, and map GitHub logins (userKey) so leavers can be removed`,
    );
  };

  /** The mapped role, kept `admin` while the account is in a team that makes owners (orgAdminTeams). */
  const changeRole = async (identity: GithubIdentity, mapped: OrgRole, ctx: OpContext): Promise<Outcome> => {
    if (identity.kind === 'login') {
      // A PUT on a non-member would invite them: read first, so a vanished member is NotFoundError.
      const membership = await memberships.get(identity.login, ctx);
      if (!membership) throw new NotFoundError(`'${identity.login}' is not a member of or invited to ${client.org}`);
      const role = mapped === 'admin' ? mapped : roles.orgRole({ role: mapped }, await adminTeamsOf(client, roles, identity.login, ctx));
      if (membership.role === role) return 'noop';
      await memberships.set(identity.login, role, ctx);
      return 'applied';
    }
    const invitation = await invitations.findByEmail(identity.email, ctx);
    if (!invitation) throw invitationGone(identity.email);
    const teams = await invitations.teamsOf(invitation, ctx);
    const teamIds = teams.map((team) => team.id);
    return invitations.ensure(invitation, roles.orgRole({ role: mapped }, teams.map((team) => team.slug)), teamIds, teamIds, ctx);
  };

  /**
   * The IdP now names another account (typically: the login became known for an email invitee). The new
   * identity is provisioned with the same role (and an invitee's teams), then the old one is retired.
   */
  const rekey = async (ref: RemoteRef, newKey: string, role: OrgRole | undefined, ctx: OpContext): Promise<Outcome> => {
    const before = identityOf(ref.key);
    const after = identityOf(newKey);
    const current = await currentState(before, ctx);
    if (!current) throw new NotFoundError(`'${ref.key}' is no longer in ${client.org}`);
    const wanted = role ?? current.role;
    try {
      await provision(after, newKey, wanted, current.teams, ctx);
    } catch (error) {
      if (!(error instanceof ConflictError)) throw error;
      if (role !== undefined) await changeRole(after, role, ctx);
    }
    if (after.kind === 'login') await addToTeams(after.login, current.teams, ctx);
    await retire(before, ctx);
    return 'applied';
  };

  const addToTeams = async (login: string, teams: ReadonlyArray<{ slug: string }>, ctx: OpContext) => {
    for (const team of teams) {
      await client.call(ctx, (octokit, options) =>
        octokit.rest.teams.addOrUpdateMembershipForUserInOrg({ org: client.org, team_slug: team.slug, username: login, role: roles.teamRole(team.slug), ...options }),
      );
    }
  };

  const currentState = async (identity: GithubIdentity, ctx: OpContext): Promise<{ role: OrgRole; teams: InvitedTeam[] } | undefined> => {
    if (identity.kind === 'login') {
      const membership = await memberships.get(identity.login, ctx);
      return membership && { role: membership.role as OrgRole, teams: [] };
    }
    const invitation = await invitations.findByEmail(identity.email, ctx);
    return invitation && { role: orgRoleOfInvitation(invitation.role), teams: await invitations.teamsOf(invitation, ctx) };
  };

  return {
    find,

    async create(user: TargetUser, ctx: OpContext): Promise<RemoteRef> {
      const identity = identityOf(user.key);
      const slugs = user.groups ?? [];
      const role = roles.orgRole(user.attributes, slugs);
      // A login joins its teams in the group sync; an email invitation must carry them now.
      const teams = identity.kind === 'email' ? await existingTeams(client, slugs, ctx) : [];
      if (identity.kind === 'email' && teams.length < slugs.length) {
        logger.debug('some mapped teams do not exist yet: the invitation is re-issued when they are added', { org: client.org });
      }
      return provision(identity, user.key, role, teams, ctx);
    },

    async update(ref: RemoteRef, changes: Changes, ctx: OpContext): Promise<Outcome> {
      const mapped = 'role' in changes.attributes ? orgRoleOf(changes.attributes) : undefined;
      if (changes.key !== undefined && !sameAccount(ref.key, changes.key)) return rekey(ref, changes.key, mapped, ctx);
      if (mapped === undefined) return 'noop';
      return changeRole(identityOf(ref.key), mapped, ctx);
    },

    async delete(ref: RemoteRef, ctx: OpContext): Promise<Outcome> {
      return retire(identityOf(ref.key), ctx);
    },

    async *list(options, ctx): AsyncIterable<RemoteUser> {
      const pageSize = options.pageSize;
      // The members listing has no role field; asking per role gives it without one call per member.
      for (const role of ['admin', 'member'] as const) {
        for await (const member of listAll<{ login: string }>(client, 'GET /orgs/{org}/members', { role }, ctx, pageSize)) {
          yield memberUser(member.login, role);
        }
      }
      for await (const invitation of invitations.list(ctx, pageSize)) yield invitationUser(invitation);
    },
  };
}

function memberUser(login: string, role: string): RemoteUser {
  return { id: login.toLowerCase(), key: login, active: true, attributes: { role: role === 'admin' ? 'admin' : 'member' } };
}

/** An invitation by email is keyed by the email; a pending membership (invited by login) by the login. */
function invitationUser(invitation: OrgInvitation): RemoteUser {
  const key = invitation.login ?? invitation.email ?? String(invitation.id);
  return { id: key.toLowerCase(), key, active: true, attributes: { role: orgRoleOfInvitation(invitation.role) } };
}
