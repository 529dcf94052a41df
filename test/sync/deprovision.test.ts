import { ctx, Harness } from './harness';

const DAY = 86_400_000;

describe('deprovision policies', () => {
  let harness: Harness;
  afterEach(() => harness.close());

  it('suspend: active=false disables the account and keeps it; active=true enables it again', async () => {
    harness = await Harness.start([{ deprovision: { mode: 'suspend' } }]);
    const id = harness.createUser('ada');
    await harness.settle();
    harness.patchUser(id, (user) => (user.active = false));
    await harness.settle();
    expect(harness.remoteUser('ada')!.active).toBe(false);
    expect(harness.directory().calls('users.delete')).toBe(0);

    harness.directory().resetCounts();
    harness.patchUser(id, (user) => (user.active = true));
    await harness.settle();
    expect(harness.remoteUser('ada')!.active).toBe(true);
    expect(harness.directory().callCounts()).toEqual({ 'users.enable': 1 });
  });

  it('suspend: a DELETE disables the account, then the tombstone is purged once the target acknowledged', async () => {
    harness = await Harness.start([{ deprovision: { mode: 'suspend' } }]);
    const id = harness.createUser('ada');
    await harness.settle();
    harness.store.users.delete(id, ctx());
    await harness.settle();
    expect(harness.remoteUser('ada')!.active).toBe(false);
    expect(harness.store.links.get('app', { kind: 'user', id })).toBeUndefined();
    expect(harness.store.db.prepare('SELECT id FROM users WHERE id = ?').get(id)).toBeUndefined();
  });

  it('delete: active=false deletes the account; reactivating creates it again', async () => {
    harness = await Harness.start([{ deprovision: { mode: 'delete' } }]);
    const id = harness.createUser('ada');
    await harness.settle();
    harness.patchUser(id, (user) => (user.active = false));
    await harness.settle();
    expect(harness.directory().allUsers()).toEqual([]);
    expect(harness.directory().calls('users.disable')).toBe(0);

    harness.patchUser(id, (user) => (user.active = true));
    await harness.settle();
    expect(harness.remoteUser('ada')!.active).toBe(true);
  });

  it('suspend-then-delete: a reactivation during the wait is delivered at once, even when the suspension needed a retry', async () => {
    harness = await Harness.start([{ deprovision: { mode: 'suspend-then-delete', deleteAfterDays: 30 } }]);
    const id = harness.createUser('ada');
    await harness.settle();
    harness.directory().failNext(1, { kind: 'retryable' }, 'users.disable');
    harness.patchUser(id, (user) => (user.active = false));
    await harness.settle();
    expect(harness.remoteUser('ada')!.active).toBe(false);
    expect(harness.store.queue.get('app', { kind: 'user', id })).toMatchObject({ state: 'pending', attempts: 0 });

    harness.patchUser(id, (user) => (user.active = true));
    await harness.settle();
    expect(harness.remoteUser('ada')!.active).toBe(true);
  });

  it('keeps a tombstone while one target still has to deprovision it', async () => {
    harness = await Harness.start([{ name: 'fast' }, { name: 'slow' }]);
    const id = harness.createUser('ada');
    await harness.settle();
    harness.engine.pause('slow');
    harness.store.users.delete(id, ctx());
    await harness.settle();
    expect(harness.remoteUser('ada', 'fast')!.active).toBe(false);
    expect(harness.store.db.prepare('SELECT deleted_at FROM users WHERE id = ?').get(id)).toBeDefined();

    harness.engine.resume('slow');
    await harness.settle();
    expect(harness.remoteUser('ada', 'slow')!.active).toBe(false);
    expect(harness.store.db.prepare('SELECT id FROM users WHERE id = ?').get(id)).toBeUndefined();
  });

  it('suspend-then-delete: suspends at once and deletes after the configured days', async () => {
    harness = await Harness.start([{ deprovision: { mode: 'suspend-then-delete', deleteAfterDays: 30 } }]);
    const id = harness.createUser('ada');
    await harness.settle();
    harness.store.users.delete(id, ctx());
    await harness.settle();
    expect(harness.remoteUser('ada')!.active).toBe(false);
    const scheduled = harness.store.queue.get('app', { kind: 'user', id })!;
    expect(scheduled.state).toBe('pending');
    expect(scheduled.attempts).toBe(0);
    expect(scheduled.due_at - harness.clock.now().getTime()).toBeGreaterThan(29 * DAY);

    harness.clock.advance(29 * DAY);
    await new Promise((resolve) => setTimeout(resolve, 60));
    await harness.settle();
    expect(harness.remoteUser('ada')).toBeDefined();

    harness.clock.advance(DAY + 1000);
    await harness.settle(0);
    await harness.settle();
    expect(harness.remoteUser('ada')).toBeUndefined();
    expect(harness.store.queue.get('app', { kind: 'user', id })).toBeUndefined();
    expect(harness.store.db.prepare('SELECT id FROM users WHERE id = ?').get(id)).toBeUndefined();
  });

  it('suspend-then-delete: reactivation during the wait enables the account at once and cancels the delete', async () => {
    harness = await Harness.start([{ deprovision: { mode: 'suspend-then-delete', deleteAfterDays: 30 } }]);
    const id = harness.createUser('ada');
    await harness.settle();
    harness.patchUser(id, (user) => (user.active = false));
    await harness.settle();
    expect(harness.remoteUser('ada')!.active).toBe(false);

    harness.patchUser(id, (user) => (user.active = true));
    await harness.settle();
    expect(harness.remoteUser('ada')!.active).toBe(true);
    expect(harness.store.queue.get('app', { kind: 'user', id })).toBeUndefined();
    harness.clock.advance(31 * DAY);
    await harness.settle();
    expect(harness.remoteUser('ada')!.active).toBe(true);
  });
});
