import { GrantError } from '../../src/store/grants';
import { IDENTITY_SCHEMA_ID } from '../../src/lifecycle/identity';
import { HOUR, admin, lifecycleFixture } from './fixtures';

function setup() {
  const fixture = lifecycleFixture({ privilegedGroups: [{ group: 'AWS Admins', maxDuration: 'PT4H' }] });
  const alice = fixture.user('alice@example.com');
  const bob = fixture.user('bob-b@example.com');
  const carol = fixture.user('carol@example.com');
  const awsAdmins = fixture.group('AWS Admins');
  const engineering = fixture.group('Engineering');
  return { ...fixture, alice, bob, carol, awsAdmins, engineering };
}

const input = (user: string, group: string, requester: string, duration = 'PT2H') => ({ user, group, reason: 'incident 42', requester, duration });

function refusal(fn: () => unknown): { status: number; message: string } {
  try {
    fn();
  } catch (error) {
    if (error instanceof GrantError) return { status: error.status, message: error.message };
    throw error;
  }
  throw new Error('expected a GrantError');
}

describe('time-bound grants', () => {
  it('activates an unprivileged grant at once and removes it when the clock passes expiry', () => {
    const { store, grants, grantService, members, advance, alice, engineering } = setup();
    const grant = grantService.request(admin, input('alice@example.com', 'Engineering', 'alice@example.com'));
    expect(grant).toMatchObject({ state: 'active', requester: 'alice@example.com', requester_id: alice, activated_at: '2026-03-01T10:00:00.000Z' });
    expect(members()).toEqual([{ user_id: alice, grant_id: grant.id }]);
    expect(store.queue.get('github', { kind: 'group', id: engineering })).toBeDefined();

    advance(HOUR);
    expect(grants.sweep(admin)).toEqual({ activated: [], expired: [] });
    advance(HOUR);
    expect(grants.sweep(admin)).toEqual({ activated: [], expired: [grant.id] });
    expect(members()).toEqual([]);
    expect(grants.get(grant.id)).toMatchObject({ state: 'expired', ended_by: 'secops-token' });
    expect(store.ledger.forSubject(`user:${alice}`).map((r) => r.kind)).toEqual(['user.created', 'grant.requested', 'grant.activated', 'grant.expired']);
    expect(store.ledger.verify().ok).toBe(true);
  });

  it('changes nothing for a privileged grant until an active person other than requester and grantee approves', () => {
    const { store, grantService, members, alice, bob, carol } = setup();
    const grant = grantService.request(admin, input('alice@example.com', 'aws admins', 'bob-b@example.com'));
    expect(grant).toMatchObject({ state: 'pending-approval', privileged: 1 });
    expect(members()).toEqual([]);
    expect(store.queue.list().filter((item) => item.request_id === admin.requestId)).toEqual([]);

    expect(refusal(() => grantService.approve(admin, grant.id, bob))).toEqual({ status: 403, message: 'the approver must not be the requester' });
    expect(refusal(() => grantService.approve(admin, grant.id, 'BOB-B@example.com')).status).toBe(403);
    expect(refusal(() => grantService.approve(admin, grant.id, alice))).toEqual({ status: 403, message: 'the approver must not be the person receiving the access' });
    expect(refusal(() => grantService.approve(admin, grant.id, 'nobody-at-all'))).toEqual({ status: 400, message: "approver 'nobody-at-all' is not a known user" });
    expect(members()).toEqual([]);

    const approved = grantService.approve(admin, grant.id, 'Carol@Example.com');
    expect(approved).toMatchObject({ state: 'active', approver: 'carol@example.com', approver_id: carol });
    expect(members()).toHaveLength(1);
    const approvedRow = store.ledger.forSubject(`user:${alice}`).find((r) => r.kind === 'grant.approved');
    expect(JSON.parse(approvedRow!.after!)).toMatchObject({ id: grant.id, approver_id: carol });
  });

  it('refuses approvers who are inactive, expired or a service identity', () => {
    const { grantService, user, deactivate } = setup();
    const grant = grantService.request(admin, input('alice@example.com', 'AWS Admins', 'alice@example.com'));
    deactivate(user('dave@example.com'));
    user('temp@example.com', { [IDENTITY_SCHEMA_ID]: { identityType: 'contractor', sponsor: 'carol@example.com', expiresAt: '2026-02-01T00:00:00Z' } });
    user('ci-bot', { [IDENTITY_SCHEMA_ID]: { identityType: 'service', owner: 'carol@example.com', purpose: 'ci' } });
    expect(refusal(() => grantService.approve(admin, grant.id, 'dave@example.com'))).toEqual({ status: 403, message: "approver 'dave@example.com' is inactive" });
    expect(refusal(() => grantService.approve(admin, grant.id, 'temp@example.com')).message).toMatch(/expired at 2026-02-01/);
    expect(refusal(() => grantService.approve(admin, grant.id, 'ci-bot')).message).toMatch(/service identity/);
  });

  it('refuses to approve a pending grant that expired meanwhile', () => {
    const { grantService, advance, members } = setup();
    const grant = grantService.request(admin, input('alice@example.com', 'AWS Admins', 'alice@example.com'));
    advance(3 * HOUR);
    expect(refusal(() => grantService.approve(admin, grant.id, 'carol@example.com'))).toEqual({
      status: 409,
      message: `grant ${grant.id} expired at 2026-03-01T12:00:00.000Z before it was approved; request a new one`,
    });
    expect(members()).toEqual([]);
  });

  it('refuses a privileged grant longer than the group maximum, in words', () => {
    const { grantService } = setup();
    expect(refusal(() => grantService.request(admin, input('alice@example.com', 'AWS Admins', 'alice@example.com', 'P30D')))).toEqual({
      status: 400,
      message: "a grant of 30 days exceeds the group's maximum of 4 hours",
    });
  });

  it('keeps access while an overlapping grant is still active', () => {
    const { grantService, grants, members, advance, alice } = setup();
    const first = grantService.request(admin, input('alice@example.com', 'Engineering', 'alice@example.com'));
    const second = grantService.request(admin, input('alice@example.com', 'Engineering', 'alice@example.com', 'PT4H'));
    advance(2 * HOUR);
    expect(grants.sweep(admin).expired).toEqual([first.id]);
    expect(members()).toEqual([{ user_id: alice, grant_id: second.id }]);
    advance(2 * HOUR);
    grants.sweep(admin);
    expect(members()).toEqual([]);
  });

  it('revokes early and records why', () => {
    const { grantService, grants, members } = setup();
    const grant = grantService.request(admin, input('alice@example.com', 'Engineering', 'alice@example.com'));
    expect(grants.revoke(admin, grant.id, 'no longer needed')).toMatchObject({ state: 'revoked', end_reason: 'no longer needed' });
    expect(members()).toEqual([]);
    expect(() => grants.revoke(admin, grant.id, 'again')).toThrow(/already ended/);
  });

  it('starts a scheduled grant when its start time comes', () => {
    const { grantService, grants, members, advance } = setup();
    const grant = grantService.request(admin, { ...input('alice@example.com', 'Engineering', 'alice@example.com', 'PT1H'), startsAt: '2026-03-01T11:00:00Z' });
    expect(grant.state).toBe('scheduled');
    expect(members()).toEqual([]);
    advance(HOUR);
    expect(grants.sweep(admin).activated).toEqual([grant.id]);
    expect(members()).toHaveLength(1);
  });

  it('rejects unknown people and groups and bad windows with clear statuses', () => {
    const { grantService } = setup();
    expect(refusal(() => grantService.request(admin, input('nobody', 'Engineering', 'alice@example.com')))).toEqual({ status: 404, message: "user 'nobody' not found" });
    expect(refusal(() => grantService.request(admin, input('alice@example.com', 'Nope', 'alice@example.com'))).status).toBe(404);
    expect(refusal(() => grantService.request(admin, input('alice@example.com', 'Engineering', 'ticket-123')))).toEqual({ status: 400, message: "requester 'ticket-123' is not a known user" });
    expect(refusal(() => grantService.request(admin, { ...input('alice@example.com', 'Engineering', 'alice@example.com'), duration: undefined, expiresAt: '2026-03-01T09:00:00Z' })).message).toMatch(/after the start/);
  });

  it('explains durations it does not accept, and refuses one too long to represent instead of crashing', () => {
    const { grantService } = setup();
    const month = refusal(() => grantService.request(admin, input('alice@example.com', 'Engineering', 'alice@example.com', 'P1M')));
    expect(month.status).toBe(400);
    expect(month.message).toMatch(/weeks, days, hours, minutes or seconds .*months and years are not accepted/);
    expect(refusal(() => grantService.request(admin, input('alice@example.com', 'Engineering', 'alice@example.com', 'P99999999W')))).toEqual({
      status: 400,
      message: 'duration P99999999W is too long: the grant would end after the year 9999',
    });
    expect(refusal(() => grantService.request(admin, { ...input('alice@example.com', 'Engineering', 'alice@example.com'), duration: undefined, expiresAt: '+275760-01-01T00:00:00Z' })).status).toBe(400);
  });
});
