import request from 'supertest';
import { createApp } from '../../src/app';
import { defaultConfig } from '../../src/config/defaults';
import type { TargetConfig } from '../../src/config/types';
import { createLogger } from '../../src/log';
import { Store } from '../../src/store';
import { openDatabase } from '../../src/store/db';
import { Tokens } from '../../src/store/tokens';
import { SyncEngine } from '../../src/sync/engine';
import type { GithubFake } from './fake';
import { secondaryRateLimitFault } from './fake-responses';
import { startGithubFake, tokenConfig } from './harness';
import { github } from './index';

const USER = 'urn:ietf:params:scim:schemas:core:2.0:User';
const GROUP = 'urn:ietf:params:scim:schemas:core:2.0:Group';
const PATCH = 'urn:ietf:params:scim:api:messages:2.0:PatchOp';

/** IdP-shaped SCIM → the bridge (edge, store, engine) → the GitHub connector → the GitHub fake. */
class GithubBridge {
  private readonly store = new Store(openDatabase(':memory:'));
  private readonly engine: SyncEngine;
  private readonly app: ReturnType<typeof createApp>;
  private readonly bearer: string;

  constructor(fake: GithubFake, target: Partial<TargetConfig> = {}) {
    const tokens = new Tokens(this.store.db);
    this.bearer = `Bearer ${tokens.create('okta', 'scim')}`;
    const logger = createLogger({ silent: true });
    const targets: TargetConfig[] = [
      {
        name: 'github',
        connector: github.kind,
        config: { ...tokenConfig(fake, { maintainerTeams: ['platform'] }) },
        // As the README recommends: a user is delivered once in a mapped group, so the invitation can carry its teams.
        scope: { groups: ['Engineering', 'Platform', 'Leads'] },
        groups: [
          { scim: 'Engineering', target: 'engineering', create: true },
          { scim: 'Platform', target: 'platform', create: true },
          { scim: 'Leads', target: 'leads', create: true },
        ],
        // Fast for tests; the connector's own default is 1 request a second (README).
        delivery: { requestsPerSecond: 200, maxAttempts: 30, backoff: { baseMs: 5, maxMs: 50 } },
        ...target,
      },
    ];
    this.engine = new SyncEngine({ store: this.store, targets, connectors: [github], logger, pollMs: 10 });
    this.app = createApp({ store: this.store, tokens, logger, config: defaultConfig() });
  }

  start = () => this.engine.start();
  pause = () => this.engine.pause('github');
  resume = () => this.engine.resume('github');

  async close(): Promise<void> {
    await this.engine.stop();
    this.store.close();
  }

  scim(method: 'post' | 'patch' | 'delete', path: string, body?: object) {
    return request(this.app)[method](`/scim/v2${path}`).set('Authorization', this.bearer).set('Content-Type', 'application/scim+json').send(body);
  }

  async user(userName: string): Promise<string> {
    const emails = [{ type: 'work', primary: true, value: userName.includes('@') ? userName : `${userName}@example.com` }];
    const res = await this.scim('post', '/Users', { schemas: [USER], userName, active: true, name: { givenName: 'A', familyName: 'B' }, emails });
    expect(res.status).toBe(201);
    return res.body.id;
  }

  async group(displayName: string, memberIds: string[]): Promise<string> {
    const res = await this.scim('post', '/Groups', { schemas: [GROUP], displayName, members: memberIds.map((value) => ({ value })) });
    expect(res.status).toBe(201);
    return res.body.id;
  }

  async patch(path: string, ...operations: object[]): Promise<void> {
    const res = await this.scim('patch', path, { schemas: [PATCH], Operations: operations });
    expect([200, 204]).toContain(res.status);
  }

  /** Until the queue has nothing pending or in flight; rate-limit pauses included. */
  async drained(timeoutMs = 40_000): Promise<void> {
    const busy = this.store.db.prepare(`SELECT COUNT(*) AS n FROM sync_queue WHERE state IN ('pending', 'inflight')`);
    const deadline = Date.now() + timeoutMs;
    while ((busy.get() as { n: number }).n > 0) {
      if (Date.now() > deadline) throw new Error('the sync queue did not drain in time');
      await new Promise((resolve) => setTimeout(resolve, 10));
    }
  }

  deadLetters(): Array<{ subject_kind: string; last_error: string }> {
    return this.store.db.prepare(`SELECT subject_kind, last_error FROM sync_queue WHERE state = 'dead'`).all() as Array<{ subject_kind: string; last_error: string }>;
  }

  groupLink(groupId: string): { created: boolean } | undefined {
    const row = this.store.db.prepare(`SELECT last_applied FROM links WHERE target = 'github' AND subject_kind = 'group' AND subject_id = ?`).get(groupId) as
      | { last_applied: string }
      | undefined;
    return row && JSON.parse(row.last_applied);
  }

  ledgerKinds(subjectId: string): string[] {
    const rows = this.store.db.prepare(`SELECT kind FROM ledger WHERE subject = ? ORDER BY seq`).all(`user:${subjectId}`) as Array<{ kind: string }>;
    return rows.map((row) => row.kind);
  }
}

describe('end to end: SCIM into the bridge, out to a GitHub organization', () => {
  let fake: GithubFake;
  let bridge: GithubBridge | undefined;

  beforeAll(async () => {
    fake = await startGithubFake();
  });
  afterAll(async () => fake.stop());
  beforeEach(() => fake.reset());
  afterEach(async () => {
    await bridge?.close();
    bridge = undefined;
  });

  async function startBridge(target: Partial<TargetConfig> = {}): Promise<GithubBridge> {
    bridge = new GithubBridge(fake, target);
    await bridge.start();
    return bridge;
  }

  /** The mapped groups exist on GitHub already (their teams were created by an earlier sync). */
  async function groupsExist(started: GithubBridge, names: string[]): Promise<Record<string, string>> {
    const ids: Record<string, string> = {};
    for (const name of names) ids[name] = await started.group(name, []);
    await started.drained();
    return ids;
  }

  const addMember = (started: GithubBridge, groupId: string, userId: string) =>
    started.patch(`/Groups/${groupId}`, { op: 'add', path: 'members', value: [{ value: userId }] });

  /** Engineering and Platform exist; ada (email only) is invited with Engineering. */
  async function adaInvitedToEngineering() {
    const started = await startBridge();
    const groups = await groupsExist(started, ['Engineering', 'Platform']);
    const ada = await started.user('ada@example.com');
    await addMember(started, groups.Engineering, ada);
    await started.drained();
    return { bridge: started, groups, ada };
  }

  const invitedTeams = (email: string) =>
    fake.org.invitationsForEmail(email).map((invitation) => [...invitation.teamIds].map((id) => fake.org.teamById(id)?.slug).sort());
  const created = (endpoint: string) => fake.requests.filter((call) => call.endpoint === endpoint && (call.status ?? 0) < 300);

  it('joiners: a known login becomes a membership, an email becomes one invitation, both in the mapped team', async () => {
    const bridge = await startBridge();
    const octocat = await bridge.user('octocat');
    const ada = await bridge.user('ada@example.com');
    await bridge.group('Engineering', [octocat, ada]);
    await bridge.drained();

    expect(fake.org.membership('octocat')).toEqual({ state: 'pending', role: 'member' });
    expect(fake.org.teamMembership('engineering', 'octocat')).toEqual({ state: 'pending', role: 'member' });
    expect(invitedTeams('ada@example.com')).toEqual([['engineering']]);
    expect(created('POST /orgs/:org/invitations')).toHaveLength(1);
    expect(fake.org.team('engineering').description).toBe('Managed by scim-bridge from SCIM group Engineering');

    fake.accept('octocat');
    expect(fake.org.team('engineering').members.get('octocat')).toBe('member');
    expect(bridge.deadLetters()).toEqual([]);
  });

  it('an email joiner in three mapped groups gets exactly one invitation, carrying the three teams', async () => {
    const bridge = await startBridge();
    const groups = await groupsExist(bridge, ['Engineering', 'Platform', 'Leads']);
    bridge.pause();
    const ada = await bridge.user('ada@example.com');
    for (const name of ['Engineering', 'Platform', 'Leads']) await addMember(bridge, groups[name], ada);
    bridge.resume();
    await bridge.drained();

    expect(invitedTeams('ada@example.com')).toEqual([['engineering', 'leads', 'platform']]);
    expect(created('POST /orgs/:org/invitations')).toHaveLength(1);
    expect(fake.calls('DELETE /orgs/:org/invitations/:id')).toBe(0);
    expect(bridge.deadLetters()).toEqual([]);
  });

  it('mover: leaving one mapped group and joining another is one team removal and one team add', async () => {
    const bridge = await startBridge();
    const octocat = await bridge.user('octocat');
    const engineering = await bridge.group('Engineering', [octocat]);
    const platform = await bridge.group('Platform', []);
    await bridge.drained();
    fake.accept('octocat');
    expect(fake.org.team('engineering').members.get('octocat')).toBe('member');
    const puts = fake.calls('PUT /orgs/:org/teams/:slug/memberships/:username');
    const deletes = fake.calls('DELETE /orgs/:org/teams/:slug/memberships/:username');

    // Both changes land before delivery: in between, octocat would be in no scoped group (a leaver).
    bridge.pause();
    await bridge.patch(`/Groups/${engineering}`, { op: 'remove', path: `members[value eq "${octocat}"]` });
    await addMember(bridge, platform, octocat);
    bridge.resume();
    await bridge.drained();

    expect(fake.org.team('engineering').members.has('octocat')).toBe(false);
    expect(fake.org.team('platform').members.get('octocat')).toBe('maintainer');
    expect(fake.calls('PUT /orgs/:org/teams/:slug/memberships/:username') - puts).toBe(1);
    expect(fake.calls('DELETE /orgs/:org/teams/:slug/memberships/:username') - deletes).toBe(1);
    expect(fake.org.membership('octocat')).toEqual({ state: 'active', role: 'member' });
  });

  it('leavers: active=false removes the member from the org (and teams) and cancels the pending invitation', async () => {
    const bridge = await startBridge();
    const octocat = await bridge.user('octocat');
    const ada = await bridge.user('ada@example.com');
    await bridge.group('Engineering', [octocat, ada]);
    await bridge.drained();
    fake.accept('octocat');

    // Okta deactivates with a no-path replace; Entra with a path and a string boolean.
    await bridge.patch(`/Users/${octocat}`, { op: 'replace', value: { active: false } });
    await bridge.patch(`/Users/${ada}`, { op: 'Replace', path: 'active', value: 'False' });
    await bridge.drained();

    expect(fake.org.membership('octocat')).toBeUndefined();
    expect(fake.org.team('engineering').members.size).toBe(0);
    expect(fake.org.invitations.size).toBe(0);
    expect(fake.calls('DELETE /orgs/:org/invitations/:id')).toBe(1);
    expect(bridge.deadLetters()).toEqual([]);
  });

  it('a leaver who accepted the email invitation under another login is dead-lettered with what to do, never recorded as removed', async () => {
    const bridge = await startBridge();
    const ada = await bridge.user('ada@example.com');
    await bridge.group('Engineering', [ada]);
    await bridge.drained();
    fake.accept('ada@example.com', 'user5');

    expect((await bridge.scim('delete', `/Users/${ada}`)).status).toBe(204);
    await bridge.drained();

    expect(fake.org.members.get('user5')).toBe('member');
    expect(bridge.deadLetters()).toEqual([{ subject_kind: 'user', last_error: expect.stringContaining('accepted under a GitHub login the bridge does not know') }]);
    expect(bridge.ledgerKinds(ada)).toContain('delivery.dead');
    expect(bridge.ledgerKinds(ada)).not.toContain('delivery.noop');
  });

  it('an invitation that expired is sent again, with all the teams, when the next team add finds it gone', async () => {
    const { bridge, groups, ada } = await adaInvitedToEngineering();
    fake.expire('ada@example.com');

    await addMember(bridge, groups.Platform, ada);
    await bridge.drained();

    expect(invitedTeams('ada@example.com')).toEqual([['engineering', 'platform']]);
    expect(created('POST /orgs/:org/invitations')).toHaveLength(2);
    expect(bridge.deadLetters()).toEqual([]);
    // The team is still the bridge's: removing the SCIM group's mapping would delete it.
    expect(bridge.groupLink(groups.Platform)).toMatchObject({ created: true });
  });

  it('a re-issue cut between the cancel and the new invitation (rate limit) ends with one invitation carrying every team', async () => {
    const { bridge, groups, ada } = await adaInvitedToEngineering();
    fake.failNext(1, secondaryRateLimitFault(1, 'POST /orgs/:org/invitations'));

    await addMember(bridge, groups.Platform, ada);
    await bridge.drained();

    expect(fake.org.invitations.size).toBe(1);
    expect(invitedTeams('ada@example.com')).toEqual([['engineering', 'platform']]);
    expect(bridge.deadLetters()).toEqual([]);
  });

  it('a user without a login is invited by email when the key is "{nickName} <{email}>"; the login arriving swaps it for the membership', async () => {
    const bridge = await startBridge({ userKey: '{nickName} <{emails[primary eq true].value}>' });
    const ada = await bridge.user('ada@example.com');
    await bridge.group('Engineering', [ada]);
    await bridge.drained();
    expect(invitedTeams('ada@example.com')).toEqual([['engineering']]);

    await bridge.patch(`/Users/${ada}`, { op: 'add', path: 'nickName', value: 'octocat' });
    await bridge.drained();
    expect(fake.org.invitationsForEmail('ada@example.com')).toEqual([]);
    expect(fake.org.membership('octocat')).toEqual({ state: 'pending', role: 'member' });
    expect(fake.org.teamMembership('engineering', 'octocat')).toEqual({ state: 'pending', role: 'member' });
    expect(bridge.deadLetters()).toEqual([]);
  });

  it('a secondary-rate-limit storm and GitHub\'s content-creation limit: everything lands once allowed, one invitation per email', async () => {
    const bridge = await startBridge();
    const { Engineering: engineering } = await groupsExist(bridge, ['Engineering']);
    const storm = 10;
    fake.failNext(storm, secondaryRateLimitFault(1));
    fake.limitContentCreation(4, 1);
    const emails = Array.from({ length: 4 }, (_, n) => `storm${n}@example.com`);
    const logins = ['user1', 'user2'];
    const ids: string[] = [];
    for (const userName of [...emails, ...logins]) ids.push(await bridge.user(userName));
    await bridge.patch(`/Groups/${engineering}`, { op: 'add', path: 'members', value: ids.map((value) => ({ value })) });
    await bridge.drained(60_000);

    expect(fake.requests.filter((call) => call.status === 403).length).toBeGreaterThanOrEqual(storm);
    for (const email of emails) expect(invitedTeams(email)).toEqual([['engineering']]);
    for (const login of logins) expect(fake.org.teamMembership('engineering', login)).toEqual({ state: 'pending', role: 'member' });
    expect(fake.org.invitations.size).toBe(emails.length + logins.length);
    expect(created('POST /orgs/:org/invitations')).toHaveLength(emails.length);
    expect(fake.calls('DELETE /orgs/:org/invitations/:id')).toBe(0);
    expect(bridge.deadLetters()).toEqual([]);
  }, 90_000);
});
