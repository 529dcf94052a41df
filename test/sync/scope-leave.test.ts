import { ctx, Harness } from './harness';

const GRACE_MS = 300_000; // the default scopeLeaveGraceSeconds
const engineering = { scim: 'Engineering', target: 'eng', create: true };
const platform = { scim: 'Platform', target: 'platform', create: true };
const everyone = { scim: 'Everyone', target: 'everyone', create: true };

describe('a user who leaves the scope keeps the account for a grace period', () => {
  let harness: Harness;
  afterEach(() => harness.close());

  const scoped = (extra: object = {}) => Harness.start([{ scope: { groups: ['Engineering', 'Platform'] }, groups: [engineering, platform, everyone], ...extra }]);
  const remove = (groupId: string, userId: string) => harness.store.groups.update(groupId, undefined, { remove: [userId] }, ctx());
  const add = (groupId: string, userId: string) => harness.store.groups.update(groupId, undefined, { add: [userId] }, ctx());
  const teamsOf = (key: string) => {
    const account = harness.remoteUser(key)!;
    return harness.directory().allGroups().filter((group) => group.memberIds.includes(account.id)).map((group) => group.key).sort();
  };

  async function adaInEngineering(extra?: object) {
    harness = await scoped(extra);
    const ada = harness.createUser('ada');
    const groups = { engineering: harness.createGroup('Engineering', [ada]), platform: harness.createGroup('Platform'), everyone: harness.createGroup('Everyone', [ada]) };
    await harness.settle();
    expect(teamsOf('ada')).toEqual(['eng', 'everyone']);
    return { ada, groups };
  }

  it('a mover whose IdP removes and adds in separate requests, delivered in between, is never deprovisioned', async () => {
    const { ada, groups } = await adaInEngineering({ deprovision: { mode: 'delete' } });
    remove(groups.engineering, ada);
    await harness.settle();
    expect(harness.remoteUser('ada')!.active).toBe(true);
    // A mapped group outside the scope, delivered meanwhile, keeps her as a member.
    add(groups.everyone, harness.createUser('bob'));
    await harness.settle();
    expect(teamsOf('ada')).toEqual(['everyone']);
    expect(harness.remoteUser('bob')).toBeUndefined(); // in no scope group

    add(groups.platform, ada);
    await harness.settle();
    harness.clock.advance(GRACE_MS + 1000);
    await harness.settle();
    expect(harness.remoteUser('ada')!.active).toBe(true);
    expect(teamsOf('ada')).toEqual(['everyone', 'platform']);
    expect(harness.directory().calls('users.delete')).toBe(0);
    expect(harness.directory().calls('users.disable')).toBe(0);
  });

  it('one who stays out of scope is deprovisioned when the grace has passed', async () => {
    const { ada, groups } = await adaInEngineering();
    remove(groups.engineering, ada);
    await harness.settle();
    expect(harness.store.queue.get('app', { kind: 'user', id: ada })).toMatchObject({ state: 'pending', attempts: 0 });

    harness.clock.advance(GRACE_MS - 1000);
    await harness.settle(500);
    expect(harness.remoteUser('ada')!.active).toBe(true);
    harness.clock.advance(2000);
    await harness.settle();
    expect(harness.remoteUser('ada')!.active).toBe(false);
    expect(harness.ledgerKinds(`user:${ada}`).filter((kind) => kind.startsWith('delivery.'))).toEqual(['delivery.applied', 'delivery.applied']);
  });

  it('a deactivation during the grace is delivered at once, even when an attempt had failed before', async () => {
    const { ada, groups } = await adaInEngineering({ delivery: { maxAttempts: 3, backoff: { baseMs: 60_000, maxMs: 60_000 } } });
    harness.directory().failNext(1, { kind: 'retryable' }, 'users.update');
    harness.patchUser(ada, (user) => (user.displayName = 'Ada L.'));
    await harness.settle();
    expect(harness.store.queue.get('app', { kind: 'user', id: ada })).toMatchObject({ state: 'pending', attempts: 1 });
    remove(groups.engineering, ada);
    harness.clock.advance(60_000); // the retry finds her out of scope: held
    await harness.settle();
    expect(harness.remoteUser('ada')!.active).toBe(true);

    harness.patchUser(ada, (user) => (user.active = false));
    await harness.settle();
    expect(harness.remoteUser('ada')!.active).toBe(false);
  });

  it('coming back during the grace ends it: leaving again later starts a new one', async () => {
    const { ada, groups } = await adaInEngineering();
    remove(groups.engineering, ada);
    await harness.settle();
    add(groups.engineering, ada);
    await harness.settle();
    harness.clock.advance(GRACE_MS + 1000);
    remove(groups.engineering, ada);
    await harness.settle();
    expect(harness.remoteUser('ada')!.active).toBe(true);
    harness.clock.advance(GRACE_MS + 1000);
    await harness.settle();
    expect(harness.remoteUser('ada')!.active).toBe(false);
  });

  it('deleting the user or the last scope group of a deleted user is not delayed; a grace of 0 deprovisions at once', async () => {
    const { ada } = await adaInEngineering({ deprovision: { mode: 'delete' } });
    harness.store.users.delete(ada, ctx());
    await harness.settle();
    expect(harness.remoteUser('ada')).toBeUndefined();
    await harness.close();

    const again = await adaInEngineering({ deprovision: { scopeLeaveGraceSeconds: 0 } });
    remove(again.groups.engineering, again.ada);
    await harness.settle();
    expect(harness.remoteUser('ada')!.active).toBe(false);
  });
});
