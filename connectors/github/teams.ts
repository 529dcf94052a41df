import type { Changes, GroupOperations, OpContext, Outcome, RemoteGroup, RemoteRef, TargetGroup } from '../sdk/contract';
import { ConflictError, NotFoundError, PermanentError } from '../sdk/errors';
import type { GithubClient } from './client';
import { invitationGone, type Invitations, type OrgInvitation } from './invitations';
import { listAll } from './listing';
import { identityOf, orgRoleOfInvitation, teamFieldsOf, type OrgRole, type TeamRole, type TeamRoles } from './mapping';
import { Memberships } from './memberships';

export interface Team {
  id: number;
  slug: string;
  name: string;
  description: string | null;
  privacy?: string;
}

const SLUG = /^[a-z0-9][a-z0-9_-]*$/;

export function findTeam(client: GithubClient, slug: string, ctx: OpContext): Promise<Team | undefined> {
  return client.find(ctx, async (octokit, options) => {
    const { data } = await octokit.rest.teams.getByName({ org: client.org, team_slug: slug, ...options });
    return data as Team;
  });
}

/** The teams with these slugs that exist (one read each); a missing one is left out. */
export async function existingTeams(client: GithubClient, slugs: readonly string[], ctx: OpContext): Promise<Team[]> {
  const teams: Team[] = [];
  for (const slug of slugs) {
    const team = await findTeam(client, slug, ctx);
    if (team) teams.push(team);
  }
  return teams;
}

function teamMembership(client: GithubClient, slug: string, login: string, ctx: OpContext) {
  return client.find(ctx, async (octokit, options) => {
    const { data } = await octokit.rest.teams.getMembershipForUserInOrg({ org: client.org, team_slug: slug, username: login, ...options });
    return data as { role: TeamRole; state: string };
  });
}

/** The orgAdminTeams the login is in (one read per such team; none when there are none). */
export async function adminTeamsOf(client: GithubClient, roles: TeamRoles, login: string, ctx: OpContext, except?: string): Promise<string[]> {
  const found: string[] = [];
  for (const slug of roles.adminTeams.filter((candidate) => candidate !== except?.toLowerCase())) {
    if (await teamMembership(client, slug, login, ctx)) found.push(slug);
  }
  return found;
}

/**
 * Teams are the groups: key = team slug, id = GitHub's numeric team id (what invitations refer to).
 * Members are added one PUT and removed one DELETE at a time, with the team role `maintainerTeams` gives;
 * joining a team in `orgAdminTeams` makes the member an owner, leaving the last one makes them a member.
 * An email invitee cannot join a team until they accept, so their pending invitation is re-issued with
 * the team added or removed (none is, when the invitation already has it: users.create sends the teams).
 */
export function githubTeams(client: GithubClient, invitations: Invitations, roles: TeamRoles): GroupOperations {
  const memberships = new Memberships(client);

  const find = async (slug: string, ctx: OpContext): Promise<RemoteGroup | undefined> => {
    const team = await findTeam(client, slug, ctx);
    return team && remoteTeam(team);
  };

  /** Owners come with orgAdminTeams: promote on joining one, demote on leaving the last one. */
  const alignOrgRole = async (login: string, role: OrgRole, ctx: OpContext): Promise<Outcome> => {
    const membership = await memberships.get(login, ctx);
    if (!membership || membership.role === role) return 'noop';
    await memberships.set(login, role, ctx);
    return 'applied';
  };

  const addLogin = async (team: RemoteRef, login: string, ctx: OpContext): Promise<Outcome> => {
    const role = roles.teamRole(team.key);
    const current = await teamMembership(client, team.key, login, ctx);
    // A team PUT for someone outside the org would invite them, bypassing the org role: they are gone.
    if (!current && !(await memberships.get(login, ctx))) {
      throw new NotFoundError(`'${login}' is not a member of or invited to ${client.org}`, { subject: 'user' });
    }
    let outcome: Outcome = 'noop';
    if (current?.role !== role) {
      await teamGoneOn404(team, () =>
        client.call(ctx, (octokit, options) =>
          octokit.rest.teams.addOrUpdateMembershipForUserInOrg({ org: client.org, team_slug: team.key, username: login, role, ...options }),
        ),
      );
      outcome = 'applied';
    }
    if (roles.grantsOrgAdmin(team.key) && (await alignOrgRole(login, 'admin', ctx)) === 'applied') outcome = 'applied';
    return outcome;
  };

  const removeLogin = async (team: RemoteRef, login: string, ctx: OpContext): Promise<Outcome> => {
    try {
      await client.call(ctx, (octokit, options) =>
        octokit.rest.teams.removeMembershipForUserInOrg({ org: client.org, team_slug: team.key, username: login, ...options }),
      );
    } catch (error) {
      if (error instanceof NotFoundError) return 'noop';
      throw error;
    }
    if (roles.grantsOrgAdmin(team.key) && (await adminTeamsOf(client, roles, login, ctx, team.key)).length === 0) {
      await alignOrgRole(login, 'member', ctx);
    }
    return 'applied';
  };

  /** Re-issues an invitee's invitation with the team added (or removed) and the org role that follows; 'noop' when already so. */
  const changeInvitedTeams = async (invitation: OrgInvitation, team: RemoteRef, add: boolean, ctx: OpContext): Promise<Outcome> => {
    const teamId = Number(team.id);
    const current = await invitations.teamsOf(invitation, ctx);
    const remaining = current.filter((invited) => invited.id !== teamId);
    const next = add ? [...remaining, { id: teamId, slug: team.key }] : remaining;
    // Check before the cancel: re-inviting with a deleted team's id would fail after the old invitation is gone.
    if (add && remaining.length === current.length && !(await findTeam(client, team.key, ctx))) throw teamGone(team);
    // Only an orgAdminTeams team changes the role: joining makes an owner, leaving the last one a member.
    const ownerTeam = next.some((invited) => roles.grantsOrgAdmin(invited.slug));
    const role: OrgRole = roles.grantsOrgAdmin(team.key) ? (ownerTeam ? 'admin' : 'member') : orgRoleOfInvitation(invitation.role);
    const ids = (teams: ReadonlyArray<{ id: number }>) => teams.map((invited) => invited.id);
    return invitations.ensure(invitation, role, ids(next), ids(current), ctx);
  };

  return {
    find,

    async create(group: TargetGroup, ctx: OpContext): Promise<RemoteRef> {
      if (!SLUG.test(group.key)) throw new PermanentError(`'${group.key}' is not a team slug (lower-case letters, digits, - and _)`);
      const existing = await find(group.key, ctx);
      if (existing) throw new ConflictError(`team '${group.key}' already exists in ${client.org}`, existing);
      const fields = teamFieldsOf(group.attributes);
      const { data } = await client.call(ctx, (octokit, options) =>
        octokit.rest.teams.create({
          org: client.org,
          name: group.key,
          description: fields.description ?? undefined,
          privacy: fields.privacy ?? 'closed',
          ...options,
        }),
      );
      return { id: String(data.id), key: data.slug };
    },

    async update(ref: RemoteRef, changes: Changes, ctx: OpContext): Promise<Outcome> {
      const fields = teamFieldsOf(changes.attributes);
      const rename = changes.key !== undefined && changes.key !== ref.key ? { name: changes.key } : {};
      if (Object.keys(fields).length === 0 && !('name' in rename)) return 'noop';
      await client.call(ctx, (octokit, options) =>
        octokit.rest.teams.updateInOrg({
          org: client.org,
          team_slug: ref.key,
          ...rename,
          ...(fields.description !== undefined ? { description: fields.description ?? '' } : {}),
          ...(fields.privacy ? { privacy: fields.privacy } : {}),
          ...options,
        }),
      );
      return 'applied';
    },

    async delete(ref: RemoteRef, ctx: OpContext): Promise<Outcome> {
      try {
        await client.call(ctx, (octokit, options) => octokit.rest.teams.deleteInOrg({ org: client.org, team_slug: ref.key, ...options }));
        return 'applied';
      } catch (error) {
        if (error instanceof NotFoundError) return 'noop';
        throw error;
      }
    },

    async addMember(group: RemoteRef, user: RemoteRef, ctx: OpContext): Promise<Outcome> {
      const identity = identityOf(user.key);
      if (identity.kind === 'login') return addLogin(group, identity.login, ctx);
      const invitation = await invitations.findByEmail(identity.email, ctx);
      // Expired, accepted or cancelled: the user is gone, so the engine re-creates it (with its teams).
      if (!invitation) throw invitationGone(identity.email);
      return changeInvitedTeams(invitation, group, true, ctx);
    },

    async removeMember(group: RemoteRef, user: RemoteRef, ctx: OpContext): Promise<Outcome> {
      const identity = identityOf(user.key);
      if (identity.kind === 'login') return removeLogin(group, identity.login, ctx);
      // No pending invitation: not a member through it. (One accepted under an unknown login stays in
      // the team; reconcile reports that account as an extra member.)
      const invitation = await invitations.findByEmail(identity.email, ctx);
      return invitation ? changeInvitedTeams(invitation, group, false, ctx) : 'noop';
    },

    async *list(options, ctx): AsyncIterable<RemoteGroup> {
      for await (const team of listAll<Team>(client, 'GET /orgs/{org}/teams', {}, ctx, options.pageSize)) yield remoteTeam(team);
    },

    /** Active members, then pending ones (invited to the org with this team). */
    async *listMembers(group: RemoteRef, options, ctx): AsyncIterable<RemoteRef> {
      const params = { team_slug: group.key };
      for await (const member of listAll<{ login: string }>(client, 'GET /orgs/{org}/teams/{team_slug}/members', params, ctx, options.pageSize)) {
        yield { id: member.login.toLowerCase(), key: member.login };
      }
      const pending = 'GET /orgs/{org}/teams/{team_slug}/invitations';
      for await (const invitation of listAll<OrgInvitation>(client, pending, params, ctx, options.pageSize)) {
        const key = invitation.login ?? invitation.email ?? String(invitation.id);
        yield { id: key.toLowerCase(), key };
      }
    },
  };
}

function teamGone(team: RemoteRef): NotFoundError {
  return new NotFoundError(`team '${team.key}' does not exist`, { subject: 'group' });
}

/** A 404 from a team-scoped write (the member exists: that was checked) means the team is gone. */
async function teamGoneOn404<T>(team: RemoteRef, write: () => Promise<T>): Promise<T> {
  try {
    return await write();
  } catch (error) {
    throw error instanceof NotFoundError ? teamGone(team) : error;
  }
}

function remoteTeam(team: Team): RemoteGroup {
  return {
    id: String(team.id),
    key: team.slug,
    attributes: { name: team.name, description: team.description ?? null, privacy: team.privacy ?? 'closed' },
  };
}
