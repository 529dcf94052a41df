import { ctx, Harness } from './harness';

const engineering = { scim: 'Engineering', target: 'eng', create: true };

describe('renaming a SCIM group in the IdP', () => {
  let harness: Harness;
  afterEach(() => harness.close());

  const rename = (groupId: string, displayName: string) => harness.store.groups.update(groupId, { displayName }, {}, ctx());
  const memberKeys = () => harness.directory().allGroups()[0].memberIds.map((id) => harness.directory().user(id)!.key).sort();

  it('keeps a group mapped by its displayName: the target group and its members stay, and later changes still arrive', async () => {
    harness = await Harness.start([{ groups: [engineering] }]);
    const [ada, bob, cy] = ['ada', 'bob', 'cy'].map((name) => harness.createUser(name));
    const groupId = harness.createGroup('Engineering', [ada, bob]);
    await harness.settle();
    harness.directory().resetCounts();

    rename(groupId, 'Engineering Team');
    await harness.settle();
    expect(harness.directory().calls('groups.delete')).toBe(0);
    expect(harness.directory().calls('groups.removeMember')).toBe(0);
    expect(memberKeys()).toEqual(['ada', 'bob']);

    harness.store.groups.update(groupId, undefined, { add: [cy] }, ctx());
    await harness.settle();
    expect(memberKeys()).toEqual(['ada', 'bob', 'cy']);
  });

  it('keeps the members of a scope group in scope', async () => {
    harness = await Harness.start([{ scope: { groups: ['Engineering'] }, deprovision: { mode: 'delete' } }]);
    const ada = harness.createUser('ada');
    const groupId = harness.createGroup('Engineering', [ada]);
    await harness.settle();
    rename(groupId, 'Engineering Team');
    harness.patchUser(ada, (user) => (user.displayName = 'Ada'));
    await harness.settle();
    expect(harness.remoteUser('ada')).toMatchObject({ active: true, attributes: { displayName: 'Ada' } });
    expect(harness.directory().calls('users.delete')).toBe(0);
  });

  it('maps and scopes by externalId (ids work the same way), case-insensitively', async () => {
    harness = await Harness.start([{ groups: [{ scim: 'ext-eng-7', target: 'eng', create: true }], scope: { groups: ['EXT-ENG-7'] } }]);
    const ada = harness.createUser('ada');
    harness.store.groups.create({ displayName: 'Anything', externalId: 'ext-eng-7' }, [ada], ctx());
    await harness.settle();
    expect(harness.remoteUser('ada')).toBeDefined();
    expect(memberKeys()).toEqual(['ada']);
  });

  it('a new group that takes the name takes the mapping over; the renamed one leaves without deleting the target group', async () => {
    harness = await Harness.start([{ groups: [engineering] }]);
    const [ada, bob] = ['ada', 'bob'].map((name) => harness.createUser(name));
    const old = harness.createGroup('Engineering', [ada]);
    await harness.settle();
    const remoteId = harness.directory().allGroups()[0].id;

    rename(old, 'Engineering (2019)');
    const successor = harness.createGroup('Engineering', [bob]);
    await harness.settle(1500);
    expect(harness.directory().allGroups().map((group) => group.id)).toEqual([remoteId]);
    expect(memberKeys()).toEqual(['bob']);
    expect(harness.store.links.get('app', { kind: 'group', id: successor })?.remote_id).toBe(remoteId);
    expect(harness.store.links.get('app', { kind: 'group', id: old })).toBeUndefined();
    expect(harness.directory().calls('groups.delete')).toBe(0);
  });
});
