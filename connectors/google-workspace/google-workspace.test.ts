import { mkdtempSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { collectAll, runConnectorKit } from '../kit';
import { ConfigError, ConflictError, NotFoundError, PermanentError, RateLimitedError, RetryableError, DEFAULT_RATE_LIMIT_BACKOFF_MS } from '../sdk';
import { DIRECTORY_SCOPES } from './config';
import { GoogleWorkspaceFake, googleErrorBody } from './fake';
import { createTestServiceAccount } from './fake-service-account';
import {
  connectorFor,
  googleWorkspaceHarness,
  opContext,
  sampleGroup,
  sampleUser,
  startGoogleFake,
  TEST_ADMIN,
  TEST_DOMAIN,
  testServiceAccount,
} from './harness';
import { googleWorkspace } from './index';

runConnectorKit(googleWorkspaceHarness);

const ctx = () => opContext();

describe('Google Workspace connector against the Directory API fake', () => {
  let fake: GoogleWorkspaceFake;
  beforeAll(async () => {
    fake = await startGoogleFake(testServiceAccount, ['/', '/Engineering', '/Sales', '/Contractors']);
  });
  afterAll(async () => fake.stop());
  beforeEach(() => fake.reset());

  describe('domain-wide delegation', () => {
    it('signs one RS256 assertion for the admin with exactly the three Directory scopes, then reuses the token', async () => {
      const { connector } = connectorFor(fake);
      await connector.users.create(sampleUser(1), ctx());
      await connector.users.find(sampleUser(1).key, ctx());
      await collectAll(connector.users.list({}, ctx()));

      expect(fake.calls('POST /token')).toBe(1);
      expect(fake.acceptedAssertions).toEqual([
        expect.objectContaining({ iss: testServiceAccount.clientEmail, sub: TEST_ADMIN, aud: 'https://oauth2.googleapis.com/token' }),
      ]);
      expect(fake.acceptedAssertions[0].scope.split(' ').sort()).toEqual([...DIRECTORY_SCOPES].sort());
      const directoryCalls = fake.requests.filter((request) => request.path.startsWith('/admin/directory/v1/'));
      expect(directoryCalls.map((request) => request.status)).toEqual([200, 200, 200]);
    });

    it('is unhealthy with the token endpoint\'s reason when the Admin console lacks a scope', async () => {
      const narrow = await new GoogleWorkspaceFake({
        publicKey: testServiceAccount.publicKey,
        clientEmail: testServiceAccount.clientEmail,
        admins: [TEST_ADMIN],
        domains: [TEST_DOMAIN],
        delegatedScopes: DIRECTORY_SCOPES.slice(0, 2),
      }).start();
      try {
        const { connector } = connectorFor(narrow);
        const health = await connector.check(ctx());
        expect(health.ok).toBe(false);
        expect(health.message).toContain('unauthorized_client');
        await expect(connector.users.find('someone@example.com', ctx())).rejects.toBeInstanceOf(ConfigError);
      } finally {
        await narrow.stop();
      }
    });

    it('refuses an admin subject the domain does not know (invalid_grant) as a config error', async () => {
      const { connector } = connectorFor(fake, { adminEmail: `nobody@${TEST_DOMAIN}` });
      const error = await connector.users.find(sampleUser(1).key, ctx()).catch((thrown: unknown) => thrown);
      expect(error).toBeInstanceOf(ConfigError);
      expect((error as Error).message).toContain('invalid_grant: Invalid email or User ID');
    });

    it('refuses an assertion signed by another key, without echoing either key', async () => {
      const impostor = createTestServiceAccount();
      const { connector } = connectorFor(fake, { serviceAccountKey: impostor.keyJson(fake.tokenUrl).replace(impostor.clientEmail, testServiceAccount.clientEmail) });
      const health = await connector.check(ctx());
      expect(health).toEqual({ ok: false, message: 'HTTP 400: token request refused: invalid_grant: Invalid JWT Signature.' });
    });

    it('reads the key from serviceAccountKeyFile', async () => {
      const file = join(mkdtempSync(join(tmpdir(), 'gw-key-')), 'sa.json');
      writeFileSync(file, testServiceAccount.keyJson(fake.tokenUrl));
      const { connector } = connectorFor(fake, { serviceAccountKey: undefined, serviceAccountKeyFile: file });
      expect(await connector.check(ctx())).toMatchObject({ ok: true });
    });

    it.each([
      ['not JSON', { serviceAccountKey: `{"private_key": "${testServiceAccount.privateKeyPem.slice(40, 80)}` }, 'serviceAccountKey is not valid JSON'],
      ['no private key', { serviceAccountKey: JSON.stringify({ client_email: 'x@y.iam.gserviceaccount.com' }) }, 'lacks client_email or private_key'],
      ['token_uri over plain http elsewhere', { serviceAccountKey: JSON.stringify({ client_email: 'x@y', private_key: 'k', token_uri: 'http://evil.example/token' }) }, 'neither https nor loopback'],
      ['unreadable key file', { serviceAccountKey: undefined, serviceAccountKeyFile: '/nonexistent/sa.json' }, 'cannot read serviceAccountKeyFile /nonexistent/sa.json (ENOENT)'],
      ['a private key that is not one', { serviceAccountKey: JSON.stringify({ client_email: testServiceAccount.clientEmail, private_key: 'not a key at all', token_uri: 'http://127.0.0.1:9/token' }) }, 'cannot sign the token request'],
    ])('a bad key (%s) is a config error naming the problem, not the key', async (_name, overrides, expected) => {
      const { connector } = connectorFor(fake, overrides);
      const error = (await connector.users.find('a@example.com', ctx()).catch((thrown: unknown) => thrown)) as Error;
      expect(error).toBeInstanceOf(ConfigError);
      expect(error.message).toContain(expected);
      expect(error.message).not.toContain(testServiceAccount.privateKeyPem.slice(40, 80));
      expect(error.cause).toBeUndefined();
    });
  });

  describe('users', () => {
    it('creates with a strong random password the user never sees, the SCIM id in externalIds, and the mapped fields', async () => {
      const { connector } = connectorFor(fake);
      const user = sampleUser(1);
      user.attributes = { ...user.attributes, employeeId: 'E-1001', costCenter: 'CC-7' };
      const ref = await connector.users.create(user, ctx());
      const other = await connector.users.create(sampleUser(2), ctx());

      const held = fake.users.get(ref.id)!;
      expect(held.password.length).toBeGreaterThanOrEqual(32);
      expect(held.password).not.toBe(fake.users.get(other.id)!.password);
      expect(held.changePasswordAtNextLogin).toBe(false);
      expect(held).toMatchObject({
        primaryEmail: user.key,
        name: { givenName: 'Given1', familyName: 'Family1' },
        orgUnitPath: '/',
        suspended: false,
        externalIds: expect.arrayContaining([
          { type: 'custom', customType: 'scim-bridge', value: user.scimId },
          { type: 'organization', value: 'E-1001' },
        ]),
        phones: [{ type: 'work', value: user.attributes.workPhone }],
        organizations: [{ primary: true, type: 'work', title: 'Engineer', department: 'Engineering', costCenter: 'CC-7' }],
      });
      const body = fake.requests.find((request) => request.endpoint === 'POST /users')!.body as Record<string, unknown>;
      expect(JSON.stringify(await connector.users.find(user.key, ctx()))).not.toContain(String(body.password));
    });

    it('asks for a password change at first sign-in when configured, and creates inactive users suspended', async () => {
      const { connector } = connectorFor(fake, { newUsers: { changePasswordAtNextLogin: true } });
      const ref = await connector.users.create({ ...sampleUser(3), active: false }, ctx());
      expect(fake.users.get(ref.id)).toMatchObject({ changePasswordAtNextLogin: true, suspended: true });
    });

    it('places users in org units from the department table, from the department name, or the default', async () => {
      const orgUnits = { default: '/Contractors', fromDepartment: true, byDepartment: { Eng: '/Engineering' } };
      const { connector } = connectorFor(fake, { orgUnits });
      const mapped = await connector.users.create({ ...sampleUser(4), attributes: { department: 'Eng' } }, ctx());
      const named = await connector.users.create({ ...sampleUser(5), attributes: { department: 'Sales' } }, ctx());
      const none = await connector.users.create({ ...sampleUser(6), attributes: {} }, ctx());
      expect([mapped, named, none].map((ref) => fake.users.get(ref.id)!.orgUnitPath)).toEqual(['/Engineering', '/Sales', '/Contractors']);

      expect(await connector.users.update(none, { attributes: { department: 'Eng' } }, ctx())).toBe('applied');
      expect(fake.users.get(none.id)!.orgUnitPath).toBe('/Engineering');
    });

    it('leaves org units alone on department changes when no org unit rule is configured', async () => {
      const { connector } = connectorFor(fake);
      const ref = await connector.users.create(sampleUser(7), ctx());
      fake.users.get(ref.id)!.orgUnitPath = '/Sales';
      await connector.users.update(ref, { attributes: { department: 'Research' } }, ctx());
      expect(fake.users.get(ref.id)).toMatchObject({ orgUnitPath: '/Sales', organizations: [expect.objectContaining({ department: 'Research' })] });
    });

    it('an unknown org unit is a permanent error with Google\'s message', async () => {
      const { connector } = connectorFor(fake, { orgUnits: { fromDepartment: true } });
      const error = await connector.users.create({ ...sampleUser(8), attributes: { department: 'Nowhere' } }, ctx()).catch((thrown: unknown) => thrown);
      expect(error).toBeInstanceOf(PermanentError);
      expect((error as Error).message).toBe('HTTP 400: users.insert user8@example.com: Invalid Input: INVALID_OU_ID (invalid)');
    });

    it('updates keep phones, organizations and relations the bridge does not manage', async () => {
      const { connector } = connectorFor(fake);
      const ref = await connector.users.create(sampleUser(9), ctx());
      const held = fake.users.get(ref.id)!;
      held.phones = [...(held.phones ?? []), { type: 'home', value: '+1 555 0000' }];
      held.relations = [{ type: 'assistant', value: `assistant@${TEST_DOMAIN}` }];
      held.organizations = [...(held.organizations ?? []), { type: 'school', title: 'Alumnus' }];

      const changes = { attributes: { workPhone: '+1 555 1111', title: null, mobilePhone: '+1 555 2222', manager: `boss@${TEST_DOMAIN}` } };
      expect(await connector.users.update(ref, changes, ctx())).toBe('applied');
      const after = fake.users.get(ref.id)!;
      expect(after.phones).toEqual(expect.arrayContaining([{ type: 'home', value: '+1 555 0000' }, { type: 'work', value: '+1 555 1111' }, { type: 'mobile', value: '+1 555 2222' }]));
      expect(after.phones).toHaveLength(3);
      expect(after.organizations).toEqual([{ primary: true, type: 'work', department: 'Engineering' }, { type: 'school', title: 'Alumnus' }]);
      expect(after.relations).toEqual([{ type: 'assistant', value: `assistant@${TEST_DOMAIN}` }, { type: 'manager', value: `boss@${TEST_DOMAIN}` }]);
    });

    it('resolves a manager given as a SCIM id through the externalId the bridge stored on the manager', async () => {
      const { connector, logs } = connectorFor(fake);
      const boss = sampleUser(10);
      await connector.users.create(boss, ctx());
      const report = await connector.users.create({ ...sampleUser(11), attributes: { ...sampleUser(11).attributes, manager: boss.scimId } }, ctx());
      expect(fake.users.get(report.id)!.relations).toEqual([{ type: 'manager', value: boss.key }]);
      expect(fake.users.get(report.id)!.externalIds).toContainEqual({ type: 'custom', customType: 'scim-bridge-manager', value: `manager:${boss.scimId}` });
      expect((await connector.users.find(report.key, ctx()))?.attributes.manager).toBe(boss.scimId);

      await connector.users.update(report, { attributes: { manager: '00000000-0000-4000-8000-000000000000' } }, ctx());
      expect(fake.users.get(report.id)!.relations).toEqual([]);
      expect(fake.users.get(report.id)!.externalIds).not.toContainEqual(expect.objectContaining({ customType: 'scim-bridge-manager' }));
      expect((await connector.users.find(report.key, ctx()))?.attributes.manager).toBeNull();
      expect(logs).toContainEqual(expect.objectContaining({ level: 'warn', meta: { managerScimId: '00000000-0000-4000-8000-000000000000' } }));
    });

    it('finds a manager with many reports: the reports\' own records of the manager do not crowd the lookup out', async () => {
      const { connector } = connectorFor(fake);
      const boss = { ...sampleUser(30), key: `zz-boss@${TEST_DOMAIN}` };
      await connector.users.create(boss, ctx());
      const reports = [];
      for (let n = 31; n <= 42; n += 1) reports.push(await connector.users.create({ ...sampleUser(n), attributes: { manager: boss.scimId } }, ctx()));
      expect(reports.map((ref) => fake.users.get(ref.id)!.relations)).toEqual(reports.map(() => [{ type: 'manager', value: boss.key }]));
    });

    it('lists a manager relation set by hand (or mapped as an address) by its address', async () => {
      const seeded = fake.seedUser(`report@${TEST_DOMAIN}`, { relations: [{ type: 'manager', value: `boss@${TEST_DOMAIN}` }] });
      const { connector } = connectorFor(fake);
      expect((await connector.users.find(seeded.primaryEmail, ctx()))?.attributes.manager).toBe(`boss@${TEST_DOMAIN}`);
    });

    it('renames the primary address; Google keeps the old one as an alias, so find() still correlates it', async () => {
      const { connector } = connectorFor(fake);
      const ref = await connector.users.create(sampleUser(12), ctx());
      expect(await connector.users.update(ref, { key: `renamed12@${TEST_DOMAIN}`, attributes: {} }, ctx())).toBe('applied');
      expect(fake.users.get(ref.id)).toMatchObject({ primaryEmail: `renamed12@${TEST_DOMAIN}`, aliases: [sampleUser(12).key] });
      expect(await connector.users.find(sampleUser(12).key, ctx())).toMatchObject({ id: ref.id, key: `renamed12@${TEST_DOMAIN}`, scimId: sampleUser(12).scimId });
    });

    it('a create that collides with another account\'s alias is a conflict carrying that account', async () => {
      const owner = fake.seedUser(`owner@${TEST_DOMAIN}`, { aliases: [sampleUser(13).key] });
      const { connector } = connectorFor(fake);
      const conflict = await connector.users.create(sampleUser(13), ctx()).catch((thrown: unknown) => thrown);
      expect(conflict).toBeInstanceOf(ConflictError);
      expect((conflict as ConflictError).existing).toMatchObject({ id: owner.id, key: owner.primaryEmail, active: true });
    });

    it('renaming onto one of the account\'s own aliases removes the alias first; the old address becomes an alias', async () => {
      const seeded = fake.seedUser(`old.name@${TEST_DOMAIN}`, { aliases: [`ada@${TEST_DOMAIN}`] });
      const { connector } = connectorFor(fake);
      const ref = { id: seeded.id, key: seeded.primaryEmail };
      expect(await connector.users.update(ref, { key: `Ada@${TEST_DOMAIN}`, attributes: { givenName: 'Ada' } }, ctx())).toBe('applied');
      expect(fake.users.get(seeded.id)).toMatchObject({ primaryEmail: `ada@${TEST_DOMAIN}`, aliases: [`old.name@${TEST_DOMAIN}`], name: { givenName: 'Ada' } });
      expect(fake.calls('DELETE /users/:userKey/aliases/:alias')).toBe(1);
    });

    it('a rename onto an address another account holds stays a conflict, and that account keeps it', async () => {
      const holder = fake.seedUser(`holder@${TEST_DOMAIN}`, { aliases: [`taken@${TEST_DOMAIN}`] });
      const { connector } = connectorFor(fake);
      const ref = await connector.users.create(sampleUser(16), ctx());
      const error = await connector.users.update(ref, { key: `taken@${TEST_DOMAIN}`, attributes: {} }, ctx()).catch((thrown: unknown) => thrown);
      expect(error).toBeInstanceOf(ConflictError);
      expect((error as ConflictError).existing).toBeUndefined();
      expect(fake.users.get(holder.id)!.aliases).toEqual([`taken@${TEST_DOMAIN}`]);
      expect(fake.calls('DELETE /users/:userKey/aliases/:alias')).toBe(0);
    });

    it('stamps the bridge id on an adopted account, replacing a stale one and keeping other external ids', async () => {
      const seeded = fake.seedUser(`rehire@${TEST_DOMAIN}`, {
        externalIds: [{ type: 'custom', customType: 'scim-bridge', value: 'old-scim-id' }, { type: 'organization', value: 'E-7' }],
      });
      const { connector } = connectorFor(fake);
      const ref = { id: seeded.id, key: seeded.primaryEmail };
      expect(await connector.users.update(ref, { attributes: {}, scimId: 'new-scim-id' }, ctx())).toBe('applied');
      expect(fake.users.get(seeded.id)!.externalIds).toEqual([{ type: 'organization', value: 'E-7' }, { type: 'custom', customType: 'scim-bridge', value: 'new-scim-id' }]);
      expect((await connector.users.find(ref.key, ctx()))?.scimId).toBe('new-scim-id');

      const patches = fake.calls('PATCH /users/:userKey');
      expect(await connector.users.update(ref, { attributes: {}, scimId: 'new-scim-id' }, ctx())).toBe('noop');
      expect(fake.calls('PATCH /users/:userKey')).toBe(patches);
    });

    it('an update with nothing to send makes no call', async () => {
      const { connector } = connectorFor(fake);
      const ref = await connector.users.create(sampleUser(14), ctx());
      const before = fake.requestCount();
      expect(await connector.users.update(ref, { attributes: {} }, ctx())).toBe('noop');
      expect(fake.requestCount()).toBe(before);
    });

    it('lists by domain instead of customer when a domain is configured', async () => {
      const { connector } = connectorFor(fake, { domain: TEST_DOMAIN });
      await connector.users.create(sampleUser(15), ctx());
      expect((await collectAll(connector.users.list({}, ctx()))).map((user) => user.key)).toEqual([sampleUser(15).key]);
      expect(fake.requests.find((request) => request.endpoint === 'GET /users')?.query).toMatchObject({ domain: TEST_DOMAIN });
      expect(fake.requests.find((request) => request.endpoint === 'GET /users')?.query).not.toHaveProperty('customer');
    });
  });

  describe('errors', () => {
    it('a 403 userRateLimitExceeded without Retry-After pauses for the shared default', async () => {
      const { connector } = connectorFor(fake);
      fake.failNext(1, { status: 403, endpoint: 'GET /users/:userKey', body: googleErrorBody(403, 'Quota exceeded', 'userRateLimitExceeded', 'usageLimits') });
      const error = await connector.users.find('a@example.com', ctx()).catch((thrown: unknown) => thrown);
      expect(error).toBeInstanceOf(RateLimitedError);
      expect((error as RateLimitedError).retryAfterMs).toBe(DEFAULT_RATE_LIMIT_BACKOFF_MS);
    });

    it.each(['quotaExceeded', 'rateLimitExceeded'])('a 403 %s is a rate limit, not a config error', async (reason) => {
      const { connector } = connectorFor(fake);
      fake.failNext(1, { status: 403, retryAfterS: 2, endpoint: 'GET /users', body: googleErrorBody(403, 'Rate Limit Exceeded', reason, 'usageLimits') });
      const error = await collectAll(connector.users.list({}, ctx())).catch((thrown: unknown) => thrown);
      expect(error).toBeInstanceOf(RateLimitedError);
      expect((error as RateLimitedError).retryAfterMs).toBe(2000);
    });

    it('a 429 RESOURCE_EXHAUSTED honours Retry-After', async () => {
      const { connector } = connectorFor(fake);
      fake.failNext(1, { status: 429, retryAfterS: 7, endpoint: 'POST /groups/:groupKey/members', body: googleErrorBody(429, 'Resource has been exhausted (e.g. check quota).') });
      const group = await connector.groups!.create(sampleGroup(1), ctx());
      const user = await connector.users.create(sampleUser(1), ctx());
      const error = await connector.groups!.addMember(group, user, ctx()).catch((thrown: unknown) => thrown);
      expect(error).toBeInstanceOf(RateLimitedError);
      expect((error as RateLimitedError).retryAfterMs).toBe(7000);
    });

    it('a 5xx is retryable and the SDK does not retry on its own (the engine owns retries)', async () => {
      const { connector } = connectorFor(fake);
      await connector.check(ctx());
      fake.failNext(1, { status: 500, endpoint: 'PATCH /users/:userKey', body: googleErrorBody(500, 'Backend Error', 'backendError') });
      const ref = await connector.users.create(sampleUser(2), ctx());
      await expect(connector.users.update(ref, { attributes: { givenName: 'X' } }, ctx())).rejects.toBeInstanceOf(RetryableError);
      expect(fake.calls('PATCH /users/:userKey')).toBe(1);
    });

    it('a token endpoint outage is retryable, and not retried by google-auth-library behind the engine\'s back', async () => {
      const { connector } = connectorFor(fake);
      fake.failNext(1, { status: 503, endpoint: 'POST /token', body: { error: 'temporarily_unavailable', error_description: 'try later' } });
      await expect(connector.users.find('a@example.com', ctx())).rejects.toBeInstanceOf(RetryableError);
      expect(fake.calls('POST /token')).toBe(1);
    });

    it('a 403 insufficientPermissions is a config error with Google\'s message', async () => {
      const { connector } = connectorFor(fake);
      fake.failNext(1, { status: 403, endpoint: 'GET /groups', body: googleErrorBody(403, 'Request had insufficient authentication scopes.', 'insufficientPermissions') });
      const error = await collectAll(connector.groups!.list({}, ctx())).catch((thrown: unknown) => thrown);
      expect(error).toBeInstanceOf(ConfigError);
      expect((error as Error).message).toBe('HTTP 403: groups.list: Request had insufficient authentication scopes. (insufficientPermissions)');
    });

    it('a domain outside the account is a permanent error on create and a config error on list', async () => {
      const { connector } = connectorFor(fake, { domain: 'other.example' });
      const created = await connector.users.create({ ...sampleUser(3), key: 'someone@other.example' }, ctx()).catch((thrown: unknown) => thrown);
      expect(created).toBeInstanceOf(PermanentError);
      expect((created as Error).message).toContain('Invalid Input: primary_user_email');
      const listed = await collectAll(connector.users.list({}, ctx())).catch((thrown: unknown) => thrown);
      expect(listed).toBeInstanceOf(ConfigError);
      expect((listed as Error).message).toContain('Domain not found.');
    });

    it('no error carries the access token or the SDK request (which holds it) as cause', async () => {
      const { connector } = connectorFor(fake);
      await connector.users.create(sampleUser(4), ctx());
      fake.failNext(1, { status: 400, endpoint: 'GET /users/:userKey', body: googleErrorBody(400, 'Invalid Input', 'invalid') });
      const error = (await connector.users.find(sampleUser(4).key, ctx()).catch((thrown: unknown) => thrown)) as Error;
      expect(error).toBeInstanceOf(PermanentError);
      expect(error.cause).toBeUndefined();
      expect(JSON.stringify({ message: error.message, stack: error.stack })).not.toMatch(/ya29\./);
    });

    it('an update of a vanished user is NotFound; its removal from a group is a noop', async () => {
      const { connector } = connectorFor(fake);
      const group = await connector.groups!.create(sampleGroup(2), ctx());
      const ref = await connector.users.create(sampleUser(5), ctx());
      await connector.groups!.addMember(group, ref, ctx());
      fake.users.delete(ref.id);
      fake.groups.get(group.id)!.members.delete(ref.id);
      await expect(connector.users.enable!(ref, ctx())).rejects.toBeInstanceOf(NotFoundError);
      expect(await connector.groups!.removeMember(group, ref, ctx())).toBe('noop');
    });
  });

  describe('groups', () => {
    it('derives a group address from a display name in the admin\'s domain, or the configured groupDomain', async () => {
      const { connector } = connectorFor(fake);
      const ref = await connector.groups!.create({ scimId: 'g1', key: 'Platform Team (EU)', attributes: { name: 'Platform Team (EU)' } }, ctx());
      expect(ref.key).toBe(`platform-team-eu@${TEST_DOMAIN}`);
      expect(fake.groups.get(ref.id)).toMatchObject({ email: `platform-team-eu@${TEST_DOMAIN}`, name: 'Platform Team (EU)' });
      expect(await connector.groups!.find!('Platform Team (EU)', ctx())).toMatchObject({ id: ref.id });
    });

    it('updates name and description, and lists members page by page with only users in them', async () => {
      const { connector } = connectorFor(fake);
      const group = await connector.groups!.create(sampleGroup(3), ctx());
      expect(await connector.groups!.update!(group, { attributes: { name: 'Renamed', description: 'Owned by IT' } }, ctx())).toBe('applied');
      expect(fake.groups.get(group.id)).toMatchObject({ name: 'Renamed', description: 'Owned by IT' });
      const refs = [];
      for (let n = 20; n < 25; n += 1) refs.push(await connector.users.create(sampleUser(n), ctx()));
      for (const ref of refs) await connector.groups!.addMember(group, ref, ctx());
      const before = fake.calls('GET /groups/:groupKey/members');
      const members = await collectAll(connector.groups!.listMembers(group, { pageSize: 2 }, ctx()));
      expect(members.map((member) => member.id).sort()).toEqual(refs.map((ref) => ref.id).sort());
      expect(fake.calls('GET /groups/:groupKey/members') - before).toBe(3);
    });
  });

  it('the definition stays within the Directory API quota of 2,400 queries a minute', () => {
    const { requestsPerSecond = Infinity, concurrency = Infinity } = googleWorkspace.limits ?? {};
    expect(requestsPerSecond * 60).toBeLessThanOrEqual(2400);
    expect(concurrency).toBeGreaterThan(0);
  });
});
