import { afterAll, afterEach, beforeAll, beforeEach, describe, expect } from '@jest/globals';
import Ajv from 'ajv';
import addFormats from 'ajv-formats';
import type { Attributes, Outcome, TargetUser } from '../sdk/contract';
import { ConfigError, ConflictError, NotFoundError } from '../sdk/errors';
import type { FakeTarget } from './fake-target';
import type { ConnectorHarness } from './harness';
import { collectAll, expectConnectorError } from './expectations';
import { faultCases } from './fault-cases';
import { kitCase, requireMembers } from './kit-case';
import { KitRun } from './kit-run';

const PAGE_SIZE = 2;
const PAGED_USERS = 7;
/** More members than one page holds, so listMembers must follow pages. */
const PAGED_MEMBERS = 5;

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
    describe('errors', () => faultCases(harness, kit));
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

  // The engine renames by sending the new key in changes.key, then addresses the account as { id, key: new key }.
  kitCase(harness, 'user-rename', async () => {
    const connector = kit.connector();
    const user = harness.samples.user(8);
    const newKey = harness.samples.user(9).key;
    const ref = await connector.users.create(user, kit.ctx());
    expect(await connector.users.update(ref, { key: newKey, attributes: {} }, kit.ctx())).toBe('applied');
    const renamed = { id: ref.id, key: newKey };
    await kit.expectUser(renamed, { key: newKey, active: true });
    expect(await connector.users.find(newKey, kit.ctx())).toMatchObject({ key: newKey });
    // Some targets keep the old name as an alias that still finds the account, but nothing is keyed by it any more.
    expect((await connector.users.find(user.key, kit.ctx()))?.key.toLowerCase()).not.toBe(user.key.toLowerCase());

    const changes = harness.samples.userChanges(user);
    expect(await connector.users.update(renamed, changes, kit.ctx())).toBe('applied');
    await kit.expectUser(renamed, { key: newKey, active: true, attributes: changes.attributes });
  });

  // null in changes.attributes is how the engine clears a field whose SCIM source became empty.
  kitCase(harness, 'user-clear-attributes', async () => {
    const connector = kit.connector();
    const user = harness.samples.user(10);
    const changes = harness.samples.userChanges(user);
    const ref = await connector.users.create(user, kit.ctx());
    expect(await connector.users.update(ref, changes, kit.ctx())).toBe('applied');
    const cleared = Object.fromEntries(clearableFields(user, changes.attributes).map((field) => [field, null]));
    expect(await connector.users.update(ref, { attributes: cleared }, kit.ctx())).toBe('applied');
    const held = await harness.inspect.user(kit.fake, ref);
    expect(Object.fromEntries(Object.keys(cleared).map((field) => [field, held?.attributes[field] ?? null]))).toEqual(cleared);
  });

  // On adopt (or a rehire's account still stamped with the previous id) the engine sends Changes.scimId.
  kitCase(harness, 'user-bridge-id', async () => {
    const connector = kit.connector();
    const user = harness.samples.user(12);
    const otherId = harness.samples.user(13).scimId;
    const ref = await connector.users.create(user, kit.ctx());
    await expectStamping(kit, (await connector.users.find(user.key, kit.ctx()))?.scimId, user.scimId, otherId, {
      update: () => connector.users.update(ref, { attributes: {}, scimId: otherId }, kit.ctx()),
      stored: async () => (await connector.users.find(user.key, kit.ctx()))?.scimId,
    });
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

  // The reconciler and the engine ask for a page size per listing (1 to ask whether a group has any member).
  kitCase(harness, 'user-list-page-size', async () => {
    const connector = kit.connector();
    const users = await kit.createUsers(connector, PAGED_USERS);
    const before = kit.fake.requestCount();
    const listed = await collectAll(connector.users.list({ pageSize: PAGE_SIZE }, kit.ctx()));
    expect(listed.map((remote) => remote.key).sort()).toEqual(users.map((user) => user.key).sort());
    expect(kit.fake.requestCount() - before).toBeGreaterThanOrEqual(Math.ceil(PAGED_USERS / PAGE_SIZE));
  });

  // The engine aborts an operation when it stops or the operation times out; a write must not go out after that.
  kitCase(harness, 'user-write-abort', async () => {
    const connector = kit.connector();
    const user = harness.samples.user(5);
    const controller = new AbortController();
    controller.abort();
    await expect(connector.users.create(user, { ...kit.ctx(), signal: controller.signal })).rejects.toBeDefined();
    // Nothing was created: creating it now is not a conflict.
    const ref = await connector.users.create(user, kit.ctx());
    await kit.expectUser(ref, { key: user.key, active: true });
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

  // Renamed like users: changes.key, then addressed as { id, key: new key }.
  kitCase(harness, 'group-update', async () => {
    const { connector, groups, group } = kit.groupSupport('group-update');
    const { update } = requireMembers(groups, ['update'], 'group-update');
    const newKey = group(6).key;
    const ref = await groups.create(group(5), kit.ctx());
    expect(await update(ref, { key: newKey, attributes: {} }, kit.ctx())).toBe('applied');
    const renamed = { id: ref.id, key: newKey };
    await kit.expectGroup(renamed, { key: newKey, memberIds: [] });
    if (groups.find) expect(await groups.find(newKey, kit.ctx())).toMatchObject({ id: ref.id, key: newKey });

    const [user] = await kit.createUserRefs(connector, 1);
    expect(await groups.addMember(renamed, user, kit.ctx())).toBe('applied');
    await kit.expectGroup(renamed, { key: newKey, memberIds: [user.id] });
  });

  kitCase(harness, 'group-bridge-id', async () => {
    const { groups, group } = kit.groupSupport('group-bridge-id');
    const { update } = requireMembers(groups, ['update'], 'group-bridge-id');
    const sample = group(9);
    const otherId = group(15).scimId;
    const ref = await groups.create(sample, kit.ctx());
    const stored = async () => (await collectAll(groups.list({}, kit.ctx()))).find((remote) => remote.id === ref.id)?.scimId;
    await expectStamping(kit, await stored(), sample.scimId, otherId, {
      update: () => update(ref, { attributes: {}, scimId: otherId }, kit.ctx()),
      stored,
    });
  });

  kitCase(harness, 'group-members', async () => {
    const { connector, groups, group } = kit.groupSupport('group-members');
    const ref = await groups.create(group(3), kit.ctx());
    const members = await kit.createUserRefs(connector, PAGED_MEMBERS);
    for (const member of members) expect(await groups.addMember(ref, member, kit.ctx())).toBe('applied');
    const ids = members.map((member) => member.id);
    await kit.expectGroup(ref, { key: ref.key, memberIds: ids });
    const listed = await collectAll(groups.listMembers(ref, { pageSize: PAGE_SIZE }, kit.ctx()));
    expect(listed.map((member) => member.id).sort()).toEqual([...ids].sort());

    expect(await groups.removeMember(ref, members[0], kit.ctx())).toBe('applied');
    await kit.expectGroup(ref, { key: ref.key, memberIds: ids.slice(1) });
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

  kitCase(harness, 'group-member-not-found', async () => {
    const { connector, groups, group } = kit.groupSupport('group-member-not-found');
    const ref = await groups.create(group(7), kit.ctx());
    const [gone, present] = await kit.createUserRefs(connector, 2);
    await harness.inspect.removeUser(kit.fake, gone);
    // NotFoundError.subject is optional, but when a connector names the side that is gone it must be right.
    const userGone = await expectConnectorError(groups.addMember(ref, gone, kit.ctx()), NotFoundError, kit.errors);
    expect(userGone.subject ?? 'user').toBe('user');
    expect(await groups.removeMember(ref, gone, kit.ctx())).toBe('noop');
    await kit.expectGroup(ref, { key: ref.key, memberIds: [] });

    expect(await groups.delete(ref, kit.ctx())).toBe('applied');
    const groupGone = await expectConnectorError(groups.addMember(ref, present, kit.ctx()), NotFoundError, kit.errors);
    expect(groupGone.subject ?? 'group').toBe('group');
    expect(await groups.removeMember(ref, present, kit.ctx())).toBe('noop');
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

function printSkips<C, F extends FakeTarget>(harness: ConnectorHarness<C, F>): void {
  const skips = Object.entries(harness.skips ?? {});
  if (skips.length === 0) return;
  const lines = skips.map(([name, reason]) => `  ${name}: ${reason}`).join('\n');
  console.info(`connector kit: ${harness.definition.kind}${harness.label ? ` (${harness.label})` : ''} skips ${skips.length} case(s):\n${lines}`);
}

/**
 * A connector that stamps the bridge id on create must re-stamp it from Changes.scimId; one that stores none
 * answers 'noop' without calling the target.
 */
async function expectStamping<C, F extends FakeTarget>(
  kit: KitRun<C, F>,
  storedOnCreate: string | undefined,
  createdId: string,
  otherId: string,
  calls: { update: () => Promise<Outcome>; stored: () => Promise<string | undefined> },
): Promise<void> {
  if (storedOnCreate === undefined) {
    const before = kit.fake.requestCount();
    expect(await calls.update()).toBe('noop');
    expect(kit.fake.requestCount()).toBe(before);
    return;
  }
  expect(storedOnCreate).toBe(createdId);
  expect(await calls.update()).toBe('applied');
  expect(await calls.stored()).toBe(otherId);
}

/** The fields user-clear-attributes clears: those the changes add, or all they change if they add none. */
function clearableFields(user: TargetUser, changes: Attributes): string[] {
  const changed = Object.keys(changes);
  const added = changed.filter((field) => !(field in user.attributes));
  return added.length > 0 ? added : changed;
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
