import { randomUUID, generateKeyPairSync } from 'node:crypto';
import { collectAll } from '../kit';
import type { Connector, ConnectorEnv, OpContext } from '../sdk/contract';
import { ConfigError, ConflictError, NotFoundError, PermanentError, RateLimitedError, RetryableError } from '../sdk/errors';
import type { GithubConfig } from './config';
import { GithubFake } from './fake';
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
      expect(await connector.users.update(ref, { attributes: { role: null } }, ctx())).toBe('applied');
      expect(fake.org.members.get('octocat')).toBe('member'); // a cleared role is the default one
      expect(await connector.users.update(ref, { attributes: { role: 'member' } }, ctx())).toBe('noop');

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

    it('a joiner by email gets ONE invitation with every mapped team that exists; the team adds that follow are noops', async () => {
      const platform = await connector.groups!.create(team('platform'), ctx());
      const leads = await connector.groups!.create(team('leads'), ctx());
      const ref = await connector.users.create({ ...user('ada@example.com'), groups: ['platform', 'leads', 'not-created-yet'] }, ctx());
      const [invitation] = fake.org.invitationsForEmail('ada@example.com');
      expect([...invitation.teamIds].sort()).toEqual([Number(platform.id), Number(leads.id)].sort());

      expect(await connector.groups!.addMember(platform, ref, ctx())).toBe('noop');
      expect(await connector.groups!.addMember(leads, ref, ctx())).toBe('noop');
      expect(fake.calls('POST /orgs/:org/invitations')).toBe(1);
      expect(fake.calls('DELETE /orgs/:org/invitations/:id')).toBe(0);
      expect((await collectAll(connector.groups!.listMembers(platform, {}, ctx()))).map((member) => member.key)).toEqual(['ada@example.com']);
    });

    it('a team change while the invitation is pending re-issues it once with the new team list', async () => {
      const platform = await connector.groups!.create(team('platform'), ctx());
      const ref = await connector.users.create(user('ada@example.com'), ctx());
      expect(await connector.groups!.addMember(platform, ref, ctx())).toBe('applied');
      expect(fake.org.invitationsForEmail('ada@example.com').map((invitation) => [...invitation.teamIds])).toEqual([[Number(platform.id)]]);
      expect(await connector.groups!.addMember(platform, ref, ctx())).toBe('noop');

      expect(await connector.groups!.removeMember(platform, ref, ctx())).toBe('applied');
      expect([...fake.org.invitationsForEmail('ada@example.com')[0].teamIds]).toEqual([]);
      expect(await connector.groups!.removeMember(platform, ref, ctx())).toBe('noop');
      expect(fake.org.invitations.size).toBe(1);
      expect(fake.calls('POST /orgs/:org/invitations')).toBe(3);
    });

    it('a rate limit between cancelling and re-issuing leaves nothing half-done in memory: the user is gone, and re-creating it sends one invitation with its teams', async () => {
      const platform = await connector.groups!.create(team('platform'), ctx());
      const ref = await connector.users.create(user('ada@example.com'), ctx());
      fake.failNext(1, secondaryRateLimitFault(1, 'POST /orgs/:org/invitations'));
      expect(await failure(connector.groups!.addMember(platform, ref, ctx()))).toBeInstanceOf(RateLimitedError);
      expect(fake.org.invitations.size).toBe(0);

      // A restarted bridge (a new connector) sees the same thing: the state is GitHub's, not the process's.
      connect();
      expect(await failure(connector.groups!.addMember(platform, ref, ctx()))).toBeInstanceOf(NotFoundError);
      expect(await connector.users.find(ref.key, ctx())).toBeUndefined();
      await connector.users.create({ ...user('ada@example.com'), groups: ['platform'] }, ctx());
      expect(fake.org.invitationsForEmail('ada@example.com').map((invitation) => [...invitation.teamIds])).toEqual([[Number(platform.id)]]);
      expect(await connector.groups!.addMember(platform, ref, ctx())).toBe('noop');
    });

    it('an expired invitation: the user is gone for updates and team adds, create invites again, a leaver is a noop', async () => {
      const platform = await connector.groups!.create(team('platform'), ctx());
      const ref = await connector.users.create(user('ada@example.com'), ctx());
      fake.expire('ada@example.com');
      expect(await failure(connector.groups!.addMember(platform, ref, ctx()))).toMatchObject({ kind: 'not-found', subject: 'user' });
      expect(await failure(connector.users.update(ref, { attributes: { role: 'admin' } }, ctx()))).toBeInstanceOf(NotFoundError);
      expect(await connector.users.delete!(ref, ctx())).toBe('noop');

      await connector.users.create({ ...user('ada@example.com'), groups: ['platform'] }, ctx());
      expect(fake.org.invitationsForEmail('ada@example.com')).toHaveLength(1);
      expect(fake.org.failedInvitations.map((invitation) => invitation.email)).toEqual(['ada@example.com']);
    });

    it('the fake expires invitations after 7 days on its clock', async () => {
      let now = new Date('2030-01-01T00:00:00Z');
      const clocked = await GithubFake.start({ org: 'acme', tokens: [TEST_TOKEN], now: () => now });
      try {
        const gh = github.create({ ...tokenConfig(clocked), baseUrl: clocked.url }, env);
        const ref = await gh.users.create(user('ada@example.com'), ctx());
        now = new Date('2030-01-07T23:59:00Z');
        expect(await gh.users.find(ref.key, ctx())).toBeDefined();
        now = new Date('2030-01-08T00:00:00Z');
        expect(await gh.users.find(ref.key, ctx())).toBeUndefined();
        expect(clocked.org.failedInvitations[0]).toMatchObject({ email: 'ada@example.com', failedReason: expect.stringContaining('expired') });
      } finally {
        await clocked.stop();
      }
    });

    it('a leaver whose invitation was accepted under an unknown login is refused loudly, never reported as done', async () => {
      const ref = await connector.users.create(user('ada@example.com'), ctx());
      fake.accept('ada@example.com', 'user5');
      const writesBefore = fake.requests.filter((request) => request.method !== 'GET').length;
      const error = await failure(connector.users.delete!(ref, ctx()));
      expect(error).toBeInstanceOf(PermanentError);
      expect((error as Error).message).toMatch(/accepted under a GitHub login the bridge does not know.*Remove that account/);
      expect(fake.org.members.get('user5')).toBe('member');
      expect(fake.requests.filter((request) => request.method !== 'GET')).toHaveLength(writesBefore);
    });

    it('a leaver known by email has the pending invitation cancelled', async () => {
      const ref = await connector.users.create(user('ada@example.com'), ctx());
      expect(await connector.users.delete!(ref, ctx())).toBe('applied');
      expect(fake.calls('DELETE /orgs/:org/invitations/:id')).toBe(1);
      expect(fake.org.invitations.size).toBe(0);
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

  describe('login with an email fallback (userKey template `{nickName} <{emails[primary eq true].value}>`)', () => {
    it('"login <email>" adds the login; " <email>" (no login yet) invites the email; ids are what the listings say', async () => {
      const member = await connector.users.create(user('octocat <ada@example.com>'), ctx());
      expect(member).toEqual({ id: 'octocat', key: 'octocat <ada@example.com>' });
      expect(fake.org.membership('octocat')).toEqual({ state: 'pending', role: 'member' });

      const invitee = await connector.users.create(user(' <bob@example.com>'), ctx());
      expect(invitee).toEqual({ id: 'bob@example.com', key: ' <bob@example.com>' });
      expect(fake.org.invitationsForEmail('bob@example.com')).toHaveLength(1);
      expect(await connector.users.find(' <bob@example.com>', ctx())).toMatchObject({ id: 'bob@example.com', key: ' <bob@example.com>' });
      const listed = (await collectAll(connector.users.list({}, ctx()))).map((remote) => remote.id).sort();
      expect(listed).toEqual([invitee.id, member.id].sort());
      expect(await failure(connector.users.create(user(' <>'), ctx()))).toBeInstanceOf(PermanentError);
    });

    it('the login appearing swaps the invitation for the membership; an email change behind a known login changes nothing', async () => {
      await connector.groups!.create(team('platform'), ctx());
      const ref = await connector.users.create({ ...user(' <ada@example.com>'), groups: ['platform'] }, ctx());
      expect(await connector.users.update(ref, { key: 'octocat <ada@example.com>', attributes: {} }, ctx())).toBe('applied');
      expect(fake.org.invitationsForEmail('ada@example.com')).toEqual([]);
      expect(fake.org.teamMembership('platform', 'octocat')).toEqual({ state: 'pending', role: 'member' });

      const writes = fake.requests.filter((request) => request.method !== 'GET').length;
      const renamed = { id: 'octocat', key: 'octocat <ada@example.com>' };
      expect(await connector.users.update(renamed, { key: 'Octocat <ada.lovelace@example.com>', attributes: {} }, ctx())).toBe('noop');
      expect(fake.requests.filter((request) => request.method !== 'GET')).toHaveLength(writes);
      expect(fake.org.membership('octocat')).toEqual({ state: 'pending', role: 'member' });
    });
  });

  describe('org role from teams (orgAdminTeams)', () => {
    it('a joiner in an owners team is invited as admin; joining one promotes, leaving the last one demotes', async () => {
      connect({ orgAdminTeams: ['owners', 'admins'] });
      const owners = await connector.groups!.create(team('owners'), ctx());
      const admins = await connector.groups!.create(team('admins'), ctx());
      const ada = await connector.users.create({ ...user('ada@example.com'), groups: ['owners'] }, ctx());
      expect(fake.org.invitationsForEmail('ada@example.com')[0].role).toBe('admin');
      expect(await connector.groups!.addMember(owners, ada, ctx())).toBe('noop');

      const octocat = await connector.users.create(user('octocat'), ctx());
      fake.accept('octocat');
      expect(await connector.groups!.addMember(owners, octocat, ctx())).toBe('applied');
      expect(fake.org.members.get('octocat')).toBe('admin');
      expect(await connector.groups!.addMember(admins, octocat, ctx())).toBe('applied');
      expect(await connector.groups!.removeMember(owners, octocat, ctx())).toBe('applied');
      expect(fake.org.members.get('octocat')).toBe('admin');
      // A role attribute of member does not demote someone an owners team makes admin.
      expect(await connector.users.update(octocat, { attributes: { role: 'member' } }, ctx())).toBe('noop');
      expect(await connector.groups!.removeMember(admins, octocat, ctx())).toBe('applied');
      expect(fake.org.members.get('octocat')).toBe('member');
    });

    it('an invitee leaving their owners team is re-invited as a member, in one re-issue', async () => {
      connect({ orgAdminTeams: ['owners'] });
      const owners = await connector.groups!.create(team('owners'), ctx());
      const ada = await connector.users.create({ ...user('ada@example.com'), groups: ['owners'] }, ctx());
      expect(await connector.groups!.removeMember(owners, ada, ctx())).toBe('applied');
      expect(fake.org.invitationsForEmail('ada@example.com').map((invitation) => [invitation.role, invitation.teamIds.size])).toEqual([['direct_member', 0]]);
      expect(fake.calls('POST /orgs/:org/invitations')).toBe(2);
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

    it('adding someone who is not in the org is NotFoundError (the user is gone), never an invitation behind the org role', async () => {
      const platform = await connector.groups!.create(team('platform'), ctx());
      const error = await failure(connector.groups!.addMember(platform, { id: 'hubot', key: 'hubot' }, ctx()));
      expect(error).toBeInstanceOf(NotFoundError);
      expect((error as NotFoundError).subject).toBe('user');
      expect(fake.org.membership('hubot')).toBeUndefined();
      expect(fake.calls('PUT /orgs/:org/teams/:slug/memberships/:username')).toBe(0);
    });

    it('a team that vanished is NotFoundError about the group, for a login and before an invitee loses their invitation', async () => {
      const platform = await connector.groups!.create(team('platform'), ctx());
      const octocat = await connector.users.create(user('octocat'), ctx());
      const ada = await connector.users.create(user('ada@example.com'), ctx());
      fake.org.deleteTeam('platform');
      expect(await failure(connector.groups!.addMember(platform, octocat, ctx()))).toMatchObject({ kind: 'not-found', subject: 'group' });
      expect(await failure(connector.groups!.addMember(platform, ada, ctx()))).toMatchObject({ kind: 'not-found', subject: 'group' });
      expect(fake.org.invitationsForEmail('ada@example.com')).toHaveLength(1);
      expect(fake.calls('DELETE /orgs/:org/invitations/:id')).toBe(0);
    });

    it('a team add is one write (a read first makes a repeat an honest noop at one read)', async () => {
      const platform = await connector.groups!.create(team('platform'), ctx());
      const octocat = await connector.users.create(user('octocat'), ctx());
      fake.accept('octocat');
      const before = fake.requestCount();
      expect(await connector.groups!.addMember(platform, octocat, ctx())).toBe('applied');
      const add = fake.requests.slice(before).map((request) => request.endpoint);
      expect(add.filter((endpoint) => !endpoint.startsWith('GET'))).toEqual(['PUT /orgs/:org/teams/:slug/memberships/:username']);
      const again = fake.requestCount();
      expect(await connector.groups!.addMember(platform, octocat, ctx())).toBe('noop');
      expect(fake.requests.slice(again).map((request) => request.endpoint)).toEqual(['GET /orgs/:org/teams/:slug/memberships/:username']);
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
