import { generateKeyPairSync } from 'node:crypto';
import type { ConnectorHarness, FaultKind, FaultSpec, InspectedGroup, InspectedUser } from '../kit';
import type { RemoteRef, TargetGroup, TargetUser } from '../sdk/contract';
import type { GithubConfig } from './config';
import { secretsOf } from './config';
import { GithubFake } from './fake';
import { githubErrorBody, secondaryRateLimitFault } from './fake-responses';
import { github } from './index';

export const TEST_ORG = 'acme';
export const TEST_TOKEN = 'ghp_testtoken0123456789abcdefghijklmnopqr';
export const TEST_APP = { appId: 4242, installationId: 77 };

/** One key pair per test file: generating RSA keys is the slow part. */
const appKeys = generateKeyPairSync('rsa', {
  modulusLength: 2048,
  privateKeyEncoding: { type: 'pkcs8', format: 'pem' },
  publicKeyEncoding: { type: 'spki', format: 'pem' },
});
export const TEST_APP_PRIVATE_KEY = appKeys.privateKey;

/** Accounts that exist on the fake GitHub: `user0` … `user299`, `octocat`, `hubot`. */
export function seedAccounts(fake: GithubFake): void {
  for (let n = 0; n < 300; n += 1) fake.org.addAccount(`user${n}`);
  fake.org.addAccount('octocat');
  fake.org.addAccount('hubot');
}

export async function startGithubFake(): Promise<GithubFake> {
  const fake = await GithubFake.start({ org: TEST_ORG, tokens: [TEST_TOKEN], app: { ...TEST_APP, publicKey: appKeys.publicKey } });
  const reset = fake.reset.bind(fake);
  fake.reset = () => {
    reset();
    seedAccounts(fake);
  };
  seedAccounts(fake);
  return fake;
}

export function tokenConfig(fake: GithubFake, overrides: Partial<GithubConfig> = {}): GithubConfig {
  return { org: TEST_ORG, baseUrl: fake.url, auth: { type: 'token', token: TEST_TOKEN }, ...overrides };
}

export function appConfig(fake: GithubFake, overrides: Partial<GithubConfig> = {}): GithubConfig {
  return { org: TEST_ORG, baseUrl: fake.url, auth: { type: 'app', ...TEST_APP, privateKey: TEST_APP_PRIVATE_KEY }, ...overrides };
}

/** How api.github.com answers each fault the kit injects. */
export const GITHUB_FAULTS: Record<FaultKind, (retryAfterS: number) => FaultSpec> = {
  'rate-limited': (retryAfterS) => secondaryRateLimitFault(retryAfterS),
  unavailable: () => ({ status: 503, body: githubErrorBody(503, 'Service Unavailable') }),
  unauthorized: () => ({ status: 401, body: githubErrorBody(401, 'Bad credentials') }),
  'bad-request': () => ({
    status: 422,
    body: githubErrorBody(422, 'Validation Failed', [{ resource: 'OrganizationInvitation', code: 'invalid', field: 'role' }]),
  }),
};

export function sampleUser(n: number): TargetUser {
  return { scimId: `6f1c2b7e-0000-4000-8000-${String(n).padStart(12, '0')}`, key: `user${n}`, active: true, attributes: { role: 'member' } };
}

export function sampleGroup(n: number): TargetGroup {
  return { scimId: `9a1c2b7e-0000-4000-8000-${String(n).padStart(12, '0')}`, key: `team-${n}`, attributes: { description: `Team ${n}` } };
}

/** The fake's own record: an org membership (active or pending) or an email invitation. */
export function inspectUser(fake: GithubFake, ref: RemoteRef): InspectedUser | undefined {
  if (ref.key.includes('@')) {
    const invitation = fake.org.invitationsForEmail(ref.key)[0];
    return invitation && { key: invitation.email!, active: true, attributes: { role: invitation.role === 'admin' ? 'admin' : 'member' } };
  }
  const membership = fake.org.membership(ref.key);
  return membership && { key: fake.org.account(ref.key).login, active: true, attributes: { role: membership.role } };
}

export function inspectTeam(fake: GithubFake, ref: RemoteRef): InspectedGroup | undefined {
  const team = [...fake.org.teams.values()].find((candidate) => String(candidate.id) === ref.id);
  if (!team) return undefined;
  const pending = fake.org.teamInvitations(team.slug).map((invitation) => (invitation.login ?? invitation.email ?? '').toLowerCase());
  return { key: team.slug, attributes: { description: team.description }, memberIds: [...team.members.keys(), ...pending] };
}

/** A single injected 401 cannot reach an app-authenticated call: auth-app retries it (the token harness runs these cases). */
const APP_401 =
  "@octokit/auth-app retries a 401 for up to 5 s after minting an installation token (GitHub's token replication delay), so one injected 401 is absorbed; the token harness runs this case, and github-requests.test.ts covers an app whose key GitHub refuses";
const APP_SKIPS = { 'error-user-writes': APP_401, 'error-member-writes': APP_401 } as const;

export function githubHarness(auth: 'token' | 'app'): ConnectorHarness<GithubConfig, GithubFake> {
  const configFor = auth === 'token' ? tokenConfig : appConfig;
  return {
    definition: github,
    label: auth === 'token' ? 'personal access token' : 'GitHub App installation',
    startFake: startGithubFake,
    configFor: (fake, options) => configFor(fake, options?.pageSize ? { pageSize: options.pageSize } : {}),
    secretsOf,
    invalidConfigs: [
      { name: 'no org', config: { auth: { type: 'token', token: TEST_TOKEN } }, path: '/org' },
      { name: 'org with a slash', config: { org: 'acme/x', auth: { type: 'token', token: TEST_TOKEN } }, path: '/org' },
      { name: 'token auth without token', config: { org: 'acme', auth: { type: 'token' } }, path: '/auth/token' },
      { name: 'app auth without installation', config: { org: 'acme', auth: { type: 'app', appId: 1, privateKey: TEST_APP_PRIVATE_KEY } }, path: '/auth/installationId' },
      { name: 'app key that is not PEM', config: { org: 'acme', auth: { type: 'app', appId: 1, installationId: 2, privateKey: 'x'.repeat(80) } }, path: '/auth/privateKey' },
      { name: 'unknown auth type', config: { org: 'acme', auth: { type: 'oauth' } }, path: '/auth/type' },
      { name: 'page size over 100', config: { org: 'acme', auth: { type: 'token', token: TEST_TOKEN }, pageSize: 101 }, path: '/pageSize' },
      { name: 'unknown leaver action', config: { org: 'acme', auth: { type: 'token', token: TEST_TOKEN }, leaverAction: 'suspend' }, path: '/leaverAction' },
      { name: 'orgAdminTeams entry that is not a slug', config: { org: 'acme', auth: { type: 'token', token: TEST_TOKEN }, orgAdminTeams: ['Platform Leads'] }, path: '/orgAdminTeams/0' },
      { name: 'a typo', config: { org: 'acme', auth: { type: 'token', token: TEST_TOKEN }, pagesize: 10 }, path: '/pagesize' },
    ],
    samples: {
      user: sampleUser,
      userChanges: () => ({ attributes: { role: 'admin' } }),
      group: sampleGroup,
    },
    inspect: {
      user: inspectUser,
      group: inspectTeam,
      removeUser: (fake, ref) => fake.org.removeMembership(ref.key),
    },
    injectFault: (fake, kind, { retryAfterS }) => void fake.failNext(1, GITHUB_FAULTS[kind](retryAfterS)),
    skips: {
      'user-disable-enable':
        'GitHub cannot suspend an organization member (only enterprise-managed or GHES site admins can suspend accounts); the connector has no disable, so the engine deprovisions by removal',
      'user-clear-attributes':
        "an org membership's only field is its role, which is never empty: clearing it (null) means the default role, member (github-requests.test.ts)",
      ...(auth === 'app' ? APP_SKIPS : {}),
    },
  };
}
