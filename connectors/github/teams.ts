import type { Changes, GroupOperations, OpContext, Outcome, RemoteGroup, RemoteRef, TargetGroup } from '../sdk/contract';
import { ConflictError, NotFoundError, PermanentError } from '../sdk/errors';
import type { GithubClient } from './client';
import type { Invitations, OrgInvitation } from './invitations';
import { listAll } from './listing';
import { identityOf, orgRoleOfInvitation, teamFieldsOf, teamRoleFor, type TeamRole } from './mapping';

interface Team {
  id: number;
  slug: string;
  name: string;
  description: string | null;
  privacy?: string;
}

const SLUG = /^[a-z0-9][a-z0-9_-]*$/;

/**
 * Teams are the groups: key = team slug, id = GitHub's numeric team id (what invitations refer to).
 * Members are added one PUT and removed one DELETE at a time. An email invitee cannot join a team until
 * they accept, so their pending invitation is re-issued with the team added or removed.
 */
export function githubTeams(client: GithubClient, invitations: Invitations, maintainerTeams: readonly string[]): GroupOperations {
  const find = async (slug: string, ctx: OpContext): Promise<RemoteGroup | undefined> => {
    const team = await client.find(ctx, async (octokit, options) => {
      const { data } = await octokit.rest.teams.getByName({ org: client.org, team_slug: slug, ...options });
      return data as Team;
    });
    return team && remoteTeam(team);
  };

  const teamMembership = (slug: string, login: string, ctx: OpContext) =>
    client.find(ctx, async (octokit, options) => {
      const { data } = await octokit.rest.teams.getMembershipForUserInOrg({ org: client.org, team_slug: slug, username: login, ...options });
      return data as { role: TeamRole; state: string };
    });

  const addLogin = async (team: RemoteRef, login: string, ctx: OpContext): Promise<Outcome> => {
    const role = teamRoleFor(team.key, maintainerTeams);
    const current = await teamMembership(team.key, login, ctx);
    if (current?.role === role) return 'noop';
    await client.call(ctx, (octokit, options) =>
      octokit.rest.teams.addOrUpdateMembershipForUserInOrg({ org: client.org, team_slug: team.key, username: login, role, ...options }),
    );
    return 'applied';
  };

  const removeLogin = async (team: RemoteRef, login: string, ctx: OpContext): Promise<Outcome> => {
    try {
      await client.call(ctx, (octokit, options) =>
        octokit.rest.teams.removeMembershipForUserInOrg({ org: client.org, team_slug: team.key, username: login, ...options }),
      );
      return 'applied';
    } catch (error) {
      if (error instanceof NotFoundError) return 'noop';
      throw error;
    }
  };

  /** Re-issues an invitee's invitation with the team added (or removed); 'noop' when already so. */
  const changeInvitedTeams = async (invitation: OrgInvitation, team: RemoteRef, add: boolean, ctx: OpContext): Promise<Outcome> => {
    const teamId = Number(team.id);
    const teamIds = (await invitations.teamsOf(invitation, ctx)).map((invited) => invited.id);
    if (teamIds.includes(teamId) === add) return 'noop';
    const next = add ? [...teamIds, teamId] : teamIds.filter((id) => id !== teamId);
    await invitations.replace(invitation, orgRoleOfInvitation(invitation.role), next, ctx);
    return 'applied';
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
      if (!invitation) throw new NotFoundError(`no pending invitation for '${user.key}'`);
      return changeInvitedTeams(invitation, group, true, ctx);
    },

    async removeMember(group: RemoteRef, user: RemoteRef, ctx: OpContext): Promise<Outcome> {
      const identity = identityOf(user.key);
      if (identity.kind === 'login') return removeLogin(group, identity.login, ctx);
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

function remoteTeam(team: Team): RemoteGroup {
  return {
    id: String(team.id),
    key: team.slug,
    attributes: { name: team.name, description: team.description ?? null, privacy: team.privacy ?? 'closed' },
  };
}
