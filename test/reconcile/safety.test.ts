import { Harness, ctx } from '../sync/harness';
import type { TargetConfig } from '../../src/config/types';
import type { ReconcileService } from '../../src/reconcile/service';
import { DEFAULT_SCOPE_LEAVE_GRACE_SECONDS } from '../../src/sync/target-config';
import { findingLines, reconcileService } from './support';

const LISTING = ['users.list', 'groups.list', 'groups.listMembers'];

describe('reconcile safety', () => {
  let h: Harness;
  let service: ReconcileService | undefined;
  beforeEach(async () => (h = await Harness.start([{ scope: { groups: ['Staff'] } }])));
  afterEach(async () => {
    await service?.close();
    await h.close();
  });

  function serviceWith(overrides: Partial<TargetConfig>): ReconcileService {
    service = reconcileService(h.store, [{ name: 'app', connector: 'memory', config: h.engine.targets[0].config, scope: { groups: ['Staff'] }, ...overrides }]);
    return service;
  }

  async function provision(count: number): Promise<string[]> {
    const ids = Array.from({ length: count }, (_, index) => h.createUser(`user${index}`));
    h.createGroup('Staff', ids);
    await h.settle();
    return ids;
  }

  it('a desired state that would suspend most of the target stops before changing anything', async () => {
    await provision(10);
    h.directory().resetCounts();
    const linksBefore = h.store.db.prepare('SELECT * FROM links ORDER BY subject_id').all();
    // A misconfigured scope: nobody is in "Contractors", so every account looks orphaned.
    const report = await serviceWith({ scope: { groups: ['Contractors'] }, reconcile: { maxDeletes: '20%', mode: 'fix' } }).start('app', { trigger: 'cli', actor: 'test' }).done;

    const preview = await service!.start('app', { trigger: 'cli', actor: 'test', mode: 'report' }).done;
    expect(preview).toMatchObject({
      status: 'succeeded', verdict: 'drift',
      reason: 'a fix run would be stopped by the blast radius: it would plan 10 deletions/suspensions, more than maxDeletes 20% allows (2 of 10 accounts and groups)',
    });
    expect(report).toMatchObject({ status: 'failed', verdict: 'blocked', plan: { deletions: 10, allowed: 2, maxDeletes: '20%', actions: { suspend: 10 } }, summary: { fixes: { blocked: 10 } } });
    expect(report.reason).toBe('blast radius: the run plans 10 deletions/suspensions, more than maxDeletes 20% allows (2 of 10 accounts and groups); nothing was changed');
    expect(Object.keys(h.directory().callCounts()).every((operation) => LISTING.includes(operation))).toBe(true);
    expect(h.directory().writeCalls()).toBe(0);
    expect(h.store.queue.list({ target: 'app' })).toEqual([]);
    expect(h.store.db.prepare('SELECT * FROM links ORDER BY subject_id').all()).toEqual(linksBefore);
    expect(service!.reports.findings(report.id).every((finding) => finding.fix === 'blocked')).toBe(true);
    await h.settle();
    expect(h.directory().allUsers().every((user) => user.active)).toBe(true);
  });

  it('within the limit, orphans are deprovisioned by the engine with the target policy', async () => {
    const ids = await provision(10);
    await h.engine.stop(); // the engine misses the leavers: only reconciliation can find them
    h.store.groups.update(h.store.db.prepare(`SELECT id FROM groups`).pluck().get() as string, undefined, { remove: ids.slice(0, 2) }, ctx());
    h.store.db.prepare('DELETE FROM sync_queue').run();
    const report = await serviceWith({ reconcile: { maxDeletes: 2, mode: 'fix' } }).start('app', { trigger: 'cli', actor: 'test' }).done;
    expect(report).toMatchObject({ status: 'succeeded', verdict: 'fixed', plan: { deletions: 2, allowed: 2 } });
    expect(findingLines(service!, report)).toEqual(['orphaned-account user0 [suspend]', 'orphaned-account user1 [suspend]']);
    await h.startEngine();
    await h.settle();
    h.clock.advance(DEFAULT_SCOPE_LEAVE_GRACE_SECONDS * 1000); // they only left the scope: the engine's grace applies
    await h.settle();
    expect(h.directory().allUsers().filter((user) => !user.active).map((user) => user.key).sort()).toEqual(['user0', 'user1']);
  });

  it('a SCIM write during the run wins: the newer desired state is what reaches the target', async () => {
    const [ada] = await provision(2);
    h.directory().updateUser(h.remoteUser('user0')!.id, { attributes: { familyName: 'Byron' } });
    let wrote = false;
    const report = await serviceWith({}).start('app', {
      trigger: 'cli', actor: 'test', mode: 'fix',
      onProgress: ({ phase }) => {
        if (phase !== 'users' || wrote) return;
        wrote = true;
        h.patchUser(ada, (resource) => ((resource.name as Record<string, string>).familyName = 'King'));
      },
    }).done;
    expect(report.verdict).toBe('fixed');
    await h.settle();
    expect(h.remoteUser('user0')!.attributes.familyName).toBe('King');
  });

  it('an account matched by key is not linked when its user left desired state during the run', async () => {
    await provision(1);
    h.engine.pause('app');
    const dan = h.createUser('dan');
    h.store.groups.update(h.store.db.prepare(`SELECT id FROM groups`).pluck().get() as string, undefined, { add: [dan] }, ctx());
    h.directory().createUser({ key: 'dan', active: true, attributes: { givenName: 'Dan' } });
    const report = await serviceWith({}).start('app', {
      trigger: 'cli', actor: 'test', mode: 'fix',
      onProgress: ({ phase }) => phase === 'users' && h.store.users.get(dan) && h.store.users.delete(dan, ctx()),
    }).done;
    expect(report.summary?.fixes).toEqual({ superseded: 1 });
    h.engine.resume('app');
    await h.settle();
    expect(h.store.links.get('app', { kind: 'user', id: dan })).toBeUndefined();
    expect(h.remoteUser('dan')).toMatchObject({ active: true, attributes: { givenName: 'Dan' } });
  });
});

describe('reconcile blast radius for groups and memberships', () => {
  const ENGINEERING = { scim: 'Engineering', target: 'engineering', create: true };
  let h: Harness;
  let service: ReconcileService | undefined;
  afterEach(async () => {
    await service?.close();
    await h.close();
  });

  /** `members` users in Engineering, and `others` (on the target, in no group); then the engine stops. */
  async function provisionTeam(mapping: { scim: string; target: string; create: boolean }, members = 3, others: string[] = []): Promise<string> {
    h = await Harness.start([{ groups: [mapping] }]);
    const group = h.createGroup('Engineering', Array.from({ length: members }, (_, index) => h.createUser(`user${index}`)));
    for (const key of others) h.createUser(key);
    await h.settle();
    await h.engine.stop(); // the engine misses what follows: only reconciliation sees it
    h.directory().resetCounts();
    return group;
  }

  async function fixRun(groups: TargetConfig['groups'], reconcile: object) {
    await service?.close();
    service = reconcileService(h.store, [{ name: 'app', connector: 'memory', config: h.engine.targets[0].config, groups, reconcile: { mode: 'fix', ...reconcile } }]);
    return service.start('app', { trigger: 'cli', actor: 'test' }).done;
  }

  function expectNothingChanged(): void {
    expect(h.store.queue.list({ target: 'app' })).toEqual([]);
    expect(h.directory().writeCalls()).toBe(0);
  }

  it('counts the deletion of a group the bridge created, whose SCIM group is deleted, against maxDeletes', async () => {
    const engineering = await provisionTeam(ENGINEERING);
    h.store.groups.delete(engineering, ctx());
    h.store.db.prepare('DELETE FROM sync_queue').run(); // the engine missed the delete
    const report = await fixRun([ENGINEERING], { maxDeletes: 0 });
    expect(report).toMatchObject({ status: 'failed', verdict: 'blocked', plan: { deletions: 1, allowed: 0, membershipRemovals: 0, actions: { withdraw: 1 } } });
    expect(report.reason).toBe('blast radius: the run plans 1 deletions/suspensions, more than maxDeletes 0 allows (0 of 4 accounts and groups); nothing was changed');
    expect(findingLines(service!, report)).toEqual(['orphaned-group engineering [withdraw]']);
    expect(service!.reports.findings(report.id)[0]).toMatchObject({ fix: 'blocked', withdrawal: { deletesGroup: true, memberships: 3 } });
    expectNothingChanged();
    expect(h.directory().allGroups().map((group) => group.key)).toEqual(['engineering']);
  });

  it('counts the members a group no longer pushed gives back against maxMembershipRemovals, not as a deletion', async () => {
    await provisionTeam(ENGINEERING);
    const blocked = await fixRun([], { maxDeletes: 0, maxMembershipRemovals: 2 });
    expect(blocked).toMatchObject({ verdict: 'blocked', plan: { deletions: 0, membershipRemovals: 3, membershipRemovalsAllowed: 2, maxMembershipRemovals: '2' } });
    expect(blocked.reason).toMatch(/the run plans 3 membership removals, more than maxMembershipRemovals 2 allows/);
    expect(service!.reports.findings(blocked.id)[0]).toMatchObject({ withdrawal: { deletesGroup: false, memberships: 3 }, note: expect.stringMatching(/removes the 3 members the bridge added and keeps the group/) });
    expectNothingChanged();
    const allowed = await fixRun([], { maxDeletes: 0, maxMembershipRemovals: 3 });
    expect(allowed).toMatchObject({ status: 'succeeded', verdict: 'fixed', plan: { deletions: 0, membershipRemovals: 3 } });
  });

  it('stops a run whose member removals exceed maxMembershipRemovals (a share of the memberships listed)', async () => {
    await provisionTeam(ENGINEERING, 2, ['x1', 'x2', 'x3']);
    const remote = h.directory().allGroups()[0];
    for (const key of ['x1', 'x2', 'x3']) h.directory().addMember(remote.id, h.remoteUser(key)!.id); // added by hand on the target
    const report = await fixRun([ENGINEERING], { maxMembershipRemovals: '50%' });
    expect(report).toMatchObject({ verdict: 'blocked', plan: { membershipRemovals: 3, membershipRemovalsAllowed: 2, maxMembershipRemovals: '50%', actions: { 'remove-member': 3 } } });
    expect(report.reason).toBe('blast radius: the run plans 3 membership removals, more than maxMembershipRemovals 50% allows (2 of 5 memberships); nothing was changed');
    expectNothingChanged();
  });
});
