import type { FaultSpec } from '../kit';
import type { FakeAccount, FakeInvitation, FakeTeam } from './fake-org';

/** How api.github.com shapes its errors and rate-limit answers, for the fake and for tests' fault injection. */

const DOCS = 'https://docs.github.com/rest';

export function githubErrorBody(status: number, message: string, errors?: unknown[]) {
  return { message, ...(errors ? { errors } : {}), documentation_url: DOCS, status: String(status) };
}

/** The secondary (abuse) limit: 403 with Retry-After when GitHub gives one, and this message. */
export function secondaryRateLimitFault(retryAfterS?: number, endpoint?: string | RegExp): FaultSpec {
  return {
    status: 403,
    retryAfterS,
    endpoint,
    body: {
      message:
        'You have exceeded a secondary rate limit. Please wait a few minutes before you try again. If you reach out to GitHub Support for help, please include the request ID 0000:0000:0000000:0000000:00000000.',
      documentation_url: 'https://docs.github.com/rest/overview/rate-limits-for-the-rest-api#about-secondary-rate-limits',
      status: '403',
    },
  };
}

/** The primary (hourly) limit: 403 with `x-ratelimit-remaining: 0` and the reset time in epoch seconds. */
export function primaryRateLimitFault(resetAtEpochS: number): FaultSpec {
  return {
    status: 403,
    headers: {
      'x-ratelimit-limit': '5000',
      'x-ratelimit-remaining': '0',
      'x-ratelimit-used': '5000',
      'x-ratelimit-reset': String(resetAtEpochS),
      'x-ratelimit-resource': 'core',
    },
    body: {
      message: 'API rate limit exceeded for installation ID 1.',
      documentation_url: 'https://docs.github.com/rest/overview/rate-limits-for-the-rest-api#about-primary-rate-limits',
      status: '403',
    },
  };
}

export function simpleUser(account: FakeAccount) {
  return {
    login: account.login,
    id: account.id,
    node_id: `U_${account.id}`,
    type: 'User',
    site_admin: false,
    url: `https://api.github.com/users/${account.login}`,
  };
}

export function invitationJson(invitation: FakeInvitation, org: string) {
  return {
    id: invitation.id,
    node_id: `OI_${invitation.id}`,
    login: invitation.login,
    email: invitation.email,
    role: invitation.role,
    created_at: invitation.createdAt,
    failed_at: invitation.failedAt ?? null,
    failed_reason: invitation.failedReason ?? null,
    team_count: invitation.teamIds.size,
    invitation_teams_url: `https://api.github.com/organizations/${org}/invitations/${invitation.id}/teams`,
    invitation_source: 'member',
  };
}

export function teamJson(team: FakeTeam, org: string) {
  return {
    id: team.id,
    node_id: `T_${team.id}`,
    name: team.name,
    slug: team.slug,
    description: team.description,
    privacy: team.privacy,
    notification_setting: 'notifications_enabled',
    permission: 'pull',
    url: `https://api.github.com/organizations/${org}/team/${team.id}`,
    parent: null,
  };
}
