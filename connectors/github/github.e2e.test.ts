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
        groups: [
          { scim: 'Engineering', target: 'engineering', create: true },
          { scim: 'Platform', target: 'platform', create: true },
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

  async close(): Promise<void> {
    await this.engine.stop();
    this.store.close();
  }

  scim(method: 'post' | 'patch', path: string, body: object) {
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

  deadLetters(): unknown[] {
    return this.store.db.prepare(`SELECT subject_kind, last_error FROM sync_queue WHERE state = 'dead'`).all();
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

  /** octocat (the IdP knows the login) and ada (only an email) join the Engineering group. */
  async function loginAndEmailInEngineering() {
    const started = await startBridge();
    const octocat = await started.user('octocat');
    const ada = await started.user('ada@example.com');
    await started.group('Engineering', [octocat, ada]);
    await started.drained();
    return { bridge: started, octocat, ada };
  }

  const invitedTeams = (email: string) =>
    fake.org.invitationsForEmail(email).map((invitation) => [...invitation.teamIds].map((id) => fake.org.teamById(id)?.slug));

  it('joiners: a known login becomes a membership, an email becomes one invitation, both in the mapped team', async () => {
    const { bridge } = await loginAndEmailInEngineering();

    expect(fake.org.membership('octocat')).toEqual({ state: 'pending', role: 'member' });
    expect(fake.org.teamMembership('engineering', 'octocat')).toEqual({ state: 'pending', role: 'member' });
    expect(invitedTeams('ada@example.com')).toEqual([['engineering']]);
    expect(fake.org.team('engineering').description).toBe('Managed by scim-bridge from SCIM group Engineering');

    fake.accept('octocat');
    expect(fake.org.team('engineering').members.get('octocat')).toBe('member');
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

    await bridge.patch(`/Groups/${engineering}`, { op: 'remove', path: `members[value eq "${octocat}"]` });
    await bridge.patch(`/Groups/${platform}`, { op: 'add', path: 'members', value: [{ value: octocat }] });
    await bridge.drained();

    expect(fake.org.team('engineering').members.has('octocat')).toBe(false);
    expect(fake.org.team('platform').members.get('octocat')).toBe('maintainer');
    expect(fake.calls('PUT /orgs/:org/teams/:slug/memberships/:username') - puts).toBe(1);
    expect(fake.calls('DELETE /orgs/:org/teams/:slug/memberships/:username') - deletes).toBe(1);
    expect(fake.org.membership('octocat')).toEqual({ state: 'active', role: 'member' });
  });

  it('leavers: active=false removes the member from the org (and teams) and cancels the pending invitation', async () => {
    const { bridge, octocat, ada } = await loginAndEmailInEngineering();
    fake.accept('octocat');

    // Okta deactivates with a no-path replace; Entra with a path and a string boolean.
    await bridge.patch(`/Users/${octocat}`, { op: 'replace', value: { active: false } });
    await bridge.patch(`/Users/${ada}`, { op: 'Replace', path: 'active', value: 'False' });
    await bridge.drained();

    expect(fake.org.membership('octocat')).toBeUndefined();
    expect(fake.org.team('engineering').members.size).toBe(0);
    expect(fake.org.invitations.size).toBe(0);
    expect(fake.calls('DELETE /orgs/:org/invitations/:id')).toBeGreaterThanOrEqual(1);
    expect(bridge.deadLetters()).toEqual([]);
  });

  it('a secondary-rate-limit storm: everything lands once allowed, and no email is invited twice', async () => {
    const bridge = await startBridge();
    const storm = 10;
    fake.failNext(storm, secondaryRateLimitFault(1));
    const emails = Array.from({ length: 4 }, (_, n) => `storm${n}@example.com`);
    const logins = ['user1', 'user2'];
    const ids: string[] = [];
    for (const userName of [...emails, ...logins]) ids.push(await bridge.user(userName));
    await bridge.group('Engineering', ids);
    await bridge.drained(60_000);

    expect(fake.requests.filter((call) => call.status === 403)).toHaveLength(storm);
    for (const email of emails) expect(invitedTeams(email)).toEqual([['engineering']]);
    for (const login of logins) expect(fake.org.teamMembership('engineering', login)).toEqual({ state: 'pending', role: 'member' });
    expect(fake.org.invitations.size).toBe(emails.length + logins.length);
    // One invitation per email, plus one re-issue each to add the team (GitHub cannot edit a pending invitation).
    const invites = fake.requests.filter((call) => call.endpoint === 'POST /orgs/:org/invitations' && call.status === 201);
    expect(invites).toHaveLength(emails.length * 2);
    expect(bridge.deadLetters()).toEqual([]);
  }, 90_000);
});
