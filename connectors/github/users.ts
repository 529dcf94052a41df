import type { Changes, ConnectorLogger, OpContext, Outcome, RemoteRef, RemoteUser, TargetUser, UserOperations } from '../sdk/contract';
import { ConflictError, NotFoundError } from '../sdk/errors';
import type { GithubClient } from './client';
import type { LeaverAction } from './config';
import type { Invitations, OrgInvitation } from './invitations';
import { listAll } from './listing';
import { identityOf, orgRoleOf, orgRoleOfInvitation, type GithubIdentity, type OrgRole } from './mapping';
import { Memberships } from './memberships';

/**
 * A "user" on GitHub is an organization membership (key: the login) or a pending email invitation (key:
 * the email address). `RemoteRef.id` is the lower-cased key: GitHub addresses both by that key, and a
 * pending member has no other stable id in the listings. There is no `disable`: GitHub cannot suspend an
 * org member, so the engine's deprovision policy removes instead (see README).
 */
export function githubUsers(client: GithubClient, invitations: Invitations, leaverAction: LeaverAction, logger: ConnectorLogger): UserOperations {
  const memberships = new Memberships(client);

  const find = async (key: string, ctx: OpContext): Promise<RemoteUser | undefined> => {
    const identity = identityOf(key);
    if (identity.kind === 'login') {
      const membership = await memberships.get(identity.login, ctx);
      return membership && memberUser(membership.user?.login ?? identity.login, membership.role);
    }
    const invitation = await invitations.findByEmail(identity.email, ctx);
    return invitation && invitationUser(invitation);
  };

  /** Adds the account or sends the email invitation; refuses (ConflictError) if it is already there. */
  const provision = async (identity: GithubIdentity, key: string, role: OrgRole, teamIds: number[], ctx: OpContext): Promise<RemoteRef> => {
    const existing = await find(key, ctx);
    if (existing) throw new ConflictError(`'${key}' is already a member of or invited to ${client.org}`, existing);
    if (identity.kind === 'login') await memberships.set(identity.login, role, ctx);
    else await invitations.invite(identity.email, role, teamIds, ctx);
    return { id: key.toLowerCase(), key };
  };

  const retire = async (identity: GithubIdentity, ctx: OpContext): Promise<Outcome> => {
    if (identity.kind === 'login') return memberships.retire(identity.login, leaverAction, ctx);
    invitations.forget(identity.email);
    const invitation = await invitations.findByEmail(identity.email, ctx);
    if (invitation) return invitations.cancel(invitation, ctx);
    logger.warn('no pending GitHub invitation for a leaver known only by email: if it was accepted, map their login to remove them', {
      org: client.org,
    });
    return 'noop';
  };

  const changeRole = async (identity: GithubIdentity, role: OrgRole, ctx: OpContext): Promise<Outcome> => {
    if (identity.kind === 'login') {
      // A PUT on a non-member would invite them: read first, so a vanished member is NotFoundError.
      const membership = requireFound(await memberships.get(identity.login, ctx), identity.login);
      if (membership.role === role) return 'noop';
      await memberships.set(identity.login, role, ctx);
      return 'applied';
    }
    const invitation = requireFound(await invitations.findByEmail(identity.email, ctx), identity.email);
    if (orgRoleOfInvitation(invitation.role) === role) return 'noop';
    const teams = await invitations.teamsOf(invitation, ctx);
    await invitations.replace(invitation, role, teams.map((team) => team.id), ctx);
    return 'applied';
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
      await provision(after, newKey, wanted, current.teams.map((team) => team.id), ctx);
    } catch (error) {
      if (!(error instanceof ConflictError)) throw error;
      if (role !== undefined) await changeRole(after, role, ctx);
    }
    if (after.kind === 'login') await addToTeams(after.login, current.teams, ctx);
    await retire(before, ctx);
    return 'applied';
  };

  const addToTeams = async (login: string, teams: Array<{ slug: string }>, ctx: OpContext) => {
    for (const team of teams) {
      await client.call(ctx, (octokit, options) =>
        octokit.rest.teams.addOrUpdateMembershipForUserInOrg({ org: client.org, team_slug: team.slug, username: login, ...options }),
      );
    }
  };

  const currentState = async (identity: GithubIdentity, ctx: OpContext) => {
    if (identity.kind === 'login') {
      const membership = await memberships.get(identity.login, ctx);
      return membership && { role: membership.role as OrgRole, teams: [] as Array<{ id: number; slug: string }> };
    }
    const invitation = await invitations.findByEmail(identity.email, ctx);
    return invitation && { role: orgRoleOfInvitation(invitation.role), teams: await invitations.teamsOf(invitation, ctx) };
  };

  return {
    find,

    async create(user: TargetUser, ctx: OpContext): Promise<RemoteRef> {
      return provision(identityOf(user.key), user.key, orgRoleOf(user.attributes), [], ctx);
    },

    async update(ref: RemoteRef, changes: Changes, ctx: OpContext): Promise<Outcome> {
      const role = 'role' in changes.attributes ? orgRoleOf(changes.attributes) : undefined;
      if (changes.key !== undefined && changes.key !== ref.key) return rekey(ref, changes.key, role, ctx);
      if (role === undefined) return 'noop';
      return changeRole(identityOf(ref.key), role, ctx);
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

function requireFound<T>(value: T | undefined, key: string): T {
  if (value === undefined) throw new NotFoundError(`'${key}' is not a member of or invited to the organization`);
  return value;
}
