import request from 'supertest';
import { createApp } from '../../src/app';
import { defaultConfig } from '../../src/config/defaults';
import { createLogger } from '../../src/log';
import { openDatabase } from '../../src/store/db';
import { Store } from '../../src/store';
import { Tokens } from '../../src/store/tokens';
import { Users } from '../../src/store/users';
import { lifecycleModule } from '../../src/lifecycle/module';

async function setup() {
  const store = new Store(openDatabase(':memory:'));
  const tokens = new Tokens(store.db);
  const config = { ...defaultConfig(), lifecycle: { ...defaultConfig().lifecycle, privilegedGroups: [{ group: 'aws admins', maxDuration: 'PT4H' }] } };
  const logger = createLogger({ silent: true });
  const contribution = await lifecycleModule.setup({ config, store, tokens, logger });
  const app = createApp({ store, tokens, logger, config, adminRouters: contribution.adminRouters });
  const users = new Users(store.db, store.changes);
  const scim = { actor: 'okta', requestId: 'r', source: 'scim' as const };
  const alice = users.create({ userName: 'alice@example.com', active: true }, scim);
  store.db.prepare(`INSERT INTO groups (id, display_name, resource, created, last_modified) VALUES ('g1', 'AWS Admins', '{}', 'x', 'x')`).run();
  const admin = `Bearer ${tokens.create('secops', 'admin')}`;
  const scimToken = `Bearer ${tokens.create('okta', 'scim')}`;
  return { app, store, alice, admin, scimToken };
}

describe('lifecycle admin API', () => {
  it('requests, approves and reports a privileged grant', async () => {
    const { app, alice, admin } = await setup();
    const created = await request(app).post('/admin/grants').set('Authorization', admin)
      .send({ user: 'alice@example.com', group: 'AWS Admins', reason: 'incident', requester: 'alice', duration: 'PT2H' });
    expect(created.status).toBe(201);
    expect(created.body).toMatchObject({ state: 'pending-approval', user_id: alice.id, requested_by: 'secops' });

    const self = await request(app).post(`/admin/grants/${created.body.id}/approve`).set('Authorization', admin).send({ approver: 'ALICE' });
    expect(self.status).toBe(400);
    expect(self.body).toMatchObject({ status: '400', scimType: 'invalidValue' });

    const approved = await request(app).post(`/admin/grants/${created.body.id}/approve`).set('Authorization', admin).send({ approver: 'bob' });
    expect(approved.body).toMatchObject({ state: 'active', approver: 'bob' });

    const access = await request(app).get('/admin/access?format=csv&user=alice@example.com').set('Authorization', admin);
    expect(access.status).toBe(200);
    expect(access.text).toContain('AWS Admins,grant');

    const trail = await request(app).get(`/admin/evidence/grant:${created.body.id}`).set('Authorization', admin);
    expect(trail.body.map((row: { kind: string }) => row.kind)).toEqual(['grant.requested', 'grant.approved', 'grant.activated']);
  });

  it('refuses a privileged grant over the maximum, bad bodies, and non-admin tokens', async () => {
    const { app, admin, scimToken } = await setup();
    const tooLong = await request(app).post('/admin/grants').set('Authorization', admin)
      .send({ user: 'alice@example.com', group: 'AWS Admins', reason: 'x', requester: 'alice', duration: 'P1D' });
    expect(tooLong.status).toBe(400);
    expect(tooLong.body.detail).toMatch(/maximum of 240 minutes/);

    const bad = await request(app).post('/admin/grants').set('Authorization', admin).send({ user: 'alice', extra: 1 });
    expect(bad.status).toBe(400);
    expect(bad.body.detail).toMatch(/group|reason|extra/);

    const unknown = await request(app).post('/admin/grants').set('Authorization', admin)
      .send({ user: 'nobody', group: 'AWS Admins', reason: 'x', requester: 'a', duration: 'PT1H' });
    expect(unknown.status).toBe(404);

    const forbidden = await request(app).get('/admin/grants').set('Authorization', scimToken);
    expect(forbidden.status).toBe(401);
  });

  it('runs the sweeper on demand', async () => {
    const { app, admin } = await setup();
    const result = await request(app).post('/admin/lifecycle/sweep').set('Authorization', admin);
    expect(result.status).toBe(200);
    expect(result.body).toMatchObject({ grantsActivated: [], grantsEnded: [], identitiesExpired: [] });
  });
});
