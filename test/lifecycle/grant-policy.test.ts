import { mkdtempSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import Database from 'better-sqlite3';
import { GrantError, Grants } from '../../src/store/grants';
import { GrantService } from '../../src/lifecycle/grant-service';
import { lifecycleParts } from '../../src/lifecycle/module';
import { defaultLifecycleConfig } from '../../src/lifecycle/config';
import { IDENTITY_SCHEMA_ID } from '../../src/lifecycle/identity';
import type { GroupResource } from '../../src/store/groups';
import type { TargetConfig } from '../../src/config/types';
import { HOUR, admin, idp, lifecycleFixture } from './fixtures';

const privileged = { privilegedGroups: [{ group: 'Admins', maxDuration: 'PT4H' }] };
const request = (group: string, duration = 'PT2H', user = 'bob@example.com') => ({ user, group, reason: 'deploy', requester: user, duration });

function status(fn: () => unknown): number {
  try {
    fn();
  } catch (error) {
    if (error instanceof GrantError) return error.status;
    throw error;
  }
  return 0;
}

describe('privileged groups are matched on stable identity', () => {
  it('keeps a renamed group privileged: no unapproved 30-day grant through "Admins (prod)"', () => {
    const { store, grantService, user, group, members } = lifecycleFixture(privileged);
    user('bob@example.com');
    const admins = group('Admins');
    store.groups.update(admins, { displayName: 'Admins (prod)' } as GroupResource, {}, idp);

    expect(() => grantService.request(admin, request('Admins (prod)', 'P30D'))).toThrow("a grant of 30 days exceeds the group's maximum of 4 hours");
    expect(grantService.request(admin, request('Admins (prod)'))).toMatchObject({ state: 'pending-approval', privileged: 1 });
    store.groups.update(admins, { displayName: 'Admins' } as GroupResource, {}, idp);
    expect(members()).toEqual([]);
  });

  it('matches a config entry by group id or externalId too, and a new group taking the name', () => {
    const fixture = lifecycleFixture();
    fixture.user('bob@example.com');
    const byId = fixture.group('Prod DB');
    fixture.group('Break Glass', { externalId: 'okta-00g1' });
    const config = { lifecycle: { ...defaultLifecycleConfig(), privilegedGroups: [{ group: byId, maxDuration: 'PT1H' }, { group: 'okta-00g1', maxDuration: 'PT1H' }, { group: 'Admins', maxDuration: 'PT1H' }] }, targets: [] };
    const { grantService } = lifecycleParts(fixture.store, config);
    expect(grantService.request(admin, request('Prod DB', 'PT1H')).state).toBe('pending-approval');
    expect(grantService.request(admin, request('Break Glass', 'PT1H')).state).toBe('pending-approval');
    fixture.group('admins');
    expect(grantService.request(admin, request('admins', 'PT1H')).state).toBe('pending-approval');
  });

  it('sends a scheduled grant back to approval when its group became privileged before it started', () => {
    const fixture = lifecycleFixture();
    fixture.user('bob@example.com');
    fixture.group('Admins');
    const scheduled = fixture.grantService.request(admin, { ...request('Admins'), startsAt: '2026-03-01T11:00:00Z' });
    expect(scheduled).toMatchObject({ state: 'scheduled', privileged: 0 });

    const now = lifecycleParts(fixture.store, { lifecycle: { ...defaultLifecycleConfig(), ...privileged }, targets: [] });
    fixture.advance(HOUR);
    expect(now.grants.sweep(admin).activated).toEqual([]);
    expect(now.grants.get(scheduled.id)).toMatchObject({ state: 'pending-approval', privileged: 1 });
    expect(fixture.members()).toEqual([]);
    expect(fixture.store.ledger.forSubject(`user:${scheduled.user_id}`).map((row) => row.kind)).toContain('grant.approval-required');
  });

  it('refuses on approval a grant longer than the maximum it is now subject to', () => {
    const fixture = lifecycleFixture();
    fixture.user('bob@example.com');
    fixture.user('carol@example.com');
    fixture.group('Admins');
    const filed = fixture.grantService.request(admin, { ...request('Admins', 'P30D'), startsAt: '2026-03-01T11:00:00Z' });
    const now = lifecycleParts(fixture.store, { lifecycle: { ...defaultLifecycleConfig(), ...privileged }, targets: [] });
    fixture.advance(HOUR);
    now.grants.sweep(admin);
    expect(() => now.grantService.approve(admin, filed.id, 'carol@example.com')).toThrow(/30 days exceeds the group's maximum of 4 hours/);
  });
});

describe('grants for people who cannot hold access', () => {
  it('refuses a grant for a deactivated user, a contractor past expiry, or from an inactive requester', () => {
    const { grantService, user, group, deactivate } = lifecycleFixture();
    group('Engineering');
    deactivate(user('bob@example.com'));
    user('temp@example.com', { [IDENTITY_SCHEMA_ID]: { identityType: 'contractor', sponsor: 'x', expiresAt: '2026-02-28T00:00:00Z' } });
    user('alice@example.com');
    expect(() => grantService.request(admin, request('Engineering'))).toThrow("user 'bob@example.com' is inactive");
    expect(status(() => grantService.request(admin, request('Engineering')))).toBe(409);
    expect(status(() => grantService.request(admin, request('Engineering', 'PT1H', 'temp@example.com')))).toBe(409);
    expect(status(() => grantService.request(admin, { ...request('Engineering', 'PT1H', 'alice@example.com'), requester: 'bob@example.com' }))).toBe(403);
  });
});

describe('delivery warnings', () => {
  it('warns when no target maps or scopes by the group, and not otherwise', () => {
    const targets = [{ name: 'github', connector: 'github', config: {}, groups: [{ scim: 'engineering', target: 'eng' }] }] as TargetConfig[];
    const { grantService, user, group } = lifecycleFixture({}, targets);
    user('bob@example.com');
    group('Engineering');
    group('Snacks');
    expect(grantService.request(admin, request('Engineering')).warnings).toBeUndefined();
    expect(grantService.request(admin, request('Snacks')).warnings).toEqual([
      "no target maps or scopes by group 'Snacks': this grant changes membership in the bridge only, not on any target",
    ]);
  });
});

describe('grant writes take the write lock first', () => {
  it('holds the database from the start of a request, so a concurrent writer cannot invalidate its reads', () => {
    const file = join(mkdtempSync(join(tmpdir(), 'sb-grants-')), 'bridge.db');
    const fixture = lifecycleFixture({}, [], file);
    fixture.user('bob@example.com');
    fixture.group('Engineering');
    const other = new Database(file);
    other.pragma('busy_timeout = 0');
    const otherWrites: string[] = [];
    // First called inside the grant's transaction after its reads, before its first write: the other connection tries to write then.
    const probe = {
      policyFor: () => {
        try {
          other.exec('BEGIN IMMEDIATE; COMMIT');
          otherWrites.push('written');
        } catch (error) {
          otherWrites.push(String(error));
        }
        return undefined;
      },
    };
    const grants = new Grants(fixture.store.db, fixture.store.changes, fixture.clock, probe);
    const granted = new GrantService(fixture.store, grants).request(admin, request('Engineering'));
    expect(granted.state).toBe('active');
    expect(otherWrites[0]).toMatch(/database is locked/);
    other.close();
  });
});
