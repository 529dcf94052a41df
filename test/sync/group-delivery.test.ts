import { DEFAULT_SCOPE_LEAVE_GRACE_SECONDS } from '../../src/sync/target-config';
import { Harness, waitFor } from './harness';

const engineering = { scim: 'Engineering', target: 'eng', create: true };

describe('group delivery', () => {
  let harness: Harness;
  afterEach(() => harness.close());

  it('creates users before adding them to a group, one addMember per member, in the same burst', async () => {
    harness = await Harness.start([{ groups: [engineering] }]);
    const ids = ['ada', 'bob', 'cy'].map((name) => harness.createUser(name));
    const groupId = harness.createGroup('Engineering', ids);
    await harness.settle();

    const directory = harness.directory();
    const group = directory.allGroups().find((candidate) => candidate.key === 'eng')!;
    expect(group.memberIds.sort()).toEqual(ids.map((id) => harness.store.links.get('app', { kind: 'user', id })!.remote_id).sort());
    expect(directory.calls('groups.addMember')).toBe(3);
    expect(directory.calls('users.create')).toBe(3);
    expect(directory.calls('groups.create')).toBe(1);
    // No add was ever tried before its user existed: nothing failed, nothing was retried.
    expect(harness.reports.filter((report) => report.outcome === 'retry' || report.outcome === 'dead')).toEqual([]);
    expect(harness.ledgerKinds(`group:${groupId}`)).toContain('delivery.applied');
  });

  it('a membership added and one removed cost one call each, never a rewrite of the group', async () => {
    harness = await Harness.start([{ groups: [engineering] }]);
    const [ada, bob, cy] = ['ada', 'bob', 'cy'].map((name) => harness.createUser(name));
    const groupId = harness.createGroup('Engineering', [ada, bob]);
    await harness.settle();
    harness.directory().resetCounts();

    harness.store.groups.update(groupId, undefined, { add: [cy], remove: [ada] }, { actor: 'idp', requestId: 'r-1', source: 'scim' });
    await harness.settle();

    const counts = harness.directory().callCounts();
    expect(counts['groups.addMember']).toBe(1);
    expect(counts['groups.removeMember']).toBe(1);
    expect(counts['groups.delete'] ?? 0).toBe(0);
    expect(counts['groups.create'] ?? 0).toBe(0);
    const group = harness.directory().allGroups()[0];
    expect(group.memberIds.map((id) => harness.directory().user(id)!.key).sort()).toEqual(['bob', 'cy']);
  });

  it('a group waiting for a user in backoff comes back when the user is due, instead of spinning', async () => {
    harness = await Harness.start([{ groups: [engineering], delivery: { backoff: { baseMs: 2000, maxMs: 2000 } } }]);
    harness.directory().failNext(1, { kind: 'retryable' }, 'users.create');
    const ada = harness.createUser('ada');
    const groupId = harness.createGroup('Engineering', [ada]);
    await harness.settle(2000);
    expect(harness.directory().allGroups()[0].memberIds).toEqual([harness.remoteUser('ada')!.id]);
    const passes = harness.reports.filter((report) => report.subjectId === groupId && report.outcome === 'deferred');
    expect(passes.length).toBeLessThanOrEqual(3); // the user's retry is ~1 s away: not ten 100 ms polls
  });

  it('keeps what succeeded when a group delivery fails part way, and never repeats it', async () => {
    harness = await Harness.start([{ groups: [engineering] }]);
    const ids = ['ada', 'bob', 'cy'].map((name) => harness.createUser(name));
    await harness.settle();
    harness.directory().resetCounts();
    harness.directory().rateLimitAfter(2, 200); // groups.create and the first addMember pass, then 429s
    const groupId = harness.createGroup('Engineering', ids);
    await waitFor(() => /rate limited/.test(harness.store.queue.get('app', { kind: 'group', id: groupId })?.last_error ?? ''));
    harness.directory().rateLimitAfter(1000, 200);
    await harness.settle();

    expect(harness.directory().allGroups()[0].memberIds).toHaveLength(3);
    expect(harness.directory().calls('groups.create')).toBe(1);
    expect(harness.directory().calls('groups.addMember')).toBe(4); // 1 ok, 1 refused, then only the 2 missing
  });

  it('does not push groups without a mapping', async () => {
    harness = await Harness.start([{ groups: [engineering] }]);
    const ada = harness.createUser('ada');
    harness.createGroup('Sales', [ada]);
    await harness.settle();
    expect(harness.directory().allGroups()).toEqual([]);
    expect(harness.directory().calls('groups.addMember')).toBe(0);
  });

  it('dead-letters a group the mapping may not create when the target does not have it', async () => {
    harness = await Harness.start([{ groups: [{ scim: 'Engineering', target: 'eng' }] }]);
    const groupId = harness.createGroup('Engineering');
    await harness.settle();
    const item = harness.store.queue.get('app', { kind: 'group', id: groupId })!;
    expect(item.state).toBe('dead');
    expect(item.last_error).toMatch(/does not exist on the target/);
  });

  it('scope by group: joining the group provisions the user, leaving it suspends the account once the grace has passed', async () => {
    harness = await Harness.start([{ scope: { groups: ['Engineering'] } }]);
    const ada = harness.createUser('ada');
    const groupId = harness.createGroup('Engineering');
    await harness.settle();
    expect(harness.directory().allUsers()).toEqual([]);

    harness.store.groups.update(groupId, undefined, { add: [ada] }, { actor: 'idp', requestId: 'r-1', source: 'scim' });
    await harness.settle();
    expect(harness.remoteUser('ada')!.active).toBe(true);

    harness.store.groups.update(groupId, undefined, { remove: [ada] }, { actor: 'idp', requestId: 'r-2', source: 'scim' });
    await harness.settle();
    expect(harness.remoteUser('ada')!.active).toBe(true);
    harness.clock.advance(DEFAULT_SCOPE_LEAVE_GRACE_SECONDS * 1000);
    await harness.settle();
    expect(harness.remoteUser('ada')!.active).toBe(false);
  });

  it('removes a deleted user from its groups on the target, and deletes a group it created when the SCIM group goes', async () => {
    harness = await Harness.start([{ groups: [engineering] }]);
    const [ada, bob] = ['ada', 'bob'].map((name) => harness.createUser(name));
    const groupId = harness.createGroup('Engineering', [ada, bob]);
    await harness.settle();

    harness.store.users.delete(ada, { actor: 'idp', requestId: 'r-1', source: 'scim' });
    await harness.settle();
    const group = harness.directory().allGroups()[0];
    expect(group.memberIds.map((id) => harness.directory().user(id)!.key)).toEqual(['bob']);

    harness.store.groups.delete(groupId, { actor: 'idp', requestId: 'r-2', source: 'scim' });
    await harness.settle();
    expect(harness.directory().allGroups()).toEqual([]);
    expect(harness.store.db.prepare('SELECT COUNT(*) AS n FROM groups').get()).toEqual({ n: 0 });
  });

  describe('a user that comes back onto the target rejoins its mapped groups', () => {
    const memberKeys = () => harness.directory().allGroups()[0].memberIds.map((id) => harness.directory().user(id)!.key);

    it('after a delete policy removed the account and reactivation created it again', async () => {
      harness = await Harness.start([{ groups: [engineering], deprovision: { mode: 'delete' } }]);
      const dan = harness.createUser('dan');
      harness.createGroup('Engineering', [dan]);
      await harness.settle();
      harness.patchUser(dan, (user) => (user.active = false));
      await harness.settle();
      expect(harness.remoteUser('dan')).toBeUndefined();
      expect(memberKeys()).toEqual([]);

      harness.patchUser(dan, (user) => (user.active = true));
      await harness.settle();
      expect(memberKeys()).toEqual(['dan']);
    });

    it('when a change of attributes brings a member of a scoped group into the scope filter', async () => {
      harness = await Harness.start([{ scope: { groups: ['Engineering'], filter: 'userType eq "Employee"' }, groups: [engineering] }]);
      const carl = harness.createUser('carl', { userType: 'Contractor' } as never);
      harness.createGroup('Engineering', [carl]);
      await harness.settle();
      expect(harness.remoteUser('carl')).toBeUndefined();
      expect(memberKeys()).toEqual([]);

      harness.patchUser(carl, (user) => (user.userType = 'Employee'));
      await harness.settle();
      expect(harness.remoteUser('carl')).toBeDefined();
      expect(memberKeys()).toEqual(['carl']);
    });
  });
});
