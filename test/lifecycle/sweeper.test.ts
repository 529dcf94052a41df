import { openDatabase } from '../../src/store/db';
import { Store } from '../../src/store';
import { Grants } from '../../src/store/grants';
import { Users } from '../../src/store/users';
import { ExpirySweeper } from '../../src/lifecycle/sweeper';
import { IDENTITY_SCHEMA_ID } from '../../src/lifecycle/identity';

const ENTERPRISE = 'urn:ietf:params:scim:schemas:extension:enterprise:2.0:User';
const scim = { actor: 'okta', requestId: 'r', source: 'scim' as const };

function setup(leaverPolicy: 'disable' | 'reassign-to-manager' = 'disable') {
  let now = new Date('2026-05-01T00:00:00Z');
  const clock = () => now;
  const store = new Store(openDatabase(':memory:'), clock);
  store.changes.routeWith(() => ['github']);
  const users = new Users(store.db, store.changes, clock);
  const grants = new Grants(store.db, store.changes, clock);
  const sweeper = new ExpirySweeper(store, grants, { leaverPolicy });
  const active = (id: string) => users.get(id)?.resource.active;
  return { store, users, grants, sweeper, active, advance: (ms: number) => (now = new Date(now.getTime() + ms)), clock };
}

describe('expiry sweeper', () => {
  it('disables an identity once its expiry passes, through the sync path', () => {
    const { store, users, sweeper, active, advance } = setup();
    const bot = users.create({ userName: 'bot', active: true, [IDENTITY_SCHEMA_ID]: { identityType: 'service', owner: 'nobody-yet', purpose: 'ci', expiresAt: '2026-05-02T00:00:00Z' } }, scim);
    store.queue.complete(store.queue.claim('github', 10)[0]);
    expect(sweeper.run('s1').identitiesExpired).toEqual([]);
    advance(2 * 86_400_000);
    expect(sweeper.run('s2').identitiesExpired).toEqual([bot.id]);
    expect(active(bot.id)).toBe(false);
    expect(store.queue.get('github', { kind: 'user', id: bot.id })).toMatchObject({ request_id: 's2' });
    const row = store.ledger.forSubject(`user:${bot.id}`).pop()!;
    expect(row).toMatchObject({ actor: 'expiry-sweeper', source: 'sweeper', reason: 'identity expired at 2026-05-02T00:00:00Z' });
  });

  it('disables identities whose owner left', () => {
    const { users, sweeper, active } = setup();
    const owner = users.create({ userName: 'dana', active: true }, scim);
    const bot = users.create({ userName: 'bot', active: true, [IDENTITY_SCHEMA_ID]: { identityType: 'service', owner: 'dana', purpose: 'etl' } }, scim);
    expect(sweeper.run('s1').ownedIdentitiesDisabled).toEqual([]);
    users.replace(owner.id, { userName: 'dana', active: false }, scim);
    expect(sweeper.run('s2').ownedIdentitiesDisabled).toEqual([bot.id]);
    expect(active(bot.id)).toBe(false);
    expect(sweeper.run('s3').ownedIdentitiesDisabled).toEqual([]);
  });

  it('hands a leaver\'s identities to their manager when the policy says so', () => {
    const { users, sweeper, active } = setup('reassign-to-manager');
    const boss = users.create({ userName: 'boss', active: true }, scim);
    const owner = users.create({ userName: 'dana', active: true, [ENTERPRISE]: { manager: { value: boss.id } } }, scim);
    const bot = users.create({ userName: 'bot', active: true, [IDENTITY_SCHEMA_ID]: { identityType: 'service', owner: owner.id, purpose: 'etl' } }, scim);
    users.delete(owner.id, scim);
    expect(sweeper.run('s1').ownedIdentitiesReassigned).toEqual([bot.id]);
    expect(active(bot.id)).toBe(true);
    expect((users.get(bot.id)!.resource[IDENTITY_SCHEMA_ID] as { owner: string }).owner).toBe(boss.id);
  });

  it('flags active grants approved by a leaver once, and ends grants of deleted users', () => {
    const { store, users, grants, sweeper, clock } = setup();
    const carol = users.create({ userName: 'carol', active: true }, scim);
    const eve = users.create({ userName: 'eve', active: true }, scim);
    store.db.prepare(`INSERT INTO groups (id, display_name, resource, created, last_modified) VALUES ('g', 'Admins', '{}', 'x', 'x')`).run();
    const admin = { actor: 'secops', requestId: 'g1', source: 'admin' as const };
    const grant = grants.request(admin, { userId: eve.id, groupId: 'g', reason: 'oncall', requester: 'eve', privileged: true, startsAt: clock(), expiresAt: new Date(clock().getTime() + 3_600_000) });
    grants.approve(admin, grant.id, 'carol');
    users.replace(carol.id, { userName: 'carol', active: false }, scim);
    expect(sweeper.run('s1').approvalsFlagged).toEqual([grant.id]);
    expect(sweeper.run('s2').approvalsFlagged).toEqual([]);
    users.delete(eve.id, scim);
    expect(sweeper.run('s3').grantsEnded).toEqual([grant.id]);
    expect(grants.get(grant.id)).toMatchObject({ state: 'revoked', end_reason: 'the user was deleted' });
  });
});
