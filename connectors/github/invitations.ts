import type { OpContext, Outcome } from '../sdk/contract';
import { NotFoundError } from '../sdk/errors';
import type { GithubClient } from './client';
import { findIn, listAll } from './listing';
import { invitationRoleOf, orgRoleOfInvitation, type OrgRole } from './mapping';

/** A pending organization invitation as GitHub lists it (by email, or by login for a pending membership). */
export interface OrgInvitation {
  id: number;
  login: string | null;
  email: string | null;
  role: string;
}

export interface InvitedTeam {
  id: number;
  slug: string;
}

/** What GitHub can say about an email address's invitation. */
export type InvitationStatus =
  | { state: 'pending'; invitation: OrgInvitation }
  /** GitHub lists it as failed (it expired after 7 days): the person never joined with it. */
  | { state: 'failed' }
  /** Neither pending nor failed: accepted (under a login GitHub does not reveal) or cancelled. */
  | { state: 'gone' };

/**
 * Organization invitations by email. GitHub cannot change the role or teams of a pending invitation, so
 * such a change replaces it: cancel, then invite again (the invitee gets a fresh email). Nothing is kept in
 * memory: if the re-invite fails after the cancel (a rate limit, a crash), the email has no pending
 * invitation, which the next operation reports as the user being gone, and the engine re-creates the user
 * with its teams (users.create).
 */
export class Invitations {
  constructor(private readonly client: GithubClient) {}

  list(ctx: OpContext, pageSize?: number): AsyncGenerator<OrgInvitation> {
    return listAll<OrgInvitation>(this.client, 'GET /orgs/{org}/invitations', {}, ctx, pageSize);
  }

  findByEmail(email: string, ctx: OpContext): Promise<OrgInvitation | undefined> {
    return findIn(this.list(ctx), sameEmail(email));
  }

  /** The pending invitation; when there is none, whether GitHub lists one as failed (expired). */
  async statusOf(email: string, ctx: OpContext): Promise<InvitationStatus> {
    const invitation = await this.findByEmail(email, ctx);
    if (invitation) return { state: 'pending', invitation };
    const failed = listAll<OrgInvitation>(this.client, 'GET /orgs/{org}/failed_invitations', {}, ctx);
    return (await findIn(failed, sameEmail(email))) ? { state: 'failed' } : { state: 'gone' };
  }

  async invite(email: string, role: OrgRole, teamIds: readonly number[], ctx: OpContext): Promise<OrgInvitation> {
    const { data } = await this.client.call(ctx, (octokit, options) =>
      octokit.rest.orgs.createInvitation({ org: this.client.org, email, role: invitationRoleOf(role), team_ids: [...teamIds], ...options }),
    );
    return data as OrgInvitation;
  }

  /** 'noop' when it is no longer pending (accepted, expired or cancelled already). */
  async cancel(invitation: OrgInvitation, ctx: OpContext): Promise<Outcome> {
    try {
      await this.client.call(ctx, (octokit, options) =>
        octokit.rest.orgs.cancelInvitation({ org: this.client.org, invitation_id: invitation.id, ...options }),
      );
      return 'applied';
    } catch (error) {
      if (error instanceof NotFoundError) return 'noop';
      throw error;
    }
  }

  async teamsOf(invitation: OrgInvitation, ctx: OpContext): Promise<InvitedTeam[]> {
    const teams: InvitedTeam[] = [];
    const route = 'GET /orgs/{org}/invitations/{invitation_id}/teams';
    for await (const team of listAll<InvitedTeam>(this.client, route, { invitation_id: invitation.id }, ctx)) teams.push(team);
    return teams;
  }

  /**
   * Brings a pending invitation to this role and team list: 'noop' when it already has them (GitHub's
   * team order does not matter), else cancel and invite again.
   */
  async ensure(invitation: OrgInvitation, role: OrgRole, teamIds: readonly number[], current: readonly number[], ctx: OpContext): Promise<Outcome> {
    const sameTeams = teamIds.length === current.length && teamIds.every((id) => current.includes(id));
    if (sameTeams && orgRoleOfInvitation(invitation.role) === role) return 'noop';
    const email = invitation.email;
    if (!email) throw new NotFoundError(`invitation ${invitation.id} has no email address`);
    await this.cancel(invitation, ctx);
    await this.invite(email, role, teamIds, ctx);
    return 'applied';
  }
}

/** No pending invitation for the email: the user is gone there (expired, accepted or cancelled). */
export function invitationGone(email: string): NotFoundError {
  return new NotFoundError(`no pending invitation to the organization for '${email}' (it expired, was accepted or was cancelled)`, { subject: 'user' });
}

function sameEmail(email: string): (invitation: OrgInvitation) => boolean {
  const wanted = email.toLowerCase();
  return (invitation) => invitation.email?.toLowerCase() === wanted;
}
