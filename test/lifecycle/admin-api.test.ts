import request from 'supertest';
import { createApp } from '../../src/app';
import { defaultConfig } from '../../src/config/defaults';
import { createLogger } from '../../src/log';
import { openDatabase } from '../../src/store/db';
import { Store } from '../../src/store';
import { Tokens } from '../../src/store/tokens';
import { lifecycleModule } from '../../src/lifecycle/module';
import { IDENTITY_SCHEMA_ID } from '../../src/lifecycle/identity';

async function setup() {
  const store = new Store(openDatabase(':memory:'));
  const tokens = new Tokens(store.db);
  const config = { ...defaultConfig(), lifecycle: { ...defaultConfig().lifecycle, privilegedGroups: [{ group: 'aws admins', maxDuration: 'PT4H' }] } };
  const logger = createLogger({ silent: true });
  const contribution = await lifecycleModule.setup({ config, store, tokens, logger });
  const app = createApp({ store, tokens, logger, config, adminRouters: contribution.adminRouters });
  const scim = { actor: 'okta', requestId: 'r', source: 'scim' as const };
  const alice = store.users.create({ userName: 'alice@example.com', active: true }, scim);
  const bob = store.users.create({ userName: 'bob@example.com', active: true }, scim);
  store.groups.create({ displayName: 'AWS Admins' }, [], scim);
  const admin = `Bearer ${tokens.create('secops', 'admin')}`;
  const scimToken = `Bearer ${tokens.create('okta', 'scim')}`;
  const api = {
    post: (path: string, body: object = {}) => request(app).post(path).set('Authorization', admin).send(body),
    patch: (path: string, body: object) => request(app).patch(path).set('Authorization', admin).send(body),
    get: (path: string) => request(app).get(path).set('Authorization', admin),
  };
  return { app, store, alice, bob, api, scimToken };
}

const grantBody = (extra: object = {}) => ({ user: 'alice@example.com', group: 'AWS Admins', reason: 'incident', requester: 'alice@example.com', duration: 'PT2H', ...extra });

describe('lifecycle admin API', () => {
  it('requests, approves and reports a privileged grant', async () => {
    const { alice, api } = await setup();
    const created = await api.post('/admin/grants', grantBody());
    expect(created.status).toBe(201);
    expect(created.body).toMatchObject({ state: 'pending-approval', user_id: alice.id, requested_by: 'secops', requester_id: alice.id });
    expect(created.body.warnings).toEqual([expect.stringMatching(/no target maps or scopes by group 'AWS Admins'/)]);

    const self = await api.post(`/admin/grants/${created.body.id}/approve`, { approver: 'ALICE@example.com' });
    expect(self.status).toBe(403);
    expect(self.body).toMatchObject({ status: '403', detail: 'the approver must not be the person receiving the access' });
    const nobody = await api.post(`/admin/grants/${created.body.id}/approve`, { approver: 'nobody-at-all' });
    expect(nobody.status).toBe(400);
    expect(nobody.body).toMatchObject({ scimType: 'invalidValue', detail: "approver 'nobody-at-all' is not a known user" });

    const approved = await api.post(`/admin/grants/${created.body.id}/approve`, { approver: 'bob@example.com' });
    expect(approved.body).toMatchObject({ state: 'active', approver: 'bob@example.com' });

    const access = await api.get('/admin/access?format=csv&user=alice@example.com');
    expect(access.status).toBe(200);
    expect(access.text).toContain('alice@example.com,true,AWS Admins,grant');
    const unknownTarget = await api.get('/admin/access?target=nosuch');
    expect(unknownTarget.status).toBe(400);
    expect(unknownTarget.body.detail).toBe("unknown target 'nosuch'; known targets: (none)");

    const listed = await api.get('/admin/grants?user=ALICE@example.com&group=aws%20admins');
    expect(listed.body.map((grant: { id: string }) => grant.id)).toEqual([created.body.id]);

    const trail = await api.get(`/admin/evidence/grant:${created.body.id}`);
    expect(trail.body.map((row: { kind: string }) => row.kind)).toEqual(['grant.requested', 'grant.approved', 'grant.activated']);
  });

  it('answers bad durations, bodies, people and tokens with clear 4xx, never 500', async () => {
    const { api, scimToken, app } = await setup();
    const tooLong = await api.post('/admin/grants', grantBody({ duration: 'P1D' }));
    expect(tooLong.status).toBe(400);
    expect(tooLong.body.detail).toBe("a grant of 1 day exceeds the group's maximum of 4 hours");

    const huge = await api.post('/admin/grants', grantBody({ group: 'AWS Admins', duration: 'P99999999W' }));
    expect(huge.status).toBe(400);
    expect(huge.body.detail).toBe('duration P99999999W is too long: the grant would end after the year 9999');
    const month = await api.post('/admin/grants', grantBody({ duration: 'P1M' }));
    expect(month.status).toBe(400);
    expect(month.body.detail).toMatch(/^duration must be an ISO 8601 duration in weeks, days, hours, minutes or seconds .*use days/);

    const bad = await api.post('/admin/grants', { user: 'alice', extra: 1 });
    expect(bad.status).toBe(400);
    expect(bad.body.detail).toMatch(/group|reason|extra/);
    expect((await api.post('/admin/grants', grantBody({ user: 'nobody' }))).status).toBe(404);
    expect((await api.post('/admin/grants', grantBody({ requester: 'a-ticket' }))).status).toBe(400);
    expect((await api.get('/admin/grants/no-such-grant')).status).toBe(404);
    expect((await request(app).get('/admin/grants').set('Authorization', scimToken)).status).toBe(403);
  });

  it('runs the sweeper on demand', async () => {
    const { api } = await setup();
    const result = await api.post('/admin/lifecycle/sweep');
    expect(result.status).toBe(200);
    expect(result.body).toMatchObject({ grantsActivated: [], grantsEnded: [], identitiesExpired: [] });
  });
});

describe('identity admin API', () => {
  it('sets and clears identity fields with the SCIM rules, in one transaction with ledger and queue rows', async () => {
    const { api, store, alice, bob } = await setup();
    store.changes.routeWith(() => ['github']);
    const bot = store.users.create({ userName: 'etl-bot', active: true, schemas: ['urn:ietf:params:scim:schemas:core:2.0:User'] }, { actor: 'okta', requestId: 'r', source: 'scim' });

    const missing = await api.patch(`/admin/identities/etl-bot`, { identityType: 'service', owner: 'bob@example.com' });
    expect(missing.status).toBe(400);
    expect(missing.body.detail).toBe('a service identity requires purpose');
    const unknownOwner = await api.patch(`/admin/identities/etl-bot`, { identityType: 'service', owner: 'no-such-person', purpose: 'etl' });
    expect(unknownOwner.body).toMatchObject({ status: '400', detail: "owner 'no-such-person' is not a known user" });

    const set = await api.patch(`/admin/identities/ETL-BOT`, { identityType: 'service', owner: 'bob@example.com', purpose: 'nightly ETL', expiresAt: '2027-01-01T02:00:00+02:00' });
    expect(set.status).toBe(200);
    expect(set.body).toEqual({
      id: bot.id, userName: 'etl-bot', active: true,
      identity: { identityType: 'service', owner: bob.id, purpose: 'nightly ETL', expiresAt: '2027-01-01T00:00:00.000Z' },
      names: { owner: 'bob@example.com' },
    });
    expect(store.users.get(bot.id)!.resource.schemas).toEqual(['urn:ietf:params:scim:schemas:core:2.0:User', IDENTITY_SCHEMA_ID]);
    const row = store.ledger.forSubject(`user:${bot.id}`).pop()!;
    expect(row).toMatchObject({ kind: 'user.updated', actor: 'secops', source: 'admin' });
    expect(store.queue.get('github', { kind: 'user', id: bot.id })).toMatchObject({ request_id: row.request_id });

    const cleared = await api.patch(`/admin/identities/${bot.id}`, { identityType: 'human', owner: null, purpose: null, expiresAt: null });
    expect(cleared.body.identity).toEqual({ identityType: 'human' });
    expect((await api.get(`/admin/identities/${alice.id}`)).body).toMatchObject({ userName: 'alice@example.com', identity: null });

    expect((await api.patch(`/admin/identities/etl-bot`, { identityType: 'robot' })).status).toBe(400);
    expect((await api.patch(`/admin/identities/etl-bot`, {})).status).toBe(400);
    expect((await api.get('/admin/identities/nobody')).status).toBe(404);
    store.users.replace(bob.id, { userName: 'bob@example.com', active: false }, { actor: 'okta', requestId: 'r2', source: 'scim' });
    const inactiveSponsor = await api.patch('/admin/identities/etl-bot', { identityType: 'contractor', sponsor: 'bob@example.com', expiresAt: '2027-01-01T00:00:00Z' });
    expect(inactiveSponsor.status).toBe(409);
    expect(inactiveSponsor.body.detail).toBe("sponsor 'bob@example.com' is inactive");
  });
});
