import { memory, type MemoryDirectory } from '../../connectors/memory';
import type { AnyConnectorDefinition, Changes, Connector, TargetUser } from '../../connectors/sdk';
import { MANAGER_PATH, USERS_NAMING_SQL } from '../../src/sync/user-references';
import { Harness } from './harness';

const ENTERPRISE = 'urn:ietf:params:scim:schemas:extension:enterprise:2.0:User';
const withManager = { attributes: { manager: MANAGER_PATH } };

/**
 * The memory connector as a target that stores a manager only as an account it has (as Google writes the
 * manager's address): a manager it does not hold yet is left out, like the Google connector does.
 */
function managerByAccount(directory: () => MemoryDirectory): AnyConnectorDefinition {
  const resolvable = (attributes: TargetUser['attributes']) => {
    const manager = attributes.manager;
    if (manager === undefined || directory().allUsers().some((user) => user.scimId === manager)) return attributes;
    const { manager: _left, ...rest } = attributes;
    return rest;
  };
  return {
    ...memory,
    create(config, env): Connector {
      const connector = memory.create(config, env);
      const users = connector.users;
      return {
        ...connector,
        users: {
          ...users,
          create: (user, ctx) => users.create({ ...user, attributes: resolvable(user.attributes) }, ctx),
          update: (ref, changes: Changes, ctx) => users.update(ref, { ...changes, attributes: resolvable(changes.attributes) }, ctx),
        },
      };
    },
  };
}

describe('a user whose mapping names another user (a manager)', () => {
  let harness: Harness;
  afterEach(() => harness.close());

  const managerOf = (key: string) => harness.remoteUser(key)!.attributes.manager;

  const deliveries = (userId: string, target: string) =>
    harness.store.ledger.forSubject(`user:${userId}`).filter((row) => row.kind.startsWith('delivery.') && row.target === target).length;

  it('a report delivered before its manager gets the relation once the manager is provisioned, without a reconciliation', async () => {
    harness = await Harness.start([withManager, {}], { connectors: [managerByAccount(() => harness.directory())] });
    const boss = harness.createUser('boss', { active: false });
    const emp = harness.createUser('emp', { [ENTERPRISE]: { manager: { value: boss } } } as never);
    await harness.settle();
    expect(managerOf('emp')).toBeUndefined();

    harness.patchUser(boss, (user) => (user.active = true));
    await harness.settle();
    expect(managerOf('emp')).toBe(boss);
    expect(harness.store.queue.list()).toEqual([]);
    expect(deliveries(emp, 'app-1')).toBe(1); // a target that does not map the manager is left alone
  });

  it('costs nothing more when the manager was there first', async () => {
    harness = await Harness.start([withManager], { connectors: [managerByAccount(() => harness.directory())] });
    const boss = harness.createUser('boss');
    await harness.settle();
    const emp = harness.createUser('emp', { [ENTERPRISE]: { manager: { value: boss } } } as never);
    await harness.settle();
    expect(managerOf('emp')).toBe(boss);
    expect(harness.directory().calls('users.update')).toBe(0);
    expect(deliveries(emp, 'app')).toBe(1);
  });

  it('a report changed to a manager not provisioned yet gets that manager when it arrives', async () => {
    harness = await Harness.start([{ ...withManager, scope: { all: true, filter: 'userType ne "Pending"' } }], { connectors: [managerByAccount(() => harness.directory())] });
    const first = harness.createUser('first');
    const second = harness.createUser('second', { userType: 'Pending' } as never);
    const emp = harness.createUser('emp', { [ENTERPRISE]: { manager: { value: first } } } as never);
    await harness.settle();
    harness.patchUser(emp, (user) => (user[ENTERPRISE] = { manager: { value: second } }));
    await harness.settle();
    expect(managerOf('emp')).toBe(first); // the connector left the unknown manager out, the old one stands

    harness.patchUser(second, (user) => (user.userType = 'Employee'));
    await harness.settle();
    expect(managerOf('emp')).toBe(second);
  });

  it('finds the users naming a manager through an index, not a scan of every user', () => {
    harness = new Harness([withManager]);
    const plan = harness.store.db.prepare(`EXPLAIN QUERY PLAN ${USERS_NAMING_SQL}`).all({ user: 'boss', target: 'app' }) as Array<{ detail: string }>;
    expect(plan.map((row) => row.detail)).toContainEqual(expect.stringContaining('USING INDEX users_manager'));
  });
});
