import { afterAll, afterEach, beforeAll, describe, expect, it } from '@jest/globals';
import type { Request } from 'express';
import request from 'supertest';
import { createApp } from '../../src/app';
import { defaultConfig } from '../../src/config/defaults';
import type { TargetConfig } from '../../src/config/types';
import { createLogger } from '../../src/log';
import { Store } from '../../src/store';
import { openDatabase } from '../../src/store/db';
import { Tokens } from '../../src/store/tokens';
import { SyncEngine } from '../../src/sync/engine';
import { findingLines, reconcileService } from '../../test/reconcile/support';
import { FakeIam } from './fake';
import { errorXml, IamFault, tagList, type FormParams } from './fake-query-codec';
import { configForFake } from './harness';
import { awsIam } from './index';

const USER_SCHEMA = 'urn:ietf:params:scim:schemas:core:2.0:User';
const GROUP_SCHEMA = 'urn:ietf:params:scim:schemas:core:2.0:Group';
const TARGET = 'aws';
const THROTTLED = { status: 400, body: errorXml(new IamFault('Throttling', 400, 'Rate exceeded')), contentType: 'text/xml' };

/** The bridge in-process: SCIM edge and store, the sync engine with one aws-iam target pointed at the fake. */
class Bridge {
  readonly store = new Store(openDatabase(':memory:'));
  readonly engine: SyncEngine;
  private readonly targets: TargetConfig[];
  private readonly token: string;
  private readonly app: ReturnType<typeof createApp>;

  constructor(fake: FakeIam, target: Partial<TargetConfig> = {}) {
    const tokens = new Tokens(this.store.db);
    this.token = tokens.create('entra', 'scim');
    const targets: TargetConfig[] = (this.targets = [{
      name: TARGET,
      connector: 'aws-iam',
      config: { ...configForFake(fake) },
      groups: [{ scim: 'Engineering', target: 'engineering', create: true }],
      delivery: { maxAttempts: 20, backoff: { baseMs: 5, maxMs: 50 } },
      ...target,
    }]);
    const logger = createLogger({ silent: true });
    this.engine = new SyncEngine({ store: this.store, targets, connectors: [awsIam], logger, pollMs: 20 });
    this.app = createApp({ store: this.store, tokens, logger, config: defaultConfig() });
  }

  scim(method: 'post' | 'patch' | 'delete', path: string, body?: object): request.Test {
    const call = request(this.app)[method](`/scim/v2${path}`).set('Authorization', `Bearer ${this.token}`);
    return body ? call.set('Content-Type', 'application/scim+json').send(body) : call;
  }

  async createUser(userName: string, displayName: string): Promise<string> {
    const res = await this.scim('post', '/Users', {
      schemas: [USER_SCHEMA], userName, displayName, active: true,
      name: { givenName: displayName.split(' ')[0], familyName: displayName.split(' ').slice(1).join(' ') || 'X' },
      emails: [{ type: 'work', value: userName, primary: true }],
    });
    expect(res.status).toBe(201);
    return res.body.id as string;
  }

  async createGroup(displayName: string, memberIds: string[]): Promise<string> {
    const res = await this.scim('post', '/Groups', { schemas: [GROUP_SCHEMA], displayName, members: memberIds.map((value) => ({ value })) });
    expect(res.status).toBe(201);
    return res.body.id as string;
  }

  /** Waits until the target's queue holds nothing pending or in flight (rate-limit pauses included). */
  async settle(timeoutMs = 20_000): Promise<void> {
    const deadline = Date.now() + timeoutMs;
    const open = this.store.db.prepare(`SELECT COUNT(*) AS n FROM sync_queue WHERE target = ? AND state IN ('pending', 'inflight')`);
    while ((open.get(TARGET) as { n: number }).n > 0) {
      if (Date.now() > deadline) throw new Error('the sync queue did not drain in time');
      await new Promise((resolve) => setTimeout(resolve, 20));
    }
  }

  deadLetters(): unknown[] {
    return this.store.db.prepare(`SELECT subject_kind, last_error FROM sync_queue WHERE state = 'dead'`).all();
  }

  /** One reconcile run in report mode: its verdict and findings as lines. */
  async reconcile(): Promise<{ verdict: string; lines: string[] }> {
    const service = reconcileService(this.store, this.targets, [awsIam]);
    try {
      const report = await service.start(TARGET, { trigger: 'cli', actor: 'test', mode: 'report' }).done;
      return { verdict: report.verdict ?? report.status, lines: findingLines(service, report) };
    } finally {
      await service.close();
    }
  }

  ledgerKinds(): string[] {
    return (this.store.db.prepare(`SELECT kind FROM ledger ORDER BY seq`).all() as { kind: string }[]).map((row) => row.kind);
  }

  async close(): Promise<void> {
    await this.engine.stop();
    this.store.close();
  }
}

describe('aws-iam end to end: SCIM request → bridge → IAM', () => {
  let fake: FakeIam;
  let bridge: Bridge | undefined;

  beforeAll(async () => {
    fake = await new FakeIam().start();
  });
  afterAll(async () => fake.stop());
  afterEach(async () => {
    await bridge?.close();
    bridge = undefined;
    fake.reset();
  });

  async function startBridge(target: Partial<TargetConfig> = {}): Promise<Bridge> {
    bridge = new Bridge(fake, target);
    await bridge.engine.start();
    return bridge;
  }

  it('provisions a SCIM user as a tagged IAM user under the managed path, in the mapped group', async () => {
    const b = await startBridge();
    const ada = await b.createUser('ada@example.com', 'Ada Lovelace');
    await b.createGroup('Engineering', [ada]);
    await b.settle();

    const user = fake.state.user('ada@example.com');
    expect({ path: user.Path, tags: user.Tags }).toEqual({
      path: '/scim-bridge/',
      tags: [
        { Key: 'scim-bridge:id', Value: ada },
        { Key: 'scim-bridge:email', Value: 'ada@example.com' },
        { Key: 'scim-bridge:displayName', Value: 'Ada Lovelace' },
      ],
    });
    const group = fake.state.group('engineering');
    expect({ path: group.Path, members: [...group.memberIds] }).toEqual({ path: '/scim-bridge/', members: [user.UserId] });
    expect(b.deadLetters()).toEqual([]);

    const rename = await b.scim('patch', `/Users/${ada}`, {
      schemas: ['urn:ietf:params:scim:api:messages:2.0:PatchOp'],
      Operations: [{ op: 'Replace', path: 'displayName', value: 'Ada King' }],
    });
    expect(rename.status).toBe(200);
    await b.settle();
    expect(fake.state.user('ada@example.com').Tags).toContainEqual({ Key: 'scim-bridge:displayName', Value: 'Ada King' });
    expect(fake.calls('TagUser')).toBe(1);
  });

  it('display names with characters IAM refuses in tags land escaped, and reconciliation finds them in line', async () => {
    const b = await startBridge();
    const names = { 'conan@example.com': "Conan O'Brien", 'ada.l@example.com': 'Lovelace, Ada', 'grace@example.com': 'Grace Hopper (Contractor)' };
    for (const [userName, displayName] of Object.entries(names)) await b.createUser(userName, displayName);
    await b.settle();

    expect(b.deadLetters()).toEqual([]);
    const displayTags = Object.keys(names).map((userName) => fake.state.user(userName).Tags.find((tag) => tag.Key === 'scim-bridge:displayName')?.Value);
    expect(displayTags).toEqual(['Conan O=27Brien', 'Lovelace=2C Ada', 'Grace Hopper =28Contractor=29']);
    expect(await b.reconcile()).toEqual({ verdict: 'in-sync', lines: [] });
  });

  it('a user already under the path is adopted: tagged with the bridge id and brought up to date', async () => {
    const b = await startBridge();
    const existing = fake.state.createUser('eve@example.com', '/scim-bridge/', [{ Key: 'scim-bridge:displayName', Value: 'Eve Old' }]);
    const eve = await b.createUser('eve@example.com', 'Eve Adams');
    await b.settle();

    expect(b.deadLetters()).toEqual([]);
    expect(fake.state.userById(existing.UserId)?.Tags).toEqual([
      { Key: 'scim-bridge:displayName', Value: 'Eve Adams' },
      { Key: 'scim-bridge:id', Value: eve },
      { Key: 'scim-bridge:email', Value: 'eve@example.com' },
    ]);
    expect(await b.reconcile()).toEqual({ verdict: 'in-sync', lines: [] });
  });

  it('DELETE of a user with keys, a login profile and more added out of band cleans everything up and deletes the IAM user', async () => {
    const b = await startBridge({ deprovision: { mode: 'delete' } });
    const bob = await b.createUser('bob@example.com', 'Bob Builder');
    await b.createGroup('Engineering', [bob]);
    await b.settle();

    const { state } = fake;
    state.addLoginProfile('bob@example.com');
    state.addAccessKey('bob@example.com');
    state.addAccessKey('bob@example.com', 'Inactive');
    state.addSshPublicKey('bob@example.com');
    const mfa = state.addMfaDevice('bob@example.com', 'virtual');
    state.putUserPolicy('bob@example.com', 'hand-made');
    state.attachUserPolicy('bob@example.com', 'arn:aws:iam::aws:policy/ReadOnlyAccess');
    const userId = state.user('bob@example.com').UserId;

    expect((await b.scim('delete', `/Users/${bob}`)).status).toBe(204);
    await b.settle();

    expect(state.userById(userId)).toBeUndefined();
    expect(state.virtualMfaDevices.has(mfa)).toBe(false);
    expect(state.group('engineering').memberIds.size).toBe(0);
    expect(fake.calls('DeleteUser')).toBe(1);
    expect(b.deadLetters()).toEqual([]);
    expect(b.ledgerKinds()).toContain('delivery.applied');
  });

  it('SCIM active=false suspends: the login profile goes and the access keys are deactivated', async () => {
    const b = await startBridge({ deprovision: { mode: 'suspend' } });
    const cy = await b.createUser('cy@example.com', 'Cy Young');
    await b.settle();
    fake.state.addLoginProfile('cy@example.com');
    fake.state.addAccessKey('cy@example.com');

    const res = await b.scim('patch', `/Users/${cy}`, {
      schemas: ['urn:ietf:params:scim:api:messages:2.0:PatchOp'],
      Operations: [{ op: 'Replace', value: { active: false } }],
    });
    expect(res.status).toBe(200);
    await b.settle();

    const user = fake.state.user('cy@example.com');
    expect({ loginProfile: user.loginProfile, keys: user.accessKeys.map((key) => key.status) }).toEqual({ loginProfile: undefined, keys: ['Inactive'] });
  });

  it('a throttling storm, and a create IAM applied whose answer was lost, land without duplicates', async () => {
    const b = await startBridge();
    // The first CreateUser is applied by IAM but the client sees Throttling (a lost answer); then a storm.
    fake.failNext(1, {
      ...THROTTLED,
      endpoint: 'CreateUser',
      body: (req: Request) => {
        const params = req.body as FormParams;
        fake.state.createUser(params.UserName, params.Path, tagList(params));
        return THROTTLED.body;
      },
    });
    fake.failNext(8, THROTTLED);

    const names = Array.from({ length: 6 }, (_, n) => `storm${n}@example.com`);
    const ids: string[] = [];
    for (const name of names) ids.push(await b.createUser(name, `Storm ${name.slice(5, 6)}`));
    await b.createGroup('Engineering', ids);
    await b.settle(30_000);

    const managed = [...fake.state.users.values()].filter((user) => user.Path === '/scim-bridge/');
    expect(managed.map((user) => user.UserName).sort()).toEqual([...names].sort());
    expect(managed.map((user) => user.Tags.find((tag) => tag.Key === 'scim-bridge:id')?.Value).sort()).toEqual([...ids].sort());
    expect(fake.state.group('engineering').memberIds).toEqual(new Set(managed.map((user) => user.UserId)));
    expect(fake.state.groups.size).toBe(1);
    expect(b.deadLetters()).toEqual([]);
    const retries = b.ledgerKinds().filter((kind) => kind === 'delivery.retry').length;
    expect(retries).toBeGreaterThanOrEqual(1);
  });
});
