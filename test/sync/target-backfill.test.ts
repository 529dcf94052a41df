import type { TargetConfig } from '../../src/config/types';
import { Harness } from './harness';

const engineering = { scim: 'Engineering', target: 'eng', create: true };
const eachTarget = (change: (target: TargetConfig) => TargetConfig) => (targets: TargetConfig[]) => targets.map(change);
const withoutHealthCheck = ({ check: _check, ...counts }: Record<string, number | undefined>) => counts;
const settingsRows = (harness: Harness) => harness.store.ledger.forSubject('target:app').filter((row) => row.kind === 'target.settings-applied');

describe('target settings applied at start', () => {
  let harness: Harness;
  afterEach(() => harness.close());

  it('provisions what the store already holds on a target added to the config', async () => {
    harness = new Harness([{ groups: [engineering] }]);
    const ids = ['ada', 'bob'].map((name) => harness.createUser(name));
    harness.createGroup('Engineering', ids);
    harness.createGroup('Unmapped', ids);

    await harness.startEngine();
    await harness.settle();

    const directory = harness.directory();
    expect(directory.allUsers().map((user) => user.key).sort()).toEqual(['ada', 'bob']);
    expect(directory.allGroups().map((group) => ({ key: group.key, members: group.memberIds.length }))).toEqual([{ key: 'eng', members: 2 }]);
    expect(settingsRows(harness).map((row) => JSON.parse(row.after!))).toEqual([{ settings: 'new', queued: 3, notReapplied: { users: 0, groups: 0 } }]);
  });

  it('queues nothing when a restart finds the same settings', async () => {
    harness = await Harness.start([{ groups: [engineering] }]);
    harness.createGroup('Engineering', [harness.createUser('ada')]);
    await harness.settle();
    const rows = settingsRows(harness).length;
    harness.directory().resetCounts();

    await harness.restartWith(eachTarget((target) => ({ ...target })));
    await harness.settle();

    expect(harness.store.queue.list()).toEqual([]);
    expect(harness.reports.filter((report) => report.outcome === 'noop')).toEqual([]);
    expect(settingsRows(harness)).toHaveLength(rows);
    expect(withoutHealthCheck(harness.directory().callCounts())).toEqual({});
  });

  it('pushes a group mapped after its members were provisioned, with no user rewritten', async () => {
    harness = await Harness.start([{}]);
    const ids = ['ada', 'bob'].map((name) => harness.createUser(name));
    harness.createGroup('Engineering', ids);
    await harness.settle();
    expect(harness.directory().allGroups()).toEqual([]);
    harness.directory().resetCounts();

    await harness.restartWith(eachTarget((target) => ({ ...target, groups: [engineering] })));
    await harness.settle();

    expect(harness.directory().allGroups().map((group) => ({ key: group.key, members: group.memberIds.length }))).toEqual([{ key: 'eng', members: 2 }]);
    expect(withoutHealthCheck(harness.directory().callCounts())).toEqual({ 'groups.create': 1, 'groups.addMember': 2 });
  });

  it('brings every linked account in line with a changed attribute mapping', async () => {
    harness = await Harness.start([{}]);
    harness.createUser('ada', { title: 'Engineer' } as never);
    harness.createUser('bob', { title: 'Designer' } as never);
    await harness.settle();

    await harness.restartWith(eachTarget((target) => ({ ...target, attributes: { ...(target.attributes as object), jobTitle: 'title' } }) as TargetConfig));
    await harness.settle();

    expect(harness.directory().allUsers().map((user) => [user.key, user.attributes.jobTitle]).sort()).toEqual([['ada', 'Engineer'], ['bob', 'Designer']]);
    expect(harness.directory().calls('users.update')).toBe(2);
  });

  it('leaves accounts a narrowed scope takes off the target for reconcile to weigh, counting them', async () => {
    harness = await Harness.start([{}]);
    const ada = harness.createUser('ada');
    harness.createUser('bob');
    harness.createGroup('Engineering', [ada]);
    await harness.settle();
    harness.directory().resetCounts();

    // No grace: were bob queued, he would be deprovisioned at once.
    await harness.restartWith(eachTarget((target) => ({ ...target, scope: { groups: ['Engineering'] }, deprovision: { scopeLeaveGraceSeconds: 0 } }) as TargetConfig));
    await harness.settle();

    expect(harness.directory().allUsers().map((user) => [user.key, user.active])).toEqual(expect.arrayContaining([['ada', true], ['bob', true]]));
    expect(harness.directory().writeCalls()).toBe(0);
    expect(JSON.parse(settingsRows(harness).at(-1)!.after!)).toEqual({ settings: 'changed', queued: 1, notReapplied: { users: 1, groups: 0 } });
  });

  it('does not delete suspended accounts when the deprovision policy changes to delete', async () => {
    harness = await Harness.start([{}]);
    const ada = harness.createUser('ada');
    harness.createUser('bob');
    await harness.settle();
    harness.patchUser(ada, (resource) => { resource.active = false; });
    await harness.settle();
    expect(harness.remoteUser('ada')!.active).toBe(false);

    await harness.restartWith(eachTarget((target) => ({ ...target, deprovision: { mode: 'delete' } }) as TargetConfig));
    await harness.settle();

    expect(harness.remoteUser('ada')).toMatchObject({ active: false });
    expect(harness.directory().calls('users.delete')).toBe(0);
    expect(JSON.parse(settingsRows(harness).at(-1)!.after!)).toEqual({ settings: 'changed', queued: 1, notReapplied: { users: 1, groups: 0 } });
  });

  it('counts, and leaves, a user deleted and a group unmapped while the target was out of the config', async () => {
    harness = await Harness.start([{ groups: [engineering] }]);
    const ada = harness.createUser('ada');
    harness.createUser('bob');
    harness.createGroup('Engineering', [ada]);
    await harness.settle();
    let original: TargetConfig[] = [];
    await harness.restartWith((targets) => ((original = targets), []));
    harness.store.users.delete(ada, { actor: 'idp', requestId: 'r-del', source: 'scim' });

    await harness.restartWith(() => original.map((target) => ({ ...target, groups: [] })));
    await harness.settle();

    expect(harness.remoteUser('ada')).toBeDefined();
    expect(harness.directory().allGroups()[0].memberIds).toHaveLength(1);
    expect(JSON.parse(settingsRows(harness).at(-1)!.after!)).toEqual({ settings: 'new', queued: 1, notReapplied: { users: 1, groups: 1 } });
  });

  it('treats a target taken out of the config and put back as new: the changes made meanwhile reach it', async () => {
    harness = await Harness.start([{}]);
    const ada = harness.createUser('ada', { displayName: 'Ada' } as never);
    await harness.settle();
    let original: TargetConfig[] = [];
    await harness.restartWith((targets) => ((original = targets), []));
    harness.patchUser(ada, (resource) => { resource.displayName = 'Ada L.'; });
    await harness.settle();
    expect(harness.remoteUser('ada')!.attributes.displayName).toBe('Ada');

    await harness.restartWith(() => original);
    await harness.settle();

    expect(harness.remoteUser('ada')!.attributes.displayName).toBe('Ada L.');
  });
});
