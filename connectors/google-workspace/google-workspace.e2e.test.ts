import { mkdtempSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import request from 'supertest';
import { createApp } from '../../src/app';
import { defaultConfig } from '../../src/config/defaults';
import type { TargetConfig } from '../../src/config/types';
import { createLogger } from '../../src/log';
import { Store } from '../../src/store';
import { Tokens } from '../../src/store/tokens';
import { SyncEngine } from '../../src/sync/engine';
import { findingLines, reconcileService } from '../../test/reconcile/support';
import { GoogleWorkspaceFake, googleErrorBody } from './fake';
import { configForFake, startGoogleFake, TEST_DOMAIN } from './harness';
import { googleWorkspace } from './index';

const USER_SCHEMA = 'urn:ietf:params:scim:schemas:core:2.0:User';
const ENTERPRISE = 'urn:ietf:params:scim:schemas:extension:enterprise:2.0:User';
const GROUP_SCHEMA = 'urn:ietf:params:scim:schemas:core:2.0:Group';
const PATCH_OP = 'urn:ietf:params:scim:api:messages:2.0:PatchOp';
const DAY_MS = 86_400_000;
const GROUP_EMAIL = `engineering@${TEST_DOMAIN}`;

/** Real time plus an offset the test moves forward, so "delete after 30 days" happens now. */
class TestClock {
  private offsetMs = 0;
  readonly now = (): Date => new Date(Date.now() + this.offsetMs);
  advance(ms: number): void {
    this.offsetMs += ms;
  }
}

/**
 * IdP-shaped SCIM requests → the bridge (SCIM edge, SQLite store, sync engine) → the Google Workspace
 * connector → the Directory API fake. Assertions read the fake's own state.
 */
class Bridge {
  readonly clock = new TestClock();
  readonly store = Store.open(join(mkdtempSync(join(tmpdir(), 'gw-e2e-')), 'bridge.db'), this.clock.now);
  readonly engine: SyncEngine;
  readonly app;
  private readonly auth: { Authorization: string };
  private readonly target: TargetConfig;

  constructor(fake: GoogleWorkspaceFake, target: Partial<TargetConfig>) {
    const logger = createLogger({ silent: true });
    this.target = { name: 'workspace', connector: googleWorkspace.kind, config: { ...configForFake(fake) }, ...target };
    this.engine = new SyncEngine({
      store: this.store,
      targets: [this.target],
      connectors: [googleWorkspace],
      logger,
      pollMs: 20,
      random: () => 0.5,
    });
    const tokens = new Tokens(this.store.db);
    this.auth = { Authorization: `Bearer ${tokens.create('entra', 'scim')}` };
    this.app = createApp({ store: this.store, tokens, logger, config: defaultConfig() });
  }

  send(method: 'post' | 'patch' | 'delete', path: string, body?: object) {
    const call = request(this.app)[method](`/scim/v2${path}`).set(this.auth).set('Content-Type', 'application/scim+json');
    return body ? call.send(body) : call;
  }

  /** Until nothing is in flight and nothing is due within `horizonMs` (a delete 30 days out is not due). */
  async delivered(horizonMs = 5_000, timeoutMs = 30_000): Promise<void> {
    const deadline = Date.now() + timeoutMs;
    const busy = () =>
      (this.store.db
        .prepare(`SELECT COUNT(*) AS n FROM sync_queue WHERE state = 'inflight' OR (state = 'pending' AND due_at <= ?)`)
        .get(this.clock.now().getTime() + horizonMs) as { n: number }).n;
    while (busy() > 0) {
      if (Date.now() > deadline) throw new Error('deliveries did not finish in time');
      await new Promise((resolve) => setTimeout(resolve, 10));
    }
  }

  deadLetters(): unknown[] {
    return this.store.db.prepare(`SELECT subject_kind, subject_id, last_error FROM sync_queue WHERE state = 'dead'`).all();
  }

  /** One reconcile run: its verdict and findings as lines (`kind key field:actual→desired [action]`). */
  async reconcile(mode: 'report' | 'fix' = 'report'): Promise<{ verdict: string | null; lines: string[] }> {
    const service = reconcileService(this.store, [this.target], [googleWorkspace]);
    try {
      const report = await service.start(this.target.name, { trigger: 'cli', actor: 'test', mode }).done;
      return { verdict: report.verdict, lines: findingLines(service, report) };
    } finally {
      await service.close();
    }
  }

  async close(): Promise<void> {
    await this.engine.stop();
    this.store.close();
  }
}

function entraUser(userName: string, extra: Record<string, unknown> = {}) {
  return {
    schemas: [USER_SCHEMA, ENTERPRISE],
    userName,
    externalId: `entra-${userName}`,
    active: true,
    name: { givenName: 'Ada', familyName: 'Lovelace' },
    emails: [{ value: userName, type: 'work', primary: true }],
    title: 'Analyst',
    phoneNumbers: [{ value: '+44 20 7946 0000', type: 'work' }],
    [ENTERPRISE]: { department: 'Engineering', employeeNumber: 'E-1815' },
    ...extra,
  };
}

describe('end to end: SCIM into the bridge, out to Google Workspace', () => {
  let fake: GoogleWorkspaceFake;
  let bridge: Bridge;

  beforeAll(async () => {
    fake = await startGoogleFake();
  });
  afterAll(async () => fake.stop());
  beforeEach(() => fake.reset());
  afterEach(async () => bridge?.close());

  async function start(target: Partial<TargetConfig>): Promise<Bridge> {
    bridge = new Bridge(fake, {
      groups: [{ scim: 'Engineering', target: GROUP_EMAIL, create: true }],
      delivery: { maxAttempts: 5, backoff: { baseMs: 10, maxMs: 50 } },
      ...target,
    });
    await bridge.engine.start();
    return bridge;
  }

  it('joiner with a group, leaver suspended on deactivation, deleted 30 days after the SCIM DELETE', async () => {
    await start({ deprovision: { mode: 'suspend-then-delete', deleteAfterDays: 30 } });
    const created = await bridge.send('post', '/Users', entraUser(`ada@${TEST_DOMAIN}`));
    expect(created.status).toBe(201);
    const scimId = created.body.id as string;
    const group = await bridge.send('post', '/Groups', { schemas: [GROUP_SCHEMA], displayName: 'Engineering', members: [{ value: scimId }] });
    expect(group.status).toBe(201);
    await bridge.delivered();

    const user = fake.findUser(`ada@${TEST_DOMAIN}`)!;
    expect(user).toMatchObject({
      name: { givenName: 'Ada', familyName: 'Lovelace' },
      suspended: false,
      phones: [{ type: 'work', value: '+44 20 7946 0000' }],
      organizations: [expect.objectContaining({ title: 'Analyst', department: 'Engineering' })],
    });
    expect(user.externalIds).toEqual(expect.arrayContaining([{ type: 'custom', customType: 'scim-bridge', value: scimId }, { type: 'organization', value: 'E-1815' }]));
    expect([...fake.findGroup(GROUP_EMAIL)!.members.keys()]).toEqual([user.id]);

    // Entra deactivates with a capitalised op and a string boolean.
    const deactivated = await bridge.send('patch', `/Users/${scimId}`, { schemas: [PATCH_OP], Operations: [{ op: 'Replace', path: 'active', value: 'False' }] });
    expect(deactivated.status).toBe(200);
    await bridge.delivered();
    expect(fake.findUser(user.id)).toMatchObject({ suspended: true });

    expect((await bridge.send('delete', `/Users/${scimId}`)).status).toBe(204);
    await bridge.delivered();
    expect(fake.findUser(user.id)).toMatchObject({ suspended: true });
    expect(fake.findGroup(GROUP_EMAIL)!.members.size).toBe(0);

    bridge.clock.advance(31 * DAY_MS);
    await bridge.delivered();
    expect(fake.findUser(user.id)).toBeUndefined();
    expect(fake.calls('DELETE /users/:userKey')).toBe(1);
    expect(bridge.deadLetters()).toEqual([]);
  });

  it('with the delete policy a SCIM DELETE deletes the Google account', async () => {
    await start({ deprovision: { mode: 'delete' } });
    const created = await bridge.send('post', '/Users', entraUser(`grace@${TEST_DOMAIN}`, { name: { givenName: 'Grace', familyName: 'Hopper' } }));
    await bridge.delivered();
    const id = fake.findUser(`grace@${TEST_DOMAIN}`)!.id;
    expect((await bridge.send('delete', `/Users/${created.body.id}`)).status).toBe(204);
    await bridge.delivered();
    expect(fake.findUser(id)).toBeUndefined();
    expect(bridge.deadLetters()).toEqual([]);
  });

  it('accounts that existed before the bridge are adopted with its id: a pre-existing manager is linked, a rehire loses the old id', async () => {
    await start({ groups: [] });
    fake.seedUser(`boss@${TEST_DOMAIN}`);
    const rehire = fake.seedUser(`rehire@${TEST_DOMAIN}`, { suspended: true, externalIds: [{ type: 'custom', customType: 'scim-bridge', value: 'id-from-a-former-job' }] });
    const boss = await bridge.send('post', '/Users', entraUser(`boss@${TEST_DOMAIN}`, { name: { givenName: 'Bo', familyName: 'Ss' } }));
    const back = await bridge.send('post', '/Users', entraUser(`rehire@${TEST_DOMAIN}`));
    await bridge.delivered();
    const emp = await bridge.send('post', '/Users', entraUser(`emp@${TEST_DOMAIN}`, { [ENTERPRISE]: { manager: { value: boss.body.id } } }));
    await bridge.delivered();

    expect(fake.findUser(`boss@${TEST_DOMAIN}`)!.externalIds).toContainEqual({ type: 'custom', customType: 'scim-bridge', value: boss.body.id });
    expect(fake.findUser(`emp@${TEST_DOMAIN}`)!.relations).toEqual([{ type: 'manager', value: `boss@${TEST_DOMAIN}` }]);
    const rehired = fake.findUser(rehire.id)!;
    expect(rehired.suspended).toBe(false);
    expect(rehired.externalIds!.filter((id) => id.customType === 'scim-bridge')).toEqual([{ type: 'custom', customType: 'scim-bridge', value: back.body.id }]);
    expect(emp.status).toBe(201);
    expect(bridge.deadLetters()).toEqual([]);
    expect(await bridge.reconcile()).toEqual({ verdict: 'in-sync', lines: [] });
  });

  it('a userName that is one of an existing account\'s aliases: the account is adopted and renamed onto it', async () => {
    await start({ groups: [] });
    const seeded = fake.seedUser(`old.name@${TEST_DOMAIN}`, { aliases: [`ada@${TEST_DOMAIN}`] });
    const created = await bridge.send('post', '/Users', entraUser(`ada@${TEST_DOMAIN}`));
    await bridge.delivered();

    expect(bridge.deadLetters()).toEqual([]);
    expect(fake.users.size).toBe(1);
    expect(fake.findUser(seeded.id)).toMatchObject({ primaryEmail: `ada@${TEST_DOMAIN}`, aliases: [`old.name@${TEST_DOMAIN}`], name: { givenName: 'Ada', familyName: 'Lovelace' } });
    expect(fake.findUser(seeded.id)!.externalIds).toContainEqual({ type: 'custom', customType: 'scim-bridge', value: created.body.id });
    expect(await bridge.reconcile()).toEqual({ verdict: 'in-sync', lines: [] });
  });

  it('a report delivered before its manager exists gets the relation once the manager is provisioned, without a reconciliation', async () => {
    await start({ groups: [] });
    const boss = await bridge.send('post', '/Users', entraUser(`boss2@${TEST_DOMAIN}`, { active: false, name: { givenName: 'Bo', familyName: 'Ss' } }));
    const emp = await bridge.send('post', '/Users', entraUser(`emp2@${TEST_DOMAIN}`, { [ENTERPRISE]: { manager: { value: boss.body.id } } }));
    await bridge.delivered();
    expect(fake.findUser(`emp2@${TEST_DOMAIN}`)!.relations ?? []).toEqual([]);

    await bridge.send('patch', `/Users/${boss.body.id}`, { schemas: [PATCH_OP], Operations: [{ op: 'replace', path: 'active', value: true }] });
    await bridge.delivered();
    expect(fake.findUser(`emp2@${TEST_DOMAIN}`)!.relations).toEqual([{ type: 'manager', value: `boss2@${TEST_DOMAIN}` }]);
    expect(await bridge.reconcile()).toEqual({ verdict: 'in-sync', lines: [] });
    expect(bridge.deadLetters()).toEqual([]);
    expect(emp.status).toBe(201);
  });

  it('a 429 storm: every change lands once the Directory API recovers, with no duplicate account or member', async () => {
    await start({ deprovision: { mode: 'suspend' } });
    const group = await bridge.send('post', '/Groups', { schemas: [GROUP_SCHEMA], displayName: 'Engineering', members: [] });
    await bridge.delivered();

    const storm = 12;
    fake.failNext(storm, { status: 429, retryAfterS: 1, body: googleErrorBody(429, 'Resource has been exhausted (e.g. check quota).') });
    const userNames = Array.from({ length: 6 }, (_, n) => `storm${n}@${TEST_DOMAIN}`);
    const ids: string[] = [];
    for (const userName of userNames) ids.push((await bridge.send('post', '/Users', entraUser(userName))).body.id);
    const added = await bridge.send('patch', `/Groups/${group.body.id}`, {
      schemas: [PATCH_OP],
      Operations: [{ op: 'add', path: 'members', value: ids.map((value) => ({ value })) }],
    });
    expect([200, 204]).toContain(added.status);
    await bridge.delivered();

    expect(fake.requests.filter((call) => call.status === 429)).toHaveLength(storm);
    const held = [...fake.users.values()].map((user) => user.primaryEmail).sort();
    expect(held).toEqual([...userNames].sort());
    expect(fake.requests.filter((call) => call.endpoint === 'POST /users' && call.status === 200)).toHaveLength(userNames.length);
    const members = fake.findGroup(GROUP_EMAIL)!.members;
    expect([...members.keys()].sort()).toEqual([...fake.users.values()].map((user) => user.id).sort());
    expect(fake.requests.filter((call) => call.endpoint === 'POST /groups/:groupKey/members' && call.status === 200)).toHaveLength(userNames.length);
    expect(bridge.deadLetters()).toEqual([]);
  }, 60_000);
});
