/**
 * The fake's model of one GitHub organization, independent of the connector's code: accounts that exist on
 * GitHub, active members, pending invitations (by email, or by login for a pending membership, each with the
 * teams it will join), teams with their active members, and outside collaborators. Methods follow GitHub's
 * documented behaviour; they throw FakeApiError with GitHub's status and message.
 */

export class FakeApiError extends Error {
  constructor(readonly status: number, message: string, readonly errors?: unknown[]) {
    super(message);
  }
}

export type FakeOrgRole = 'admin' | 'member';
export type FakeInvitationRole = 'admin' | 'direct_member' | 'billing_manager';
export type FakeTeamRole = 'member' | 'maintainer';

export interface FakeAccount {
  id: number;
  login: string;
  email?: string;
}

export interface FakeInvitation {
  id: number;
  login: string | null;
  email: string | null;
  role: FakeInvitationRole;
  teamIds: Set<number>;
  createdAt: string;
  /** Set once it expired: GitHub lists it under failed invitations from then on. */
  failedAt?: string;
  failedReason?: string;
}

/** GitHub: "Invitation expired. User did not accept this invite for 7 days." */
export const INVITATION_EXPIRY_MS = 7 * 86_400_000;

export interface FakeTeam {
  id: number;
  name: string;
  slug: string;
  description: string | null;
  privacy: 'closed' | 'secret';
  /** Active members: lower-cased login → team role. */
  members: Map<string, FakeTeamRole>;
  /** Team role each pending invitee will get: lower-cased login or email → role. */
  pendingRoles: Map<string, FakeTeamRole>;
}

const lower = (value: string) => value.toLowerCase();

export class FakeOrg {
  readonly accounts = new Map<string, FakeAccount>();
  /** lower-cased login → org role */
  readonly members = new Map<string, FakeOrgRole>();
  readonly invitations = new Map<number, FakeInvitation>();
  /** Expired invitations, oldest first: GitHub keeps them (GET /orgs/{org}/failed_invitations). */
  readonly failedInvitations: FakeInvitation[] = [];
  readonly teams = new Map<string, FakeTeam>();
  readonly outsideCollaborators = new Set<string>();
  private nextId = 1000;

  constructor(readonly login: string, private readonly now: () => Date = () => new Date()) {}

  clear(): void {
    for (const collection of [this.accounts, this.members, this.invitations, this.teams]) collection.clear();
    this.outsideCollaborators.clear();
    this.failedInvitations.length = 0;
  }

  /** A GitHub account (outside the org) that exists and can be invited by login. */
  addAccount(login: string, email?: string): FakeAccount {
    const account = { id: this.nextId++, login, email };
    this.accounts.set(lower(login), account);
    return account;
  }

  account(login: string): FakeAccount {
    const account = this.accounts.get(lower(login));
    if (!account) throw new FakeApiError(404, 'Not Found');
    return account;
  }

  invitationByLogin(login: string): FakeInvitation | undefined {
    return [...this.invitations.values()].find((invitation) => invitation.login !== null && lower(invitation.login) === lower(login));
  }

  invitationsForEmail(email: string): FakeInvitation[] {
    return [...this.invitations.values()].filter((invitation) => invitation.email !== null && lower(invitation.email) === lower(email));
  }

  // ---- org memberships -------------------------------------------------------------------------

  membership(login: string): { state: 'active' | 'pending'; role: FakeOrgRole } | undefined {
    const role = this.members.get(lower(login));
    if (role) return { state: 'active', role };
    const invitation = this.invitationByLogin(login);
    return invitation && { state: 'pending', role: invitation.role === 'admin' ? 'admin' : 'member' };
  }

  /** PUT /orgs/{org}/memberships/{username}: a non-member gets a pending membership (an invitation). */
  setMembership(login: string, role: FakeOrgRole): { state: 'active' | 'pending'; role: FakeOrgRole } {
    const account = this.account(login);
    if (this.members.has(lower(login))) this.members.set(lower(login), role);
    else {
      const invitation = this.invitationByLogin(login) ?? this.createInvitation({ login: account.login, email: null, role: 'direct_member', teamIds: [] });
      invitation.role = role === 'admin' ? 'admin' : 'direct_member';
    }
    return this.membership(login)!;
  }

  /** DELETE /orgs/{org}/memberships/{username}: removes the member and their team memberships, or cancels a pending one. */
  removeMembership(login: string): void {
    const key = lower(login);
    const invitation = this.invitationByLogin(login);
    if (this.members.delete(key)) for (const team of this.teams.values()) team.members.delete(key);
    else if (invitation) this.invitations.delete(invitation.id);
    else throw new FakeApiError(404, 'Not Found');
  }

  convertToOutsideCollaborator(login: string): void {
    if (!this.members.has(lower(login))) throw new FakeApiError(404, 'Not Found');
    this.removeMembership(login);
    this.outsideCollaborators.add(lower(login));
  }

  // ---- invitations ------------------------------------------------------------------------------

  createInvitation(input: { login: string | null; email: string | null; role: FakeInvitationRole; teamIds: number[] }): FakeInvitation {
    for (const teamId of input.teamIds) {
      if (![...this.teams.values()].some((team) => team.id === teamId)) {
        throw new FakeApiError(422, 'Validation Failed', [{ resource: 'OrganizationInvitation', code: 'invalid', field: 'team_ids' }]);
      }
    }
    if (input.email && this.invitationsForEmail(input.email).length > 0) {
      throw new FakeApiError(422, 'Validation Failed', [{ resource: 'OrganizationInvitation', code: 'unprocessable', field: 'data', message: 'Invitee is already invited' }]);
    }
    const invitation: FakeInvitation = { id: this.nextId++, ...input, teamIds: new Set(input.teamIds), createdAt: this.now().toISOString() };
    this.invitations.set(invitation.id, invitation);
    return invitation;
  }

  cancelInvitation(id: number): void {
    if (!this.invitations.delete(id)) throw new FakeApiError(404, 'Not Found');
  }

  /** Pending invitations older than GitHub's 7 days fail: they leave the pending list for the failed one. */
  expireInvitations(): void {
    const cutoff = this.now().getTime() - INVITATION_EXPIRY_MS;
    for (const invitation of [...this.invitations.values()]) {
      if (Date.parse(invitation.createdAt) <= cutoff) this.expire(invitation);
    }
  }

  expire(invitation: FakeInvitation): void {
    this.invitations.delete(invitation.id);
    invitation.failedAt = this.now().toISOString();
    invitation.failedReason = 'Invitation expired. User did not accept this invite for 7 days.';
    this.failedInvitations.push(invitation);
  }

  /** The invitee accepts (tests): an email invitation needs the account that accepts it. */
  accept(invitation: FakeInvitation, account: FakeAccount): void {
    this.invitations.delete(invitation.id);
    const key = lower(account.login);
    this.members.set(key, invitation.role === 'admin' ? 'admin' : 'member');
    for (const team of this.teams.values()) {
      if (!invitation.teamIds.has(team.id)) continue;
      const pendingKey = lower(invitation.login ?? invitation.email ?? '');
      team.members.set(key, team.pendingRoles.get(pendingKey) ?? 'member');
      team.pendingRoles.delete(pendingKey);
    }
  }

  // ---- teams ------------------------------------------------------------------------------------

  team(slug: string): FakeTeam {
    const team = this.teams.get(lower(slug));
    if (!team) throw new FakeApiError(404, 'Not Found');
    return team;
  }

  teamById(id: number): FakeTeam | undefined {
    return [...this.teams.values()].find((team) => team.id === id);
  }

  createTeam(input: { name: string; description?: string | null; privacy?: 'closed' | 'secret' }): FakeTeam {
    const slug = slugify(input.name);
    if (this.teams.has(slug)) {
      throw new FakeApiError(422, 'Validation Failed', [{ resource: 'Team', code: 'custom', field: 'name', message: 'Name must be unique for this org' }]);
    }
    const team: FakeTeam = {
      id: this.nextId++,
      name: input.name,
      slug,
      description: input.description ?? null,
      privacy: input.privacy ?? 'secret',
      members: new Map(),
      pendingRoles: new Map(),
    };
    this.teams.set(slug, team);
    return team;
  }

  updateTeam(slug: string, input: { name?: string; description?: string | null; privacy?: 'closed' | 'secret' }): FakeTeam {
    const team = this.team(slug);
    if (input.description !== undefined) team.description = input.description;
    if (input.privacy) team.privacy = input.privacy;
    if (input.name && input.name !== team.name) {
      this.teams.delete(team.slug);
      team.name = input.name;
      team.slug = slugify(input.name);
      this.teams.set(team.slug, team);
    }
    return team;
  }

  deleteTeam(slug: string): void {
    const team = this.team(slug);
    this.teams.delete(team.slug);
    for (const invitation of this.invitations.values()) invitation.teamIds.delete(team.id);
  }

  teamMembership(slug: string, login: string): { state: 'active' | 'pending'; role: FakeTeamRole } | undefined {
    const team = this.team(slug);
    const role = team.members.get(lower(login));
    if (role) return { state: 'active', role };
    const invitation = this.invitationByLogin(login);
    if (invitation?.teamIds.has(team.id)) return { state: 'pending', role: team.pendingRoles.get(lower(login)) ?? 'member' };
    return undefined;
  }

  /** PUT team membership: an org member joins now; anyone else is invited to the org with the team. */
  setTeamMembership(slug: string, login: string, role: FakeTeamRole): { state: 'active' | 'pending'; role: FakeTeamRole } {
    const team = this.team(slug);
    const account = this.account(login);
    const key = lower(login);
    if (this.members.has(key)) team.members.set(key, role);
    else {
      const invitation = this.invitationByLogin(login) ?? this.createInvitation({ login: account.login, email: null, role: 'direct_member', teamIds: [] });
      invitation.teamIds.add(team.id);
      team.pendingRoles.set(key, role);
    }
    return this.teamMembership(slug, login)!;
  }

  removeTeamMembership(slug: string, login: string): void {
    const team = this.team(slug);
    const key = lower(login);
    if (team.members.delete(key)) return;
    const invitation = this.invitationByLogin(login);
    if (invitation?.teamIds.delete(team.id)) return void team.pendingRoles.delete(key);
    throw new FakeApiError(404, 'Not Found');
  }

  teamInvitations(slug: string): FakeInvitation[] {
    const team = this.team(slug);
    return [...this.invitations.values()].filter((invitation) => invitation.teamIds.has(team.id));
  }
}

/** GitHub's slug: lower case, runs of anything but letters and digits become one hyphen. */
export function slugify(name: string): string {
  return name.toLowerCase().replace(/[^a-z0-9_]+/g, '-').replace(/^-+|-+$/g, '');
}
