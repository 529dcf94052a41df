import type { OpContext, Outcome } from '../sdk/contract';
import { NotFoundError } from '../sdk/errors';
import type { GithubClient } from './client';
import type { LeaverAction } from './config';
import type { OrgRole } from './mapping';

/** An organization membership: `active`, or `pending` while the account has not accepted yet. */
export interface OrgMembership {
  state: 'active' | 'pending';
  role: string;
  user: { login: string; id: number } | null;
}

/** Organization memberships by login: read, add or change the role (one PUT), remove, or convert. */
export class Memberships {
  constructor(private readonly client: GithubClient) {}

  get(login: string, ctx: OpContext): Promise<OrgMembership | undefined> {
    return this.client.find(ctx, async (octokit, options) => {
      const { data } = await octokit.rest.orgs.getMembershipForUser({ org: this.client.org, username: login, ...options });
      return data as OrgMembership;
    });
  }

  /** Adds the account (GitHub sends it an invitation: state `pending`) or changes its role. */
  async set(login: string, role: OrgRole, ctx: OpContext): Promise<OrgMembership> {
    const { data } = await this.client.call(ctx, (octokit, options) =>
      octokit.rest.orgs.setMembershipForUser({ org: this.client.org, username: login, role, ...options }),
    );
    return data as OrgMembership;
  }

  /** Removes a member (GitHub drops their team memberships too) or cancels a pending one. */
  async remove(login: string, ctx: OpContext): Promise<Outcome> {
    try {
      await this.client.call(ctx, (octokit, options) => octokit.rest.orgs.removeMembershipForUser({ org: this.client.org, username: login, ...options }));
      return 'applied';
    } catch (error) {
      if (error instanceof NotFoundError) return 'noop';
      throw error;
    }
  }

  /** The leaver policy: remove, or keep an active member as an outside collaborator (a pending one is just cancelled). */
  async retire(login: string, action: LeaverAction, ctx: OpContext): Promise<Outcome> {
    if (action === 'remove') return this.remove(login, ctx);
    const membership = await this.get(login, ctx);
    if (!membership) return 'noop';
    if (membership.state === 'pending') return this.remove(login, ctx);
    await this.client.call(ctx, (octokit, options) =>
      octokit.rest.orgs.convertMemberToOutsideCollaborator({ org: this.client.org, username: login, ...options }),
    );
    return 'applied';
  }
}
