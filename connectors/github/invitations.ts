import type { OpContext, Outcome } from '../sdk/contract';
import { NotFoundError } from '../sdk/errors';
import type { GithubClient } from './client';
import { findIn, listAll } from './listing';
import { invitationRoleOf, type OrgRole } from './mapping';

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

/**
 * Pending organization invitations by email. GitHub cannot change the role or teams of a pending
 * invitation, so such a change replaces it: cancel, then invite again with the new role and team ids (the
 * invitee gets a fresh email). A pending invitation is never created twice: create looks first.
 *
 * If the re-invite fails after the cancel (a rate limit in between), the replacement is remembered and
 * finished by the next lookup of that email, which is what the engine's retry does first.
 */
export class Invitations {
  private readonly unfinished = new Map<string, { email: string; role: OrgRole; teamIds: number[] }>();

  constructor(private readonly client: GithubClient) {}

  list(ctx: OpContext, pageSize?: number): AsyncGenerator<OrgInvitation> {
    return listAll<OrgInvitation>(this.client, 'GET /orgs/{org}/invitations', {}, ctx, pageSize);
  }

  async findByEmail(email: string, ctx: OpContext): Promise<OrgInvitation | undefined> {
    const wanted = email.toLowerCase();
    const found = await findIn(this.list(ctx), (invitation) => invitation.email?.toLowerCase() === wanted);
    const replacement = this.unfinished.get(wanted);
    if (found || !replacement) return found;
    const invitation = await this.invite(replacement.email, replacement.role, replacement.teamIds, ctx);
    this.unfinished.delete(wanted);
    return invitation;
  }

  async invite(email: string, role: OrgRole, teamIds: number[], ctx: OpContext): Promise<OrgInvitation> {
    const { data } = await this.client.call(ctx, (octokit, options) =>
      octokit.rest.orgs.createInvitation({ org: this.client.org, email, role: invitationRoleOf(role), team_ids: teamIds, ...options }),
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

  /** Cancel and invite again with a new role and team list. */
  async replace(invitation: OrgInvitation, role: OrgRole, teamIds: number[], ctx: OpContext): Promise<OrgInvitation> {
    const email = requireEmail(invitation);
    await this.cancel(invitation, ctx);
    this.unfinished.set(email.toLowerCase(), { email, role, teamIds });
    const replaced = await this.invite(email, role, teamIds, ctx);
    this.unfinished.delete(email.toLowerCase());
    return replaced;
  }

  /** A leaver's invitation must not come back from an unfinished replacement. */
  forget(email: string): void {
    this.unfinished.delete(email.toLowerCase());
  }
}

function requireEmail(invitation: OrgInvitation): string {
  if (!invitation.email) throw new NotFoundError(`invitation ${invitation.id} has no email address`);
  return invitation.email;
}
