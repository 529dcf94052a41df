import { IDENTITY_SCHEMA_ID } from '../../src/lifecycle/identity';
import { hygieneFindings } from '../../src/lifecycle/hygiene';
import { DAY, HOUR, admin, idp, lifecycleFixture } from './fixtures';

const ENTERPRISE = 'urn:ietf:params:scim:schemas:extension:enterprise:2.0:User';

describe('expiry sweeper', () => {
  it('disables an identity once its expiry passes, through the sync path', () => {
    const { store, user, sweeper, advance } = lifecycleFixture();
    const bot = user('bot', { [IDENTITY_SCHEMA_ID]: { identityType: 'service', owner: 'nobody-yet', purpose: 'ci', expiresAt: '2026-03-02T00:00:00Z' } });
    store.queue.complete(store.queue.claim('github', 10)[0]);
    expect(sweeper.run('s1').identitiesExpired).toEqual([]);
    advance(2 * DAY);
    expect(sweeper.run('s2').identitiesExpired).toEqual([bot]);
    expect(store.users.get(bot)!.resource.active).toBe(false);
    expect(store.queue.get('github', { kind: 'user', id: bot })).toMatchObject({ request_id: 's2' });
    const row = store.ledger.forSubject(`user:${bot}`).pop()!;
    expect(row).toMatchObject({ actor: 'expiry-sweeper', source: 'sweeper', reason: 'identity expired at 2026-03-02T00:00:00Z' });
  });

  it('compares expiry as an instant when the IdP sends an offset', () => {
    const { user, sweeper, advance } = lifecycleFixture();
    const temp = user('temp', { [IDENTITY_SCHEMA_ID]: { identityType: 'contractor', sponsor: 'x', expiresAt: '2026-03-01T12:30:00+02:00' } });
    expect(sweeper.run('s1').identitiesExpired).toEqual([]);
    advance(HOUR);
    expect(sweeper.run('s2').identitiesExpired).toEqual([temp]);
  });

  it('disables identities whose owner left', () => {
    const { store, user, deactivate, sweeper } = lifecycleFixture();
    const owner = user('dana');
    const bot = user('bot', { [IDENTITY_SCHEMA_ID]: { identityType: 'service', owner: 'dana', purpose: 'etl' } });
    expect(sweeper.run('s1').ownedIdentitiesDisabled).toEqual([]);
    deactivate(owner);
    expect(sweeper.run('s2').ownedIdentitiesDisabled).toEqual([bot]);
    expect(store.users.get(bot)!.resource.active).toBe(false);
    expect(sweeper.run('s3').ownedIdentitiesDisabled).toEqual([]);
  });

  it("disables a contractor whose sponsor left, or hands the contractor to the sponsor's manager", () => {
    const disable = lifecycleFixture();
    const sponsor = disable.user('sam');
    const contractor = disable.user('temp', { [IDENTITY_SCHEMA_ID]: { identityType: 'contractor', sponsor: 'sam', expiresAt: '2026-06-01T00:00:00Z' } });
    disable.deactivate(sponsor);
    expect(hygieneFindings(disable.store.db, disable.clock()).map((f) => f.kind)).toContain('sponsor-left');
    expect(disable.sweeper.run('s1').ownedIdentitiesDisabled).toEqual([contractor]);
    expect(disable.store.ledger.forSubject(`user:${contractor}`).pop()!.reason).toBe('sponsor sam is inactive or gone');

    const reassign = lifecycleFixture({ leaverPolicy: 'reassign-to-manager' });
    const boss = reassign.user('boss');
    const sam = reassign.user('sam', { [ENTERPRISE]: { manager: { value: boss } } });
    const temp = reassign.user('temp', { [IDENTITY_SCHEMA_ID]: { identityType: 'contractor', sponsor: sam, expiresAt: '2026-06-01T00:00:00Z' } });
    reassign.store.users.delete(sam, idp);
    expect(reassign.sweeper.run('s1').ownedIdentitiesReassigned).toEqual([temp]);
    expect(reassign.store.users.get(temp)!.resource).toMatchObject({ active: true, [IDENTITY_SCHEMA_ID]: { sponsor: boss } });
  });

  it("hands a leaver's identities to their manager when the policy says so", () => {
    const { store, user, sweeper } = lifecycleFixture({ leaverPolicy: 'reassign-to-manager' });
    const boss = user('boss');
    const owner = user('dana', { [ENTERPRISE]: { manager: { value: boss } } });
    const bot = user('bot', { [IDENTITY_SCHEMA_ID]: { identityType: 'service', owner, purpose: 'etl' } });
    store.users.delete(owner, idp);
    expect(sweeper.run('s1').ownedIdentitiesReassigned).toEqual([bot]);
    expect(store.users.get(bot)!.resource).toMatchObject({ active: true, [IDENTITY_SCHEMA_ID]: { owner: boss } });
  });

  it('flags active grants approved by a leaver once, on the grant and in hygiene', () => {
    const { store, user, group, deactivate, grants, grantService, sweeper } = lifecycleFixture({ privilegedGroups: [{ group: 'Admins', maxDuration: 'PT4H' }] });
    const carol = user('carol');
    user('eve');
    group('Admins');
    const grant = grantService.request(admin, { user: 'eve', group: 'Admins', reason: 'oncall', requester: 'eve', duration: 'PT1H' });
    grantService.approve(admin, grant.id, 'carol');
    deactivate(carol);
    expect(sweeper.run('s1').approvalsFlagged).toEqual([grant.id]);
    expect(sweeper.run('s2').approvalsFlagged).toEqual([]);
    expect(grants.get(grant.id)).toMatchObject({ state: 'active', flag_reason: 'approver carol has left; review this grant', flagged_at: expect.any(String) });
    expect(hygieneFindings(store.db, store.now())).toContainEqual({ kind: 'approver-left', subject: `grant:${grant.id}`, detail: 'approver carol has left; review this grant' });
  });

  it("ends a deactivated user's active, scheduled and pending grants, and a deleted user's", () => {
    const { store, user, group, deactivate, grants, grantService, sweeper, members } = lifecycleFixture({ privilegedGroups: [{ group: 'Admins', maxDuration: 'PT4H' }] });
    const bob = user('bob');
    user('eve');
    group('Admins');
    group('Engineering');
    const ask = (group: string, extra = {}) => grantService.request(admin, { user: 'bob', group, reason: 'work', requester: 'bob', duration: 'PT2H', ...extra }).id;
    const active = [ask('Engineering'), ask('Engineering', { duration: 'PT3H' })];
    const scheduled = ask('Engineering', { startsAt: '2026-03-01T12:00:00Z' });
    const pending = ask('Admins');
    deactivate(bob);
    const ended = sweeper.run('leaver').grantsEnded;
    expect(ended.sort()).toEqual([...active, scheduled, pending].sort());
    for (const id of ended) expect(grants.get(id)).toMatchObject({ state: 'revoked', end_reason: 'the user was deactivated', ended_by: 'expiry-sweeper' });
    expect(members()).toEqual([]);
    expect(store.ledger.forSubject(`user:${bob}`).filter((row) => row.kind === 'grant.revoked').map((row) => row.reason)).toEqual(Array(4).fill('the user was deactivated'));

    const eve = user('eve2');
    const evesGrant = grantService.request(admin, { user: 'eve2', group: 'Engineering', reason: 'r', requester: 'eve', duration: 'PT1H' });
    store.users.delete(eve, idp);
    expect(sweeper.run('s3').grantsEnded).toEqual([evesGrant.id]);
    expect(grants.get(evesGrant.id)).toMatchObject({ state: 'revoked', end_reason: 'the user was deleted' });
  });

  it('does not start a scheduled grant for a user deactivated before it began', () => {
    const { user, group, deactivate, grants, grantService, advance } = lifecycleFixture();
    const bob = user('bob');
    group('Engineering');
    const grant = grantService.request(admin, { user: 'bob', group: 'Engineering', reason: 'r', requester: 'bob', duration: 'PT1H', startsAt: '2026-03-01T11:00:00Z' });
    deactivate(bob);
    advance(HOUR);
    expect(grants.sweep(admin).activated).toEqual([]);
    expect(grants.get(grant.id)!.state).toBe('scheduled');
  });
});
