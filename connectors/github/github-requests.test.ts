import { randomUUID, generateKeyPairSync } from 'node:crypto';
import { collectAll } from '../kit';
import type { Connector, ConnectorEnv, OpContext } from '../sdk/contract';
import { ConfigError, ConflictError, NotFoundError, PermanentError, RateLimitedError, RetryableError } from '../sdk/errors';
import type { GithubConfig } from './config';
import type { GithubFake } from './fake';
import { primaryRateLimitFault, secondaryRateLimitFault, githubErrorBody } from './fake-responses';
import { appConfig, startGithubFake, TEST_APP_PRIVATE_KEY, TEST_TOKEN, tokenConfig } from './harness';
import { github } from './index';

const logs: string[] = [];
const env: ConnectorEnv = {
  logger: {
    debug: (message, meta) => logs.push(`${message} ${JSON.stringify(meta ?? {})}`),
    info: (message, meta) => logs.push(`${message} ${JSON.stringify(meta ?? {})}`),
    warn: (message, meta) => logs.push(`${message} ${JSON.stringify(meta ?? {})}`),
    error: (message, meta) => logs.push(`${message} ${JSON.stringify(meta ?? {})}`),
  },
  now: () => new Date(),
  fetch: globalThis.fetch,
};

const ctx = (): OpContext => ({ idempotencyKey: randomUUID(), signal: new AbortController().signal, requestId: randomUUID() });
const user = (key: string, role = 'member') => ({ scimId: randomUUID(), key, active: true, attributes: { role } });
const team = (slug: string) => ({ scimId: randomUUID(), key: slug, attributes: { description: `SCIM ${slug}` } });

async function failure(call: Promise<unknown>): Promise<unknown> {
  try {
    await call;
  } catch (error) {
    return error;
  }
  throw new Error('expected the call to fail');
}

describe('GitHub connector against the GitHub fake', () => {
  let fake: GithubFake;
  let connector: Connector;
  const connect = (overrides: Partial<GithubConfig> = {}) => (connector = github.create(tokenConfig(fake, overrides), env));

  beforeAll(async () => {
    fake = await startGithubFake();
  });
  afterAll(async () => fake.stop());
  beforeEach(() => {
    fake.reset();
    logs.length = 0;
    connect();
  });

  describe('rate limits and errors', () => {
    it('secondary limit without Retry-After waits the minute GitHub asks for; with it, exactly that', async () => {
      fake.failNext(1, secondaryRateLimitFault());
      const bare = await failure(connector.users.find('octocat', ctx()));
      expect(bare).toBeInstanceOf(RateLimitedError);
      expect((bare as RateLimitedError).retryAfterMs).toBe(60_000);

      fake.failNext(1, { ...secondaryRateLimitFault(7), status: 429 });
      const withHeader = await failure(connector.users.find('octocat', ctx()));
      expect((withHeader as RateLimitedError).retryAfterMs).toBe(7_000);
    });

    it('primary limit (x-ratelimit-remaining 0) waits until x-ratelimit-reset', async () => {
      fake.failNext(1, primaryRateLimitFault(Math.floor(Date.now() / 1000) + 120));
      const error = await failure(connector.users.create(user('octocat'), ctx()));
      expect(error).toBeInstanceOf(RateLimitedError);
      expect((error as RateLimitedError).retryAfterMs).toBeGreaterThan(115_000);
      expect((error as RateLimitedError).retryAfterMs).toBeLessThanOrEqual(120_000);
    });

    it('the daily invitation quota (422 "Over invitation rate limit") is a rate limit of an hour, not bad data', async () => {
      fake.failNext(1, {
        status: 422,
        endpoint: 'POST /orgs/:org/invitations',
        body: githubErrorBody(422, 'Validation Failed', [{ resource: 'OrganizationInvitation', code: 'unprocessable', field: 'data', message: 'Over invitation rate limit' }]),
      });
      const error = await failure(connector.users.create(user('ada@example.com'), ctx()));
      expect(error).toBeInstanceOf(RateLimitedError);
      expect((error as RateLimitedError).retryAfterMs).toBe(3_600_000);
    });

    it('other 422s are permanent and carry GitHub\'s words; 403 without a limit is a config problem', async () => {
      const invalid = await failure(connector.users.create(user('nobody-such'), ctx()));
      expect(invalid).toBeInstanceOf(NotFoundError); // PUT membership for an account GitHub does not know

      fake.failNext(1, { status: 422, body: githubErrorBody(422, 'Validation Failed', [{ resource: 'Team', code: 'custom', field: 'name', message: 'Name must be unique for this org' }]) });
      const validation = await failure(connector.groups!.create(team('platform'), ctx()));
      expect(validation).toBeInstanceOf(PermanentError);
      expect((validation as Error).message).toBe('HTTP 422: Validation Failed: Name must be unique for this org');

      fake.failNext(1, { status: 403, body: githubErrorBody(403, 'Resource not accessible by integration') });
      expect(await failure(connector.users.find('octocat', ctx()))).toBeInstanceOf(ConfigError);
    });

    it('Octokit does not retry on its own: a 503 is one request, and the engine decides', async () => {
      fake.failNext(5, { status: 503, body: githubErrorBody(503, 'Service Unavailable') });
      expect(await failure(connector.users.find('octocat', ctx()))).toBeInstanceOf(RetryableError);
      expect(fake.requestCount()).toBe(1);
    });

    it('an unreachable API is retryable', async () => {
      const gone = github.create({ ...tokenConfig(fake), baseUrl: 'http://127.0.0.1:9' }, env);
      expect(await failure(gone.users.find('octocat', ctx()))).toBeInstanceOf(RetryableError);
      const health = await gone.check(ctx());
      expect(health.ok).toBe(false);
    });

    it('keys that are neither a login nor an email are refused before any request', async () => {
      expect(await failure(connector.users.create(user('not a login'), ctx()))).toBeInstanceOf(PermanentError);
      expect(await failure(connector.users.create(user('x@y'), ctx()))).toBeInstanceOf(PermanentError);
      expect(await failure(connector.users.create(user('octocat', 'owner'), ctx()))).toBeInstanceOf(PermanentError);
      expect(fake.requestCount()).toBe(0);
    });
  });

  describe('members by login', () => {
    it('joins with the mapped role (pending until accepted), role changes only when different, leaves by one DELETE', async () => {
      const ref = await connector.users.create(user('octocat', 'admin'), ctx());
      expect(ref).toEqual({ id: 'octocat', key: 'octocat' });
      expect(fake.requests.find((request) => request.method === 'PUT')?.body).toEqual({ role: 'admin' });
      expect(fake.org.membership('octocat')).toEqual({ state: 'pending', role: 'admin' });
      fake.accept('octocat');
      expect(fake.org.members.get('octocat')).toBe('admin');

      expect(await connector.users.update(ref, { attributes: { role: 'admin' } }, ctx())).toBe('noop');
      expect(fake.calls('PUT /orgs/:org/memberships/:username')).toBe(1);
      expect(await connector.users.update(ref, { attributes: { role: 'member' } }, ctx())).toBe('applied');
      expect(fake.org.members.get('octocat')).toBe('member');

      expect(await connector.users.delete!(ref, ctx())).toBe('applied');
      expect(fake.org.members.has('octocat')).toBe(false);
      expect(await connector.users.delete!(ref, ctx())).toBe('noop');
    });

    it('lists admins, members and pending invitations with per_page=100 and Link paging', async () => {
      for (let n = 0; n < 230; n += 1) {
        fake.org.setMembership(`user${n}`, n < 5 ? 'admin' : 'member');
        fake.accept(`user${n}`);
      }
      fake.org.createInvitation({ login: null, email: 'ada@example.com', role: 'direct_member', teamIds: [] });
      fake.org.setMembership('hubot', 'member');
      const before = fake.requestCount();
      const listed = await collectAll(connector.users.list({}, ctx()));
      expect(listed).toHaveLength(232);
      expect(listed.filter((remote) => remote.attributes.role === 'admin')).toHaveLength(5);
      expect(listed.map((remote) => remote.key)).toEqual(expect.arrayContaining(['ada@example.com', 'hubot', 'user229']));
      const pages = fake.requests.slice(before);
      expect(pages.map((request) => `${request.endpoint} ${request.query.role ?? ''} ${request.query.page ?? 1}`)).toEqual([
        'GET /orgs/:org/members admin 1',
        'GET /orgs/:org/members member 1',
        'GET /orgs/:org/members member 2',
        'GET /orgs/:org/members member 3',
        'GET /orgs/:org/invitations  1',
      ]);
      expect(pages.every((request) => request.query.per_page === '100')).toBe(true);
    });

    it('leaver policy convert-to-outside-collaborator keeps an active member as a collaborator, cancels a pending one', async () => {
      connect({ leaverAction: 'convert-to-outside-collaborator' });
      const active = await connector.users.create(user('octocat'), ctx());
      fake.accept('octocat');
      const pending = await connector.users.create(user('hubot'), ctx());
      expect(await connector.users.delete!(active, ctx())).toBe('applied');
      expect(fake.org.outsideCollaborators.has('octocat')).toBe(true);
      expect(await connector.users.delete!(pending, ctx())).toBe('applied');
      expect(fake.org.membership('hubot')).toBeUndefined();
      expect(fake.org.outsideCollaborators.has('hubot')).toBe(false);
      expect(await connector.users.delete!(active, ctx())).toBe('noop');
    });
  });

  describe('email invitations', () => {
    it('invites once: a second create is a ConflictError carrying the invitation, not a second invitation', async () => {
      const ref = await connector.users.create(user('Ada@Example.com', 'admin'), ctx());
      expect(ref).toEqual({ id: 'ada@example.com', key: 'Ada@Example.com' });
      expect(fake.requests.find((request) => request.endpoint === 'POST /orgs/:org/invitations')?.body).toEqual({
        email: 'Ada@Example.com',
        role: 'admin',
        team_ids: [],
      });
      const conflict = await failure(connector.users.create(user('ada@example.com'), ctx()));
      expect(conflict).toBeInstanceOf(ConflictError);
      expect((conflict as ConflictError).existing).toMatchObject({ id: 'ada@example.com', attributes: { role: 'admin' } });
      expect(fake.calls('POST /orgs/:org/invitations')).toBe(1);
      expect(fake.org.invitations.size).toBe(1);
    });

    it('team changes re-issue the pending invitation with the new team list; listMembers shows the invitee', async () => {
      const platform = await connector.groups!.create(team('platform'), ctx());
      const ref = await connector.users.create(user('ada@example.com'), ctx());
      expect(await connector.groups!.addMember(platform, ref, ctx())).toBe('applied');
      const [invitation] = fake.org.invitationsForEmail('ada@example.com');
      expect([...invitation.teamIds]).toEqual([Number(platform.id)]);
      expect(await connector.groups!.addMember(platform, ref, ctx())).toBe('noop');
      expect((await collectAll(connector.groups!.listMembers(platform, {}, ctx()))).map((member) => member.key)).toEqual(['ada@example.com']);

      expect(await connector.groups!.removeMember(platform, ref, ctx())).toBe('applied');
      expect([...fake.org.invitationsForEmail('ada@example.com')[0].teamIds]).toEqual([]);
      expect(await connector.groups!.removeMember(platform, ref, ctx())).toBe('noop');
      expect(fake.org.invitations.size).toBe(1);
    });

    it('a rate limit between cancelling and re-issuing an invitation is finished by the retry, never duplicated', async () => {
      const platform = await connector.groups!.create(team('platform'), ctx());
      const ref = await connector.users.create(user('ada@example.com'), ctx());
      fake.failNext(1, secondaryRateLimitFault(1, 'POST /orgs/:org/invitations'));
      expect(await failure(connector.groups!.addMember(platform, ref, ctx()))).toBeInstanceOf(RateLimitedError);
      expect(fake.org.invitations.size).toBe(0);
      await connector.groups!.addMember(platform, ref, ctx());
      const invitations = fake.org.invitationsForEmail('ada@example.com');
      expect(invitations.map((invitation) => [...invitation.teamIds])).toEqual([[Number(platform.id)]]);
      expect(await connector.groups!.addMember(platform, ref, ctx())).toBe('noop');
    });

    it('a leaver known by email has the invitation cancelled; nothing pending is a noop with a warning', async () => {
      const ref = await connector.users.create(user('ada@example.com'), ctx());
      expect(await connector.users.delete!(ref, ctx())).toBe('applied');
      expect(fake.calls('DELETE /orgs/:org/invitations/:id')).toBe(1);
      expect(fake.org.invitations.size).toBe(0);
      expect(await connector.users.delete!(ref, ctx())).toBe('noop');
      expect(logs.some((line) => line.includes('no pending GitHub invitation'))).toBe(true);
    });

    it('when the login becomes known, the invitation is swapped for a membership in the same teams', async () => {
      const platform = await connector.groups!.create(team('platform'), ctx());
      const ref = await connector.users.create(user('ada@example.com', 'admin'), ctx());
      await connector.groups!.addMember(platform, ref, ctx());
      expect(await connector.users.update(ref, { key: 'octocat', attributes: {} }, ctx())).toBe('applied');
      expect(fake.org.invitationsForEmail('ada@example.com')).toEqual([]);
      expect(fake.org.membership('octocat')).toEqual({ state: 'pending', role: 'admin' });
      expect(fake.org.teamMembership('platform', 'octocat')).toEqual({ state: 'pending', role: 'member' });
      fake.accept('octocat');
      expect(fake.org.team('platform').members.get('octocat')).toBe('member');
    });
  });

  describe('teams', () => {
    it('creates closed teams named by slug, refuses non-slugs, and updates the description', async () => {
      const ref = await connector.groups!.create(team('platform'), ctx());
      expect(fake.org.team('platform')).toMatchObject({ name: 'platform', privacy: 'closed', description: 'SCIM platform' });
      expect(await failure(connector.groups!.create(team('Not A Slug'), ctx()))).toBeInstanceOf(PermanentError);
      expect(await connector.groups!.update!(ref, { attributes: { description: 'Platform engineering' } }, ctx())).toBe('applied');
      expect(fake.org.team('platform').description).toBe('Platform engineering');
    });

    it('members of maintainerTeams get the maintainer role; one DELETE removes, 404 is a noop', async () => {
      connect({ maintainerTeams: ['Leads'] });
      const leads = await connector.groups!.create(team('leads'), ctx());
      const octocat = await connector.users.create(user('octocat'), ctx());
      fake.accept('octocat');
      expect(await connector.groups!.addMember(leads, octocat, ctx())).toBe('applied');
      expect(fake.org.team('leads').members.get('octocat')).toBe('maintainer');
      const deletes = fake.calls('DELETE /orgs/:org/teams/:slug/memberships/:username');
      expect(await connector.groups!.removeMember(leads, octocat, ctx())).toBe('applied');
      expect(await connector.groups!.removeMember(leads, octocat, ctx())).toBe('noop');
      expect(fake.calls('DELETE /orgs/:org/teams/:slug/memberships/:username') - deletes).toBe(2);
    });
  });

  describe('GitHub App auth', () => {
    it('mints one installation token with a verified RS256 app JWT and reuses it', async () => {
      const app = github.create(appConfig(fake), env);
      expect((await app.check(ctx())).ok).toBe(true);
      await app.users.create(user('octocat'), ctx());
      expect(fake.calls('POST /app/installations/:installationId/access_tokens')).toBe(1);
      const tokenRequest = fake.requests.find((request) => request.endpoint.startsWith('POST /app/'));
      expect(tokenRequest?.status).toBe(201);
    });

    it('a key the app does not have is refused by the fake; a broken key never reaches GitHub or a message', async () => {
      const other = generateKeyPairSync('rsa', { modulusLength: 2048, privateKeyEncoding: { type: 'pkcs8', format: 'pem' }, publicKeyEncoding: { type: 'spki', format: 'pem' } });
      const wrongKey = github.create(appConfig(fake, { auth: { type: 'app', appId: 4242, installationId: 77, privateKey: other.privateKey } }), env);
      expect(await failure(wrongKey.users.find('octocat', ctx()))).toBeInstanceOf(ConfigError);
      expect(fake.requests.at(-1)?.status).toBe(401);

      const broken = `${TEST_APP_PRIVATE_KEY.slice(0, 60)}garbage-----END PRIVATE KEY-----`;
      const brokenKey = github.create(appConfig(fake, { auth: { type: 'app', appId: 4242, installationId: 77, privateKey: broken } }), env);
      const before = fake.requestCount();
      const error = await failure(brokenKey.users.find('octocat', ctx()));
      expect(error).toBeInstanceOf(ConfigError);
      const health = await brokenKey.check(ctx());
      expect(health.ok).toBe(false);
      expect(fake.requestCount()).toBe(before);
      for (const text of [(error as Error).message, health.message, ...logs]) {
        expect(text).not.toContain('garbage');
        expect(text).not.toContain(TEST_TOKEN);
      }
    });
  });
});
