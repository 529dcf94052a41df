import { openDatabase } from '../../src/store/db';
import { Store } from '../../src/store';
import { GrantError, Grants } from '../../src/store/grants';

const HOUR = 3_600_000;
const ctx = { actor: 'secops', requestId: 'req-1', source: 'admin' as const };

function setup() {
  let now = new Date('2026-01-01T09:00:00Z');
  const clock = () => now;
  const store = new Store(openDatabase(':memory:'), clock);
  store.changes.routeWith(() => ['github']);
  const insert = (table: string, id: string) =>
    store.db
      .prepare(`INSERT INTO ${table} (id, ${table === 'users' ? 'user_name' : 'display_name'}, resource, created, last_modified) VALUES (?, ?, '{}', 'x', 'x')`)
      .run(id, id);
  insert('users', 'alice');
  insert('users', 'bob');
  insert('groups', 'aws-admins');
  const grants = new Grants(store.db, store.changes, clock);
  const members = () => store.db.prepare(`SELECT user_id, grant_id FROM memberships WHERE source = 'grant'`).all();
  return { store, grants, members, advance: (ms: number) => (now = new Date(now.getTime() + ms)), clock };
}

function twoHourGrant(clock: () => Date, privileged: boolean, requester = 'alice') {
  return { userId: 'alice', groupId: 'aws-admins', reason: 'incident 42', requester, startsAt: clock(), expiresAt: new Date(clock().getTime() + 2 * HOUR), privileged };
}

describe('time-bound grants', () => {
  it('activates an unprivileged grant at once and removes it when the clock passes expiry', () => {
    const { store, grants, members, advance, clock } = setup();
    const grant = grants.request(ctx, twoHourGrant(clock, false));
    expect(grant.state).toBe('active');
    expect(members()).toEqual([{ user_id: 'alice', grant_id: grant.id }]);
    expect(store.queue.get('github', { kind: 'group', id: 'aws-admins' })).toBeDefined();

    advance(HOUR);
    expect(grants.sweep(ctx)).toEqual({ activated: [], expired: [] });
    advance(HOUR);
    expect(grants.sweep(ctx)).toEqual({ activated: [], expired: [grant.id] });
    expect(members()).toEqual([]);
    expect(grants.get(grant.id)).toMatchObject({ state: 'expired', ended_by: 'secops' });
    expect(store.ledger.forSubject('user:alice').map((r) => r.kind)).toEqual(['grant.requested', 'grant.activated', 'grant.expired']);
    expect(store.ledger.verify().ok).toBe(true);
  });

  it('changes nothing for a privileged grant until someone other than the requester approves', () => {
    const { store, grants, members, clock } = setup();
    const grant = grants.request(ctx, twoHourGrant(clock, true));
    expect(grant.state).toBe('pending-approval');
    expect(members()).toEqual([]);
    expect(store.queue.list()).toEqual([]);
    expect(() => grants.approve(ctx, grant.id, 'Alice')).toThrow(GrantError);

    const approved = grants.approve(ctx, grant.id, 'carol');
    expect(approved).toMatchObject({ state: 'active', approver: 'carol' });
    expect(members()).toHaveLength(1);
    const approvedRow = store.ledger.forSubject('user:alice').find((r) => r.kind === 'grant.approved');
    expect(JSON.parse(approvedRow!.after!)).toMatchObject({ id: grant.id, approver: 'carol' });
  });

  it('refuses a privileged grant longer than the group maximum', () => {
    const { grants, clock } = setup();
    expect(() => grants.request(ctx, { ...twoHourGrant(clock, true), maxDurationMs: HOUR })).toThrow(/maximum of 60 minutes/);
  });

  it('keeps access while an overlapping grant is still active', () => {
    const { grants, members, advance, clock } = setup();
    const first = grants.request(ctx, twoHourGrant(clock, false));
    const second = grants.request(ctx, { ...twoHourGrant(clock, false), expiresAt: new Date(clock().getTime() + 4 * HOUR) });
    advance(2 * HOUR);
    expect(grants.sweep(ctx).expired).toEqual([first.id]);
    expect(members()).toEqual([{ user_id: 'alice', grant_id: second.id }]);
    advance(2 * HOUR);
    grants.sweep(ctx);
    expect(members()).toEqual([]);
  });

  it('revokes early and records why', () => {
    const { grants, members, clock } = setup();
    const grant = grants.request(ctx, twoHourGrant(clock, false));
    expect(grants.revoke(ctx, grant.id, 'no longer needed')).toMatchObject({ state: 'revoked', end_reason: 'no longer needed' });
    expect(members()).toEqual([]);
    expect(() => grants.revoke(ctx, grant.id, 'again')).toThrow(/already ended/);
  });

  it('starts a scheduled grant when its start time comes', () => {
    const { grants, members, advance, clock } = setup();
    const start = new Date(clock().getTime() + HOUR);
    const grant = grants.request(ctx, { ...twoHourGrant(clock, false), startsAt: start, expiresAt: new Date(start.getTime() + HOUR) });
    expect(grant.state).toBe('scheduled');
    expect(members()).toEqual([]);
    advance(HOUR);
    expect(grants.sweep(ctx).activated).toEqual([grant.id]);
    expect(members()).toHaveLength(1);
  });

  it('rejects unknown users and groups and bad windows', () => {
    const { grants, clock } = setup();
    expect(() => grants.request(ctx, { ...twoHourGrant(clock, false), userId: 'nobody' })).toThrow(/not found/);
    expect(() => grants.request(ctx, { ...twoHourGrant(clock, false), expiresAt: clock() })).toThrow(/after the start/);
  });
});
