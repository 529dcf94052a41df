import { randomUUID } from 'node:crypto';
import { expect } from '@jest/globals';
import type { Connector, ConnectorEnv, OpContext, RemoteRef, TargetUser } from '../sdk/contract';
import type { CapturedLog } from './expectations';
import type { FakeTarget } from './fake-target';
import type { ConnectorHarness, KitCaseName } from './harness';

/** Per-run state: the fake, the connectors made for the current case and what they logged. */
export class KitRun<C, F extends FakeTarget> {
  fake!: F;
  logs: CapturedLog[] = [];
  errors: unknown[] = [];
  remembered: string[] = [];
  private connectors: Connector[] = [];

  constructor(private readonly harness: ConnectorHarness<C, F>) {}

  async start(): Promise<void> {
    this.fake = await this.harness.startFake();
  }

  async stop(): Promise<void> {
    await this.fake?.stop();
  }

  beforeCase(): void {
    this.fake.reset();
    this.logs = [];
    this.errors = [];
    this.remembered = [];
  }

  async afterCase(): Promise<void> {
    const open = this.connectors;
    this.connectors = [];
    await Promise.all(open.map((connector) => connector.close?.()));
  }

  /** A fresh connector per case, so nothing cached (tokens, ids) leaks between cases. */
  connector(options?: { pageSize?: number }): Connector {
    const connector = this.harness.definition.create(this.harness.configFor(this.fake, options), this.env());
    this.connectors.push(connector);
    return connector;
  }

  ctx(): OpContext {
    return { idempotencyKey: randomUUID(), signal: new AbortController().signal, requestId: `kit-${randomUUID()}` };
  }

  remember(text: string): void {
    this.remembered.push(text);
  }

  async createUsers(connector: Connector, count: number): Promise<TargetUser[]> {
    const users = Array.from({ length: count }, (_, index) => this.harness.samples.user(100 + index));
    for (const user of users) await connector.users.create(user, this.ctx());
    return users;
  }

  async createUserRefs(connector: Connector, count: number): Promise<RemoteRef[]> {
    const refs: RemoteRef[] = [];
    for (let index = 0; index < count; index += 1) refs.push(await connector.users.create(this.harness.samples.user(200 + index), this.ctx()));
    return refs;
  }

  async expectUser(ref: RemoteRef, expected: { key: string; active: boolean; attributes?: Record<string, unknown> }): Promise<void> {
    const held = await this.harness.inspect.user(this.fake, ref);
    expect(held).toBeDefined();
    expect(held?.key).toBe(expected.key);
    expect(held?.active).toBe(expected.active);
    if (expected.attributes) expect(held?.attributes).toMatchObject(expected.attributes);
  }

  async inspectGroup(ref: RemoteRef) {
    const inspect = this.harness.inspect.group;
    if (!inspect) throw new Error('the connector has groups: the harness must give inspect.group');
    return inspect(this.fake, ref);
  }

  async expectGroup(ref: RemoteRef, expected: { key: string; memberIds: string[] }): Promise<void> {
    const held = await this.inspectGroup(ref);
    expect(held).toBeDefined();
    expect(held?.key).toBe(expected.key);
    expect([...(held?.memberIds ?? [])].sort()).toEqual([...expected.memberIds].sort());
  }

  groupSupport(caseName: KitCaseName, options?: { pageSize?: number }) {
    const connector = this.connector(options);
    const { groups } = connector;
    const group = this.harness.samples.group;
    if (!groups || !group) {
      throw new Error(`connector has no groups (or the harness no samples.group): add skips['${caseName}'] with the reason`);
    }
    return { connector, groups, group };
  }

  private env(): ConnectorEnv {
    const capture = (level: CapturedLog['level']) => (message: string, meta?: Record<string, unknown>) => {
      this.logs.push({ level, message, meta });
    };
    return {
      logger: { debug: capture('debug'), info: capture('info'), warn: capture('warn'), error: capture('error') },
      now: () => new Date(),
      fetch: globalThis.fetch,
    };
  }
}
