import { memory } from '../../connectors/memory';
import { type AnyConnectorDefinition, type Connector, NotFoundError } from '../../connectors/sdk';
import { ctx, Harness } from './harness';

const engineering = { scim: 'Engineering', target: 'eng', create: true };

/**
 * The memory connector as a target that addresses members by their key, like GitHub (team memberships by
 * login, invitations by email): a removal under a key no account has any more is 'noop', as the contract allows.
 */
function keyedMembers(): AnyConnectorDefinition {
  return {
    ...memory,
    create(config, env): Connector {
      const connector = memory.create(config, env);
      const groups = connector.groups!;
      const account = (key: string, context: Parameters<typeof groups.addMember>[2]) => connector.users.find(key, context);
      return {
        ...connector,
        groups: {
          ...groups,
          addMember: async (group, user, context) => {
            const found = await account(user.key, context);
            if (!found) throw new NotFoundError(`no account '${user.key}'`, { subject: 'user' });
            return groups.addMember(group, found, context);
          },
          removeMember: async (group, user, context) => {
            const found = await account(user.key, context);
            return found ? groups.removeMember(group, found, context) : 'noop';
          },
        },
      };
    },
  };
}

describe('a member whose account was re-keyed on the target', () => {
  let harness: Harness;
  afterEach(() => harness.close());

  const memberKeys = () => harness.directory().allGroups()[0].memberIds.map((id) => harness.directory().user(id)!.key);
  const entry = (groupId: string, userId: string) => JSON.parse(harness.store.links.get('app', { kind: 'group', id: groupId })!.last_applied).members[userId];

  async function adaRenamedInEngineering() {
    harness = await Harness.start([{ groups: [engineering] }], { connectors: [keyedMembers()] });
    const ada = harness.createUser('ada');
    const bob = harness.createUser('bob');
    const groupId = harness.createGroup('Engineering', [ada, bob]);
    await harness.settle();
    harness.patchUser(ada, (user) => (user.userName = 'ada.lovelace'));
    await harness.settle();
    expect(memberKeys().sort()).toEqual(['ada.lovelace', 'bob']);
    return { ada, bob, groupId };
  }

  it("the group's entry follows the account's new key", async () => {
    const { ada, groupId } = await adaRenamedInEngineering();
    const account = harness.store.links.get('app', { kind: 'user', id: ada })!;
    expect(entry(groupId, ada)).toEqual({ id: account.remote_id, key: 'ada.lovelace' });
  });

  it('is removed from the group under its current key', async () => {
    const { ada, groupId } = await adaRenamedInEngineering();
    harness.store.groups.update(groupId, undefined, { remove: [ada] }, ctx());
    await harness.settle();
    expect(memberKeys()).toEqual(['bob']);
  });

  it("is removed under its current key even when the group's entry still names the old one", async () => {
    const { ada, groupId } = await adaRenamedInEngineering();
    // As a group delivery that ran alongside the rename would have left it.
    harness.store.db.prepare(`UPDATE links SET last_applied = json_set(last_applied, '$.members."' || ? || '".key', 'ada') WHERE subject_id = ?`).run(ada, groupId);
    harness.store.groups.update(groupId, undefined, { remove: [ada] }, ctx());
    await harness.settle();
    expect(memberKeys()).toEqual(['bob']);
  });

  it('a stale entry of a member who stays is corrected without a target call', async () => {
    const { ada, bob, groupId } = await adaRenamedInEngineering();
    harness.store.db.prepare(`UPDATE links SET last_applied = json_set(last_applied, '$.members."' || ? || '".key', 'ada') WHERE subject_id = ?`).run(ada, groupId);
    harness.directory().resetCounts();
    harness.store.groups.update(groupId, undefined, { remove: [bob] }, ctx());
    await harness.settle();
    expect(entry(groupId, ada).key).toBe('ada.lovelace');
    expect(memberKeys()).toEqual(['ada.lovelace']);
    expect(harness.directory().calls('groups.addMember')).toBe(0);
  });
});
