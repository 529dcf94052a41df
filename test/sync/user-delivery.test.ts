import { DEFAULT_SCOPE_LEAVE_GRACE_SECONDS } from '../../src/sync/target-config';
import { Harness, waitFor } from './harness';

describe('user delivery', () => {
  let harness: Harness;
  afterEach(() => harness.close());

  it('creates a user with the mapped attributes, links it and records delivery.applied with the request id', async () => {
    harness = await Harness.start([{ attributes: { title: 'title', department: 'urn:ietf:params:scim:schemas:extension:enterprise:2.0:User:department' } }]);
    const id = harness.createUser('ada', {
      title: 'Engineer',
      'urn:ietf:params:scim:schemas:extension:enterprise:2.0:User': { department: 'R&D' },
    } as never);
    await harness.settle();

    const remote = harness.remoteUser('ada')!;
    expect(remote).toMatchObject({
      active: true,
      scimId: id,
      attributes: { givenName: 'Ada', familyName: 'Lovelace', email: 'ada@example.com', title: 'Engineer', department: 'R&D' },
    });
    expect(harness.store.links.get('app', { kind: 'user', id })?.remote_id).toBe(remote.id);
    const delivery = harness.store.ledger.forSubject(`user:${id}`).find((row) => row.kind === 'delivery.applied')!;
    const created = harness.store.ledger.forSubject(`user:${id}`).find((row) => row.kind === 'user.created')!;
    expect(delivery.target).toBe('app');
    expect(delivery.request_id).toBe(created.request_id);
    expect(harness.store.queue.list()).toEqual([]);
  });

  it('updates only the changed fields, and a PATCH of something the target does not map costs no call', async () => {
    harness = await Harness.start();
    const id = harness.createUser('ada');
    await harness.settle();
    harness.directory().resetCounts();

    harness.patchUser(id, (user) => (user.nickName = 'Countess'));
    await harness.settle();
    expect(harness.directory().requestCount()).toBe(0);
    expect(harness.ledgerKinds(`user:${id}`).filter((kind) => kind === 'delivery.noop')).toHaveLength(1);

    harness.patchUser(id, (user) => ((user.name as Record<string, string>).familyName = 'King'));
    await harness.settle();
    expect(harness.directory().callCounts()).toEqual({ 'users.update': 1 });
    expect(harness.remoteUser('ada')!.attributes.familyName).toBe('King');
    const applied = harness.store.ledger.forSubject(`user:${id}`).filter((row) => row.kind === 'delivery.applied').pop()!;
    expect(JSON.parse(applied.after!).changes).toEqual({ 'users.update': { attributes: { familyName: 'King' } } });
  });

  it('coalesces ten PATCHes that arrive while the target is busy into at most two writes', async () => {
    harness = await Harness.start();
    const id = harness.createUser('ada');
    await harness.settle();
    harness.directory().resetCounts();
    harness.directory().latency(150);

    harness.patchUser(id, (user) => (user.displayName = 'v1'));
    await waitFor(() => harness.directory().calls('users.update') >= 1);
    for (let version = 2; version <= 10; version++) harness.patchUser(id, (user) => (user.displayName = `v${version}`));
    await harness.settle();

    expect(harness.directory().calls('users.update')).toBeLessThanOrEqual(2);
    expect(harness.directory().writeCalls()).toBeLessThanOrEqual(2);
    expect(harness.remoteUser('ada')!.attributes.displayName).toBe('v10');
  });

  it('correlates an account that already exists on the target instead of creating a duplicate', async () => {
    harness = await Harness.start();
    harness.directory().createUser({ key: 'ADA', active: false, attributes: { givenName: 'Old' } });
    const id = harness.createUser('ada');
    await harness.settle();

    expect(harness.directory().allUsers()).toHaveLength(1);
    // create (refused with the existing account) → enable → update: adopted, never duplicated
    const { check: _healthCheck, ...calls } = harness.directory().callCounts();
    expect(calls).toEqual({ 'users.create': 1, 'users.enable': 1, 'users.update': 1 });
    expect(harness.remoteUser('ada')).toMatchObject({ active: true, attributes: { givenName: 'Ada', familyName: 'Lovelace' } });
    expect(harness.store.links.get('app', { kind: 'user', id })).toBeDefined();
  });

  it('recreates an account deleted on the target behind the bridge\'s back when the next update finds it gone', async () => {
    harness = await Harness.start();
    const id = harness.createUser('ada');
    await harness.settle();
    const first = harness.remoteUser('ada')!;
    harness.directory().removeUserDirectly(first.id);

    harness.patchUser(id, (user) => (user.displayName = 'Ada L.'));
    await harness.settle();
    const second = harness.remoteUser('ada')!;
    expect(second.id).not.toBe(first.id);
    expect(second.attributes.displayName).toBe('Ada L.');
    expect(harness.store.links.get('app', { kind: 'user', id })?.remote_id).toBe(second.id);
  });

  it('only delivers users matching the scope filter, and deprovisions one that stops matching once the grace has passed', async () => {
    harness = await Harness.start([{ scope: { all: true, filter: 'userType eq "Employee"' } }]);
    const employee = harness.createUser('ada', { userType: 'Employee' });
    harness.createUser('bob', { userType: 'Contractor' });
    await harness.settle();
    expect(harness.directory().allUsers().map((user) => user.key)).toEqual(['ada']);

    harness.patchUser(employee, (user) => (user.userType = 'Contractor'));
    await harness.settle();
    expect(harness.remoteUser('ada')!.active).toBe(true);
    harness.clock.advance(DEFAULT_SCOPE_LEAVE_GRACE_SECONDS * 1000);
    await harness.settle();
    expect(harness.remoteUser('ada')!.active).toBe(false);
  });
});
