import { Harness } from '../sync/harness';
import { lifecycleParts } from '../../src/lifecycle/module';
import { defaultLifecycleConfig } from '../../src/lifecycle/config';
import { accessReport } from '../../src/lifecycle/access-report';
import { evidenceTrail } from '../../src/lifecycle/evidence';
import { IDENTITY_SCHEMA_ID } from '../../src/lifecycle/identity';

const HOUR = 3_600_000;
const admin = { actor: 'secops', requestId: 'grant-req', source: 'admin' as const };

/** Grants and the sweeper over the real engine and memory targets: what the target holds is the proof. */
describe('least-privilege lifecycle delivered to targets', () => {
  let harness: Harness;
  afterEach(() => harness?.close());

  const adminsOn = (target: string) => harness.directory(target).allGroups().find((g) => g.key === 'aws-admins');
  const memberKeys = (target: string) => {
    const group = adminsOn(target);
    return (group?.memberIds ?? []).map((id) => harness.directory(target).user(id)!.key);
  };

  async function start(targets: Array<{ name: string; scope?: unknown }> = [{ name: 'aws' }]) {
    harness = await Harness.start(targets.map((t) => ({ ...t, groups: [{ scim: 'AWS Admins', target: 'aws-admins', create: true }] })));
    const lifecycle = { ...defaultLifecycleConfig(), privilegedGroups: [{ group: 'AWS Admins', maxDuration: 'PT4H' }] };
    return lifecycleParts(harness.store, { lifecycle, targets: [] });
  }

  it('puts a 2-hour grant on the target and takes it off when the clock passes expiry', async () => {
    const { grants, sweeper } = await start();
    const alice = harness.createUser('alice');
    const group = harness.createGroup('AWS Admins');
    await harness.settle();
    expect(memberKeys('aws')).toEqual([]);

    const now = harness.clock.now();
    const grant = grants.request(admin, { userId: alice, groupId: group, reason: 'incident 7', requester: { id: alice, userName: 'alice' }, startsAt: now, expiresAt: new Date(now.getTime() + 2 * HOUR) });
    grants.approve(admin, grant.id, { id: harness.createUser('carol'), userName: 'carol' });
    await harness.settle();
    expect(memberKeys('aws')).toEqual(['alice']);

    harness.clock.advance(2 * HOUR + 1000);
    expect(sweeper.run('sweep-1').grantsEnded).toEqual([grant.id]);
    await harness.settle();
    expect(memberKeys('aws')).toEqual([]);
    expect(harness.directory('aws').calls('groups.removeMember')).toBe(1);

    const [row] = accessReport(harness.store.db, { user: 'alice' });
    expect(row).toMatchObject({ via: 'grant', grantId: grant.id, reason: 'incident 7', approver: 'carol', targets: [{ target: 'aws', from: expect.any(String), until: row.removedAt }] });
    expect(row.removedAt).not.toBeNull();
    const trail = evidenceTrail(harness.store.db, `grant:${grant.id}`)!.map((r) => `${r.kind}${r.target ? `@${r.target}` : ''}`);
    expect(trail).toEqual(expect.arrayContaining(['grant.requested', 'grant.activated', 'grant.expired']));
    expect(trail.filter((kind) => kind.startsWith('delivery.')).length).toBeGreaterThan(0);
  });

  it('changes nothing on the target for an unapproved privileged grant', async () => {
    const { grants } = await start();
    const alice = harness.createUser('alice');
    const group = harness.createGroup('AWS Admins');
    await harness.settle();
    harness.directory('aws').resetCounts();
    const now = harness.clock.now();
    grants.request(admin, { userId: alice, groupId: group, reason: 'prod access', requester: { id: alice, userName: 'alice' }, startsAt: now, expiresAt: new Date(now.getTime() + HOUR) });
    await harness.settle();
    expect(harness.directory('aws').writeCalls()).toBe(0);
    expect(memberKeys('aws')).toEqual([]);
  });

  it('attributes access only to the targets that received it, and ends a leaver\'s grant on the target', async () => {
    const { grants, sweeper } = await start([{ name: 'aws' }, { name: 'github', scope: { groups: ['Engineering'] } }]);
    const alice = harness.createUser('alice');
    const group = harness.createGroup('AWS Admins');
    await harness.settle();
    const now = harness.clock.now();
    const grant = grants.request(admin, { userId: alice, groupId: group, reason: 'r', requester: { id: alice, userName: 'alice' }, startsAt: now, expiresAt: new Date(now.getTime() + 2 * HOUR) });
    grants.approve(admin, grant.id, { id: harness.createUser('carol'), userName: 'carol' });
    await harness.settle();
    expect(memberKeys('aws')).toEqual(['alice']);
    expect(adminsOn('github')).toBeDefined();
    const [row] = accessReport(harness.store.db, { user: 'alice' });
    expect(row.targets.map((t) => t.target)).toEqual(['aws']);
    expect(row.accounts).toEqual([{ target: 'aws', state: 'active' }]);

    harness.patchUser(alice, (resource) => (resource.active = false));
    expect(sweeper.run('sweep-leaver').grantsEnded).toEqual([grant.id]);
    await harness.settle();
    expect(memberKeys('aws')).toEqual([]);
    const [ended] = accessReport(harness.store.db, { user: 'alice' });
    expect(ended).toMatchObject({ userActive: false, grantState: 'revoked', accounts: [{ target: 'aws', state: 'suspended' }] });
    expect(ended.targets[0].until).not.toBeNull();
  });

  it("disables a leaver's service account on every target", async () => {
    const { sweeper } = await start([{ name: 'aws' }, { name: 'github' }]);
    const dana = harness.createUser('dana');
    harness.createUser('etl-bot', { [IDENTITY_SCHEMA_ID]: { identityType: 'service', owner: 'dana', purpose: 'nightly ETL' } } as never);
    await harness.settle();
    expect(harness.remoteUser('etl-bot', 'aws')?.active).toBe(true);
    expect(harness.remoteUser('etl-bot', 'github')?.active).toBe(true);

    harness.patchUser(dana, (resource) => (resource.active = false));
    expect(sweeper.run('sweep-leaver').ownedIdentitiesDisabled).toHaveLength(1);
    await harness.settle();
    for (const target of ['aws', 'github']) expect(harness.remoteUser('etl-bot', target)?.active).toBe(false);
  });
});
