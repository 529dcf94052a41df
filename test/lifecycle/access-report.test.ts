import { accessReport, renderAccess, requireKnownTarget, UnknownTargetError } from '../../src/lifecycle/access-report';
import { hygieneFindings } from '../../src/lifecycle/hygiene';
import { evidenceTrail } from '../../src/lifecycle/evidence';
import { IDENTITY_SCHEMA_ID, identityProblem } from '../../src/lifecycle/identity';
import type { Store } from '../../src/store';
import { HOUR, admin, idp, lifecycleFixture } from './fixtures';

/** What the sync engine records when it delivers a group's member changes to a target. */
function delivered(store: Store, target: string, groupId: string, changes: { membersAdded?: string[]; membersRemoved?: string[] }, members: string[], requestId = 'engine') {
  store.transaction(() => engineRow(store, target, `group:${groupId}`, requestId, changes));
  store.links.put(target, { kind: 'group', id: groupId }, { id: `team-${groupId}` }, { key: 'team', attributes: {}, members: Object.fromEntries(members.map((id) => [id, { id: `r-${id}`, key: id }])), created: true });
}

function engineRow(store: Store, target: string, subject: string, requestId: string, changes: object = {}) {
  store.ledger.append({ actor: 'sync-engine', source: 'engine', requestId, kind: 'delivery.applied', subject, target, after: { operations: [], changes } });
}

function setup() {
  const fixture = lifecycleFixture({ privilegedGroups: [{ group: 'Admins', maxDuration: 'PT4H' }] });
  const bob = fixture.user('bob');
  for (const approver of ['carol', 'dana', 'erin']) fixture.user(approver);
  const admins = fixture.group('Admins');
  return { ...fixture, bob, admins };
}

describe('access report', () => {
  it('gives every grant its own row with its own approver, from its own activation', () => {
    const { grantService, advance, store } = setup();
    const approvers = ['carol', 'dana', 'erin'];
    const grants = approvers.map((approver) => {
      const grant = grantService.request(admin, { user: 'bob', group: 'Admins', reason: `ticket by ${approver}`, requester: 'bob', duration: 'PT3H' });
      advance(10 * 60_000);
      grantService.approve(admin, grant.id, approver);
      return grant.id;
    });
    const rows = accessReport(store.db, { user: 'BOB' });
    expect(rows.map((row) => [row.grantId, row.approver])).toEqual(grants.map((id, index) => [id, approvers[index]]));
    for (const row of rows) expect(row.since >= row.approvedAt!).toBe(true);
    expect(rows.map((row) => row.since)).toEqual(['2026-03-01T10:10:00.000Z', '2026-03-01T10:20:00.000Z', '2026-03-01T10:30:00.000Z']);
  });

  it('lists only the targets that really received the membership, and when they took it away', () => {
    const { grantService, grants, store, bob, admins, advance } = setup();
    const grant = grantService.request(admin, { user: 'bob', group: 'Admins', reason: 'r', requester: 'bob', duration: 'PT2H' });
    grantService.approve(admin, grant.id, 'carol');
    delivered(store, 'github', admins, { membersAdded: [bob] }, [bob]);
    // aws holds the group, but it never received bob (paused, or bob is outside its scope).
    delivered(store, 'aws', admins, {}, []);
    const [current] = accessReport(store.db, { user: 'bob' });
    expect(current.targets).toEqual([{ target: 'github', from: '2026-03-01T10:00:00.000Z', until: null }]);
    expect(accessReport(store.db, { target: 'aws' })).toEqual([]);

    advance(HOUR);
    grants.revoke(admin, grant.id, 'done');
    delivered(store, 'github', admins, { membersRemoved: [bob] }, []);
    const [ended] = accessReport(store.db, { user: 'bob' });
    expect(ended).toMatchObject({ removedAt: '2026-03-01T11:00:00.000Z', targets: [{ target: 'github', from: '2026-03-01T10:00:00.000Z', until: '2026-03-01T11:00:00.000Z' }] });
    expect(accessReport(store.db, { user: 'bob', includeRemoved: false })).toEqual([]);
  });

  it("shows a deactivated user's state and each target's account in every format", () => {
    const { store, bob, deactivate, group } = setup();
    const eng = group('Engineering');
    store.groups.update(eng, undefined, { add: [bob] }, idp);
    delivered(store, 'github', eng, { membersAdded: [bob] }, [bob]);
    store.transaction(() => ['github', 'aws'].forEach((target) => engineRow(store, target, `user:${bob}`, 'e')));
    store.links.put('github', { kind: 'user', id: bob }, { id: 'gh-bob' }, { key: 'bob', attributes: {}, active: false });
    deactivate(bob);

    const [row] = accessReport(store.db, { user: 'bob' });
    expect(row).toMatchObject({ via: 'idp', userActive: false, accounts: [{ target: 'aws', state: 'removed' }, { target: 'github', state: 'suspended' }] });
    const csv = renderAccess([row], 'csv').trim().split('\n');
    expect(csv[0]).toContain('userName,userActive,group,via');
    expect(csv[1]).toMatch(/^bob,false,Engineering,idp,.*,github,aws:removed github:suspended$/);
    expect(renderAccess([row], 'md')).toContain('| bob | false | Engineering | idp |');
    expect(renderAccess([row], 'md')).toContain('| github | aws:removed github:suspended |');
  });

  it('refuses a target filter that names no known target', () => {
    const { store, admins } = setup();
    delivered(store, 'github', admins, {}, []);
    expect(() => requireKnownTarget(store.db, ['aws'], 'nosuch')).toThrow(new UnknownTargetError("unknown target 'nosuch'; known targets: aws, github"));
    expect(() => requireKnownTarget(store.db, ['aws'], 'github')).not.toThrow();
  });
});

describe('evidence trail', () => {
  it("holds a user's own rows and the rows that changed their access, not the rest of a shared request", () => {
    const { store, user, group, bob, grantService } = setup();
    const others = ['o1', 'o2', 'o3'].map((name) => user(name));
    const eng = group('Engineering');
    const sweepCtx = { ...idp, requestId: 'bulk' };
    store.groups.update(eng, undefined, { add: [bob, ...others] }, sweepCtx);
    for (const id of others) store.users.replace(id, { userName: `x-${id}`, active: false }, sweepCtx);
    delivered(store, 'github', eng, { membersAdded: [bob, ...others] }, [bob, ...others], 'bulk');
    delivered(store, 'github', eng, { membersAdded: [others[0]] }, [bob, ...others], 'bulk');
    const grant = grantService.request(admin, { user: 'bob', group: 'Engineering', reason: 'r', requester: 'bob', duration: 'PT1H' });

    const trail = evidenceTrail(store.db, 'user:bob')!;
    expect(trail.map((row) => `${row.kind} ${row.subject}`)).toEqual([
      `user.created user:${bob}`,
      `group.members-changed group:${eng}`,
      `delivery.applied group:${eng}`,
      `grant.requested user:${bob}`,
      `grant.activated user:${bob}`,
    ]);
    expect(evidenceTrail(store.db, `grant:${grant.id}`)!.map((row) => row.kind)).toEqual(['grant.requested', 'grant.activated']);
    expect(evidenceTrail(store.db, `group:Engineering`)!.map((row) => row.kind)).toEqual(['group.created', 'group.members-changed', 'delivery.applied', 'delivery.applied', 'grant.requested', 'grant.activated']);
    expect(evidenceTrail(store.db, 'nonsense')).toBeUndefined();
  });
});

describe('hygiene findings', () => {
  it('flags ownerless services, owners and sponsors who left or never existed, stale grants and never-active accounts', () => {
    const { store, user, deactivate } = lifecycleFixture();
    user('bob');
    const bot1 = user('bot-1', { [IDENTITY_SCHEMA_ID]: { identityType: 'service', purpose: 'ci' } });
    const gone = user('gone', { active: false });
    const bot2 = user('bot-2', { [IDENTITY_SCHEMA_ID]: { identityType: 'Service', owner: 'gone', purpose: 'etl' } });
    user('bot-3', { [IDENTITY_SCHEMA_ID]: { identityType: 'service', owner: 'BOB', purpose: 'etl' } });
    const bot4 = user('bot-4', { [IDENTITY_SCHEMA_ID]: { identityType: 'service', owner: 'no-such-person', purpose: 'etl' } });
    const temp = user('temp', { [IDENTITY_SCHEMA_ID]: { identityType: 'contractor', sponsor: 'sam', expiresAt: '2027-01-01T00:00:00Z' } });
    deactivate(user('sam'));
    const kinds = hygieneFindings(store.db, store.now()).map((f) => `${f.kind} ${f.subject}`);
    expect(kinds.sort()).toEqual([
      `never-active user:${gone}`,
      `owner-left user:${bot2}`,
      `owner-unknown user:${bot4}`,
      `service-without-owner user:${bot1}`,
      `sponsor-left user:${temp}`,
    ].sort());
  });
});

describe('identity rules', () => {
  it('requires a sponsor and expiry for contractors and an owner and purpose for services', () => {
    expect(identityProblem({ [IDENTITY_SCHEMA_ID]: { identityType: 'contractor', sponsor: 'bob' } })).toMatch(/requires expiresAt/);
    expect(identityProblem({ [IDENTITY_SCHEMA_ID]: { identityType: 'service' } })).toMatch(/requires owner and purpose/);
    expect(identityProblem({ [IDENTITY_SCHEMA_ID]: { identityType: 'robot' } })).toMatch(/must be one of/);
    expect(identityProblem({ [IDENTITY_SCHEMA_ID]: { identityType: 'human' } })).toBeUndefined();
    expect(identityProblem({ userName: 'x' })).toBeUndefined();
  });
});
