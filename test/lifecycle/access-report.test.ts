import { openDatabase } from '../../src/store/db';
import { Store } from '../../src/store';
import { Grants } from '../../src/store/grants';
import { accessReport, hygieneFindings, renderAccess } from '../../src/lifecycle/access-report';
import { evidenceTrail } from '../../src/lifecycle/evidence';
import { IDENTITY_SCHEMA_ID, identityProblem } from '../../src/lifecycle/identity';

const HOUR = 3_600_000;
const ctx = { actor: 'secops', requestId: 'req-grant', source: 'admin' as const };

function setup() {
  let now = new Date('2026-03-01T10:00:00Z');
  const clock = () => now;
  const store = new Store(openDatabase(':memory:'), clock);
  const addUser = (id: string, active = 1, resource: object = {}) =>
    store.db
      .prepare(`INSERT INTO users (id, user_name, active, resource, created, last_modified) VALUES (?, ?, ?, ?, 'x', 'x')`)
      .run(id, `${id}@example.com`, active, JSON.stringify(resource));
  addUser('alice');
  addUser('bob');
  store.db.prepare(`INSERT INTO groups (id, display_name, resource, created, last_modified) VALUES ('eng', 'Engineering', '{}', 'x', 'x')`).run();
  store.db.prepare(`INSERT INTO memberships (group_id, user_id, source) VALUES ('eng', 'bob', 'idp')`).run();
  store.links.put('github', { kind: 'group', id: 'eng' }, { id: 'team-1' }, {});
  return { store, clock, addUser, grants: new Grants(store.db, store.changes, clock), advance: (ms: number) => (now = new Date(now.getTime() + ms)) };
}

describe('access report', () => {
  it('lists idp and grant access with approver, expiry, targets and removal', () => {
    const { store, grants, clock, advance } = setup();
    const grant = grants.request(ctx, {
      userId: 'alice', groupId: 'eng', reason: 'contract work', requester: 'alice', privileged: true,
      startsAt: clock(), expiresAt: new Date(clock().getTime() + 2 * HOUR),
    });
    grants.approve(ctx, grant.id, 'carol');
    advance(3 * HOUR);
    grants.sweep(ctx);

    const rows = accessReport(store.db);
    expect(rows.map((r) => [r.userName, r.group, r.via])).toEqual([
      ['alice@example.com', 'Engineering', 'grant'],
      ['bob@example.com', 'Engineering', 'idp'],
    ]);
    const alice = rows[0];
    expect(alice).toMatchObject({ grantId: grant.id, approver: 'carol', requester: 'alice', reason: 'contract work', expiresAt: grant.expires_at });
    expect(alice.removedAt).not.toBeNull();
    expect(alice.targets).toEqual([{ target: 'github', syncedAt: expect.any(String) }]);
    expect(rows[1].removedAt).toBeNull();

    expect(accessReport(store.db, { user: 'ALICE@example.com', includeRemoved: false })).toEqual([]);
    expect(accessReport(store.db, { target: 'aws' })).toEqual([]);
    const csv = renderAccess(rows, 'csv').trim().split('\n');
    expect(csv).toHaveLength(3);
    expect(csv[1]).toContain('carol');
    expect(renderAccess(rows, 'md')).toContain('| alice@example.com | Engineering | grant |');
  });

  it('returns the whole ledger trail of a grant and of a user', () => {
    const { store, grants, clock } = setup();
    const grant = grants.request(ctx, {
      userId: 'alice', groupId: 'eng', reason: 'r', requester: 'alice', privileged: false,
      startsAt: clock(), expiresAt: new Date(clock().getTime() + HOUR),
    });
    expect(evidenceTrail(store.db, `grant:${grant.id}`)!.map((r) => r.kind)).toEqual(['grant.requested', 'grant.activated']);
    expect(evidenceTrail(store.db, 'user:alice@example.com')!.map((r) => r.kind)).toEqual(['grant.requested', 'grant.activated']);
    expect(evidenceTrail(store.db, 'nonsense')).toBeUndefined();
  });
});

describe('hygiene findings', () => {
  it('flags ownerless and orphaned service identities, stale grants and never-active accounts', () => {
    const { store, addUser } = setup();
    addUser('bot-1', 1, { [IDENTITY_SCHEMA_ID]: { identityType: 'service', purpose: 'ci' } });
    addUser('gone', 0);
    addUser('bot-2', 1, { [IDENTITY_SCHEMA_ID]: { identityType: 'Service', owner: 'gone', purpose: 'etl' } });
    addUser('bot-3', 1, { [IDENTITY_SCHEMA_ID]: { identityType: 'service', owner: 'bob@example.com', purpose: 'etl' } });
    const kinds = hygieneFindings(store.db, new Date()).map((f) => `${f.kind} ${f.subject}`);
    expect(kinds.sort()).toEqual(['never-active user:gone', 'owner-left user:bot-2', 'service-without-owner user:bot-1']);
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
