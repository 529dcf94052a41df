import { afterAll, afterEach, beforeAll, beforeEach, describe, expect, it } from '@jest/globals';
import Ajv from 'ajv';
import addFormats from 'ajv-formats';
import {
  ConfigError,
  ConflictError,
  ConnectorError,
  NotFoundError,
  PermanentError,
  RateLimitedError,
  RetryableError,
} from '../sdk/errors';
import type { FakeTarget } from './fake-target';
import type { ConnectorHarness, FaultKind, KitCaseName } from './harness';
import { collectAll, expectConnectorError, textsOf } from './expectations';
import { KitRun } from './kit-run';

const PAGE_SIZE = 2;
const PAGED_USERS = 7;
const RETRY_AFTER_S = 3;

/**
 * The conformance suite: call it once from `<target>.test.ts`. It registers jest cases that drive the real
 * connector against the harness's fake and check the fake's own state. A case is skipped only when the
 * harness gives a written reason, and the reason is printed in the test title.
 */
export function runConnectorKit<C, F extends FakeTarget>(harness: ConnectorHarness<C, F>): void {
  const kit = new KitRun(harness);

  describe(`connector kit: ${harness.definition.kind}${harness.label ? ` (${harness.label})` : ''}`, () => {
    beforeAll(async () => {
      printSkips(harness);
      await kit.start();
    });
    afterAll(async () => kit.stop());
    beforeEach(() => kit.beforeCase());
    afterEach(async () => kit.afterCase());

    describe('definition', () => definitionCases(harness, kit));
    describe('check', () => checkCases(harness, kit));
    describe('users', () => userCases(harness, kit));
    describe('errors', () => errorCases(harness, kit));
    describe('groups', () => groupCases(harness, kit));
  });
}

function definitionCases<C, F extends FakeTarget>(harness: ConnectorHarness<C, F>, kit: KitRun<C, F>): void {
  kitCase(harness, 'definition-schema-compiles', () => {
    const ajv = strictAjv();
    const validate = ajv.compile(harness.definition.configSchema);
    expect(validate(harness.configFor(kit.fake))).toBe(true);
    expect(harness.definition.kind).toMatch(/^[a-z][a-z0-9]*(-[a-z0-9]+)*$/);
    expect(harness.definition.displayName.trim()).not.toBe('');
    expect(harness.definition.mapping.user.key.trim()).not.toBe('');
  });

  kitCase(harness, 'definition-invalid-configs', () => {
    expect(harness.invalidConfigs.length).toBeGreaterThan(0);
    const validate = strictAjv().compile(harness.definition.configSchema);
    for (const invalid of harness.invalidConfigs) {
      const accepted = validate(invalid.config);
      const named = (validate.errors ?? []).map(namedPath);
      expect({ name: invalid.name, accepted, names: named.includes(invalid.path) ? invalid.path : named }).toEqual({
        name: invalid.name,
        accepted: false,
        names: invalid.path,
      });
    }
  });
}

function checkCases<C, F extends FakeTarget>(harness: ConnectorHarness<C, F>, kit: KitRun<C, F>): void {
  kitCase(harness, 'check-healthy', async () => {
    const health = await kit.connector().check(kit.ctx());
    expect(health).toEqual({ ok: true, message: expect.any(String) });
  });

  kitCase(harness, 'check-revoked-credentials', async () => {
    const connector = kit.connector();
    kit.fake.revokeCredentials();
    const health = await connector.check(kit.ctx());
    expect(health.ok).toBe(false);
    expect(health.message.trim()).not.toBe('');
    kit.remember(health.message);
    await expectConnectorError(connector.users.find(harness.samples.user(1).key, kit.ctx()), ConfigError, kit.errors);
  });
}

function userCases<C, F extends FakeTarget>(harness: ConnectorHarness<C, F>, kit: KitRun<C, F>): void {
  kitCase(harness, 'user-lifecycle', async () => {
    const connector = kit.connector();
    const user = harness.samples.user(1);
    expect(await connector.users.find(user.key, kit.ctx())).toBeUndefined();
    const ref = await connector.users.create(user, kit.ctx());
    expect(ref.key).toBe(user.key);
    await kit.expectUser(ref, { key: user.key, active: true, attributes: user.attributes });

    const found = await connector.users.find(user.key, kit.ctx());
    expect(found).toMatchObject({ id: ref.id, key: user.key, active: true });

    const changes = harness.samples.userChanges(user);
    expect(await connector.users.update(ref, changes, kit.ctx())).toBe('applied');
    await kit.expectUser(ref, { key: user.key, active: true, attributes: { ...user.attributes, ...changes.attributes } });

    if (!connector.users.delete) return;
    expect(await connector.users.delete(ref, kit.ctx())).toBe('applied');
    expect(await harness.inspect.user(kit.fake, ref)).toBeUndefined();
    expect(await connector.users.find(user.key, kit.ctx())).toBeUndefined();
  });

  kitCase(harness, 'user-disable-enable', async () => {
    const connector = kit.connector();
    const { disable, enable } = requireMembers(connector.users, ['disable', 'enable'], 'user-disable-enable');
    const user = harness.samples.user(2);
    const ref = await connector.users.create(user, kit.ctx());

    expect(await disable(ref, kit.ctx())).toBe('applied');
    await kit.expectUser(ref, { key: user.key, active: false });
    expect(await connector.users.find(user.key, kit.ctx())).toMatchObject({ id: ref.id, active: false });
    expect(await disable(ref, kit.ctx())).toBe('noop');

    expect(await enable(ref, kit.ctx())).toBe('applied');
    await kit.expectUser(ref, { key: user.key, active: true });
    expect(await enable(ref, kit.ctx())).toBe('noop');
  });

  kitCase(harness, 'user-create-conflict', async () => {
    const connector = kit.connector();
    const user = harness.samples.user(3);
    const ref = await connector.users.create(user, kit.ctx());
    const conflict = await expectConnectorError(connector.users.create(user, kit.ctx()), ConflictError, kit.errors);
    expect(conflict.existing).toMatchObject({ id: ref.id, key: user.key });
  });

  kitCase(harness, 'user-delete-noop', async () => {
    const connector = kit.connector();
    const { delete: remove } = requireMembers(connector.users, ['delete'], 'user-delete-noop');
    const ref = await connector.users.create(harness.samples.user(4), kit.ctx());
    expect(await remove(ref, kit.ctx())).toBe('applied');
    expect(await remove(ref, kit.ctx())).toBe('noop');
  });

  kitCase(harness, 'user-list-paging', async () => {
    const connector = kit.connector({ pageSize: PAGE_SIZE });
    const users = await kit.createUsers(connector, PAGED_USERS);
    const before = kit.fake.requestCount();
    const listed = await collectAll(connector.users.list({ pageSize: PAGE_SIZE }, kit.ctx()));
    expect(new Set(listed.map((remote) => remote.id)).size).toBe(listed.length);
    expect(listed.map((remote) => remote.key).sort()).toEqual(users.map((user) => user.key).sort());
    expect(kit.fake.requestCount() - before).toBeGreaterThanOrEqual(Math.ceil(PAGED_USERS / PAGE_SIZE));
  });

  kitCase(harness, 'user-list-abort', async () => {
    const connector = kit.connector({ pageSize: PAGE_SIZE });
    await kit.createUsers(connector, PAGED_USERS);
    const controller = new AbortController();
    const before = kit.fake.requestCount();
    let seen = 0;
    let atAbort = -1;
    try {
      for await (const _user of connector.users.list({ pageSize: PAGE_SIZE }, { ...kit.ctx(), signal: controller.signal })) {
        seen += 1;
        if (atAbort < 0) {
          controller.abort();
          atAbort = kit.fake.requestCount();
        }
      }
    } catch {
      // Throwing on abort is the expected way to stop (a listing cut short must not look complete).
    }
    expect(seen).toBeLessThan(PAGED_USERS);
    expect(kit.fake.requestCount()).toBe(atAbort);
    expect(atAbort - before).toBeLessThan(Math.ceil(PAGED_USERS / PAGE_SIZE));
  });
}

function errorCases<C, F extends FakeTarget>(harness: ConnectorHarness<C, F>, kit: KitRun<C, F>): void {
  /** Injects one fault the way the target's API produces it, then creates a user; returns the typed error. */
  const createFailingWith = <E extends ConnectorError>(kind: FaultKind, type: abstract new (...args: never[]) => E) => {
    const connector = kit.connector();
    harness.injectFault(kit.fake, kind, { retryAfterS: RETRY_AFTER_S });
    return expectConnectorError(connector.users.create(harness.samples.user(5), kit.ctx()), type, kit.errors);
  };

  kitCase(harness, 'error-rate-limited', async () => {
    const error = await createFailingWith('rate-limited', RateLimitedError);
    expect(error.retryAfterMs).toBe(RETRY_AFTER_S * 1000);
  });
  // The harness injects a 503 without Retry-After (with one, it would rightly be a RateLimitedError).
  kitCase(harness, 'error-unavailable', async () => void (await createFailingWith('unavailable', RetryableError)));
  kitCase(harness, 'error-unauthorized', async () => void (await createFailingWith('unauthorized', ConfigError)));
  kitCase(harness, 'error-bad-request', async () => void (await createFailingWith('bad-request', PermanentError)));

  kitCase(harness, 'error-update-not-found', async () => {
    const connector = kit.connector();
    const user = harness.samples.user(6);
    const ref = await connector.users.create(user, kit.ctx());
    await harness.inspect.removeUser(kit.fake, ref);
    await expectConnectorError(connector.users.update(ref, harness.samples.userChanges(user), kit.ctx()), NotFoundError, kit.errors);
    if (connector.users.disable) await expectConnectorError(connector.users.disable(ref, kit.ctx()), NotFoundError, kit.errors);
    if (connector.users.delete) expect(await connector.users.delete(ref, kit.ctx())).toBe('noop');
  });

  kitCase(harness, 'error-no-secrets', async () => {
    const config = harness.configFor(kit.fake);
    const secrets = harness.secretsOf(config).filter((secret) => secret.length >= 4);
    expect(secrets.length).toBeGreaterThan(0);
    const connector = kit.connector();
    const user = harness.samples.user(7);
    for (const kind of ['rate-limited', 'unavailable', 'unauthorized', 'bad-request'] as const) {
      harness.injectFault(kit.fake, kind, { retryAfterS: RETRY_AFTER_S });
      await expectConnectorError(connector.users.create(user, kit.ctx()), ConnectorError, kit.errors);
    }
    kit.fake.revokeCredentials();
    kit.remember((await connector.check(kit.ctx())).message);
    await expectConnectorError(connector.users.create(user, kit.ctx()), ConnectorError, kit.errors);

    const texts = [...kit.errors.flatMap(textsOf), ...kit.remembered, ...kit.logs.map((log) => JSON.stringify(log))];
    for (const secret of secrets) {
      expect(texts.filter((text) => text.includes(secret))).toEqual([]);
    }
  });
}

function groupCases<C, F extends FakeTarget>(harness: ConnectorHarness<C, F>, kit: KitRun<C, F>): void {
  kitCase(harness, 'group-lifecycle', async () => {
    const { groups, group } = kit.groupSupport('group-lifecycle');
    const sample = group(1);
    const ref = await groups.create(sample, kit.ctx());
    expect(ref.key).toBe(sample.key);
    await kit.expectGroup(ref, { key: sample.key, memberIds: [] });
    if (groups.find) expect(await groups.find(sample.key, kit.ctx())).toMatchObject({ id: ref.id, key: sample.key });
    expect(await groups.delete(ref, kit.ctx())).toBe('applied');
    expect(await kit.inspectGroup(ref)).toBeUndefined();
    expect(await groups.delete(ref, kit.ctx())).toBe('noop');
  });

  kitCase(harness, 'group-create-conflict', async () => {
    const { groups, group } = kit.groupSupport('group-create-conflict');
    const ref = await groups.create(group(2), kit.ctx());
    const conflict = await expectConnectorError(groups.create(group(2), kit.ctx()), ConflictError, kit.errors);
    expect(conflict.existing).toMatchObject({ id: ref.id, key: ref.key });
  });

  kitCase(harness, 'group-members', async () => {
    const { connector, groups, group } = kit.groupSupport('group-members');
    const ref = await groups.create(group(3), kit.ctx());
    const [alice, bob] = await kit.createUserRefs(connector, 2);
    expect(await groups.addMember(ref, alice, kit.ctx())).toBe('applied');
    expect(await groups.addMember(ref, bob, kit.ctx())).toBe('applied');
    await kit.expectGroup(ref, { key: ref.key, memberIds: [alice.id, bob.id] });
    const listed = await collectAll(groups.listMembers(ref, { pageSize: PAGE_SIZE }, kit.ctx()));
    expect(listed.map((member) => member.id).sort()).toEqual([alice.id, bob.id].sort());

    expect(await groups.removeMember(ref, alice, kit.ctx())).toBe('applied');
    await kit.expectGroup(ref, { key: ref.key, memberIds: [bob.id] });
  });

  kitCase(harness, 'group-members-noop', async () => {
    const { connector, groups, group } = kit.groupSupport('group-members-noop');
    const ref = await groups.create(group(4), kit.ctx());
    const [user] = await kit.createUserRefs(connector, 1);
    expect(await groups.addMember(ref, user, kit.ctx())).toBe('applied');
    expect(await groups.addMember(ref, user, kit.ctx())).toBe('noop');
    expect(await groups.removeMember(ref, user, kit.ctx())).toBe('applied');
    expect(await groups.removeMember(ref, user, kit.ctx())).toBe('noop');
    await kit.expectGroup(ref, { key: ref.key, memberIds: [] });
  });

  kitCase(harness, 'group-list-paging', async () => {
    const { groups, group } = kit.groupSupport('group-list-paging', { pageSize: PAGE_SIZE });
    const keys: string[] = [];
    for (let n = 10; n < 15; n += 1) keys.push((await groups.create(group(n), kit.ctx())).key);
    const listed = await collectAll(groups.list({ pageSize: PAGE_SIZE }, kit.ctx()));
    expect(new Set(listed.map((remote) => remote.id)).size).toBe(listed.length);
    expect(listed.map((remote) => remote.key).sort()).toEqual(keys.sort());
  });
}

/** Registers one case, or a skip whose title carries the harness's reason. A skip without a reason fails. */
function kitCase<C, F extends FakeTarget>(harness: ConnectorHarness<C, F>, name: KitCaseName, body: () => void | Promise<void>): void {
  const reason = harness.skips?.[name];
  if (reason === undefined) return void it(name, body);
  if (!reason.trim()) return void it(`${name}: a skip needs a written reason`, () => expect(reason.trim()).not.toBe(''));
  it.skip(`${name} — skipped: ${reason}`, () => undefined);
}

function printSkips<C, F extends FakeTarget>(harness: ConnectorHarness<C, F>): void {
  const skips = Object.entries(harness.skips ?? {});
  if (skips.length === 0) return;
  const lines = skips.map(([name, reason]) => `  ${name}: ${reason}`).join('\n');
  console.info(`connector kit: ${harness.definition.kind}${harness.label ? ` (${harness.label})` : ''} skips ${skips.length} case(s):\n${lines}`);
}

/** Strict mode: a typo in a connector's schema (an unknown keyword) fails here, not in production. */
function strictAjv(): Ajv {
  const ajv = new Ajv({ strict: true, allErrors: true });
  addFormats(ajv);
  return ajv;
}

/** The path an ajv error names: its instancePath, plus the property for required/additionalProperties. */
function namedPath(error: { instancePath: string; keyword: string; params: Record<string, unknown> }): string {
  const property = error.params.missingProperty ?? error.params.additionalProperty;
  return typeof property === 'string' ? `${error.instancePath}/${property}` : error.instancePath;
}

function requireMembers<T extends object, K extends keyof T>(target: T, names: K[], caseName: KitCaseName): Required<Pick<T, K>> {
  for (const name of names) {
    if (typeof target[name] !== 'function') {
      throw new Error(`connector has no ${String(name)}: add skips['${caseName}'] with the reason the target cannot do it`);
    }
  }
  const bound = Object.fromEntries(names.map((name) => [name, (target[name] as (...args: unknown[]) => unknown).bind(target)]));
  return bound as Required<Pick<T, K>>;
}
