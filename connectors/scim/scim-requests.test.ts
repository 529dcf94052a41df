import { randomUUID } from 'node:crypto';
import {
  ConfigError,
  NotFoundError,
  PermanentError,
  RateLimitedError,
  RetryableError,
  type Connector,
  type ConnectorEnv,
  type OpContext,
} from '../sdk';
import { ScimFake, scimError } from './fake';
import { scim, type ScimConfig } from '.';

/** What the connector puts on the wire, beyond what the kit checks: exact PATCH bodies, tokens, timeouts. */

const BEARER_TOKEN = 'wire-bearer-token-31c9';
const CLIENT = { clientId: 'wire client', clientSecret: 'wire-client-secret-77e0' };
const ENTERPRISE = 'urn:ietf:params:scim:schemas:extension:enterprise:2.0:User';

let fake: ScimFake;
let clock: number;
const env: ConnectorEnv = { logger: { debug() {}, info() {}, warn() {}, error() {} }, now: () => new Date(clock), fetch };
const ctx = (): OpContext => ({ idempotencyKey: randomUUID(), requestId: 'wire', signal: new AbortController().signal });

beforeAll(async () => {
  fake = await ScimFake.start({ bearerToken: BEARER_TOKEN, oauthClient: CLIENT, tokenLifetimeS: 3600 });
});
afterAll(() => fake.stop());
beforeEach(() => {
  fake.reset();
  clock = Date.parse('2026-11-23T01:00:00Z');
});

function bearer(overrides: Partial<ScimConfig> = {}): Connector {
  return scim.create({ baseUrl: fake.scimUrl, auth: { type: 'bearer', token: BEARER_TOKEN }, ...overrides }, env);
}

function oauth(scope?: string): Connector {
  return scim.create({ baseUrl: fake.scimUrl, auth: { type: 'oauth-client-credentials', tokenUrl: fake.tokenUrl, ...CLIENT, ...(scope ? { scope } : {}) } }, env);
}

const alice = {
  scimId: 'bridge-id-alice',
  key: 'alice@example.com',
  active: true,
  attributes: { displayName: 'Alice', 'name.familyName': 'Liddell', 'emails[type eq "work"].value': 'alice@example.com' },
};

function patchBodies(): unknown[] {
  return fake.requests.filter((request) => request.method === 'PATCH').map((request) => request.body);
}

describe('SCIM connector on the wire', () => {
  it('creates a user with userName, externalId = the bridge id, nested name, typed email and extension', async () => {
    const connector = bearer();
    const ref = await connector.users.create({ ...alice, attributes: { ...alice.attributes, [`${ENTERPRISE}:department`]: 'Ops' } }, ctx());
    expect(fake.users.get(ref.id)).toMatchObject({
      schemas: ['urn:ietf:params:scim:schemas:core:2.0:User', ENTERPRISE],
      userName: 'alice@example.com',
      externalId: 'bridge-id-alice',
      active: true,
      displayName: 'Alice',
      name: { familyName: 'Liddell' },
      emails: [{ type: 'work', value: 'alice@example.com' }],
      [ENTERPRISE]: { department: 'Ops' },
    });
  });

  it('updates with one PATCH of replace ops for exactly the changed fields, remove for null, userName for a rename', async () => {
    const connector = bearer();
    const ref = await connector.users.create(alice, ctx());
    await connector.users.update(ref, { key: 'alice.l@example.com', attributes: { displayName: 'Alice L', 'name.familyName': null } }, ctx());
    expect(patchBodies()).toEqual([
      {
        schemas: ['urn:ietf:params:scim:api:messages:2.0:PatchOp'],
        Operations: [
          { op: 'replace', path: 'userName', value: 'alice.l@example.com' },
          { op: 'replace', path: 'displayName', value: 'Alice L' },
          { op: 'remove', path: 'name.familyName' },
        ],
      },
    ]);
    expect(fake.users.get(ref.id)).toMatchObject({ userName: 'alice.l@example.com', displayName: 'Alice L', name: {} });
  });

  it('stamps the bridge id of an adopted user in externalId, where create puts it', async () => {
    const connector = bearer();
    const ref = await connector.users.create(alice, ctx());
    expect(await connector.users.update(ref, { attributes: {}, scimId: 'bridge-id-rehire' }, ctx())).toBe('applied');
    expect(patchBodies()).toEqual([
      { schemas: ['urn:ietf:params:scim:api:messages:2.0:PatchOp'], Operations: [{ op: 'replace', path: 'externalId', value: 'bridge-id-rehire' }] },
    ]);
    expect(fake.users.get(ref.id)).toMatchObject({ externalId: 'bridge-id-rehire' });
  });

  it('adopts a group of the same displayName instead of creating a second one, even where the target would allow it', async () => {
    const connector = bearer();
    const first = await connector.groups!.create({ key: 'Engineering', scimId: 'g-1', attributes: {} }, ctx());
    const posts = fake.calls('POST /scim/v2/Groups');
    expect(posts).toBe(1);
    const again = await connector.groups!.create({ key: 'engineering', scimId: 'g-1', attributes: {} }, ctx()).catch((error: unknown) => error);
    expect(again).toMatchObject({ name: 'ConflictError', existing: { id: first.id } });
    expect(fake.calls('POST /scim/v2/Groups')).toBe(posts);
  });

  it('says which side of addMember is gone', async () => {
    const connector = bearer();
    const group = await connector.groups!.create({ scimId: 'g1', key: 'Engineering', attributes: {} }, ctx());
    const user = await connector.users.create(alice, ctx());
    fake.groups.delete(group.id);
    await expect(connector.groups!.addMember(group, user, ctx())).rejects.toMatchObject({ constructor: NotFoundError, subject: 'group' });
  });

  it('makes no call for an update without changes', async () => {
    const connector = bearer();
    const ref = await connector.users.create(alice, ctx());
    const before = fake.requestCount();
    expect(await connector.users.update(ref, { attributes: {} }, ctx())).toBe('noop');
    expect(fake.requestCount()).toBe(before);
  });

  it('changes membership with a single add or remove op, never a rewrite of members', async () => {
    const connector = bearer();
    const group = await connector.groups!.create({ scimId: 'g1', key: 'Engineering', attributes: {} }, ctx());
    const user = await connector.users.create(alice, ctx());
    await connector.groups!.addMember(group, user, ctx());
    await connector.groups!.removeMember(group, user, ctx());
    const operations = patchBodies().flatMap((body) => (body as { Operations: unknown[] }).Operations);
    expect(operations).toEqual([
      { op: 'add', path: 'members', value: [{ value: user.id }] },
      { op: 'remove', path: `members[value eq "${user.id}"]` },
    ]);
  });

  it('spends one PATCH per membership or active change, and tells a repeat from the unchanged version', async () => {
    const connector = bearer();
    const group = await connector.groups!.create({ scimId: 'g1', key: 'Engineering', attributes: {} }, ctx());
    const user = await connector.users.create(alice, ctx());
    const before = fake.requestCount();
    const outcomes = [
      await connector.groups!.addMember(group, user, ctx()),
      await connector.groups!.addMember(group, user, ctx()),
      await connector.groups!.removeMember(group, user, ctx()),
      await connector.groups!.removeMember(group, user, ctx()),
      await connector.users.disable!(user, ctx()),
      await connector.users.disable!(user, ctx()),
      await connector.users.enable!(user, ctx()),
    ];
    expect(outcomes).toEqual(['applied', 'noop', 'applied', 'noop', 'applied', 'noop', 'applied']);
    expect(fake.requests.slice(before).map((request) => request.method)).toEqual(Array(7).fill('PATCH'));
  });

  it('reports a repeated add as applied when the server sends no versions: it cannot know, and the state is right either way', async () => {
    fake.sendVersions = false;
    const connector = bearer();
    const group = await connector.groups!.create({ scimId: 'g1', key: 'Engineering', attributes: {} }, ctx());
    const user = await connector.users.create(alice, ctx());
    expect(await connector.groups!.addMember(group, user, ctx())).toBe('applied');
    expect(await connector.groups!.addMember(group, user, ctx())).toBe('applied');
    expect(fake.groups.get(group.id)?.members).toEqual([{ value: user.id, display: alice.key }]);
    // A remove the server answers with noTarget is a noop whatever the versions.
    await connector.groups!.removeMember(group, user, ctx());
    expect(await connector.groups!.removeMember(group, user, ctx())).toBe('noop');
  });

  it('reads a new version after someone else changed the resource as applied, never as noop', async () => {
    const connector = bearer();
    const user = await connector.users.create(alice, ctx());
    await connector.users.disable!(user, ctx());
    await bearer().users.enable!(user, ctx()); // another connector (another bridge) enables it behind this one's back
    expect(await connector.users.disable!(user, ctx())).toBe('applied');
    expect(fake.users.get(user.id)?.active).toBe(false);
  });

  it('takes a 409 to an added member as already a member', async () => {
    const connector = bearer();
    const group = await connector.groups!.create({ scimId: 'g1', key: 'Engineering', attributes: {} }, ctx());
    const user = await connector.users.create(alice, ctx());
    fake.failNext(1, { status: 409, endpoint: 'PATCH /scim/v2/Groups/:id', body: scimError(409, 'user is already a member', 'uniqueness') });
    expect(await connector.groups!.addMember(group, user, ctx())).toBe('noop');
  });

  it('reads the user only when an add is refused, to tell a vanished user from bad data', async () => {
    const connector = bearer();
    const group = await connector.groups!.create({ scimId: 'g1', key: 'Engineering', attributes: {} }, ctx());
    const user = await connector.users.create(alice, ctx());
    fake.failNext(1, { status: 400, endpoint: 'PATCH /scim/v2/Groups/:id', body: scimError(400, 'members are limited to 5000', 'invalidValue') });
    const refused = await connector.groups!.addMember(group, user, ctx()).catch((caught: unknown) => caught);
    expect(refused).toBeInstanceOf(PermanentError);
    expect((refused as Error).message).toContain('members are limited to 5000');

    fake.users.delete(user.id);
    const before = fake.requests.length;
    await expect(connector.groups!.addMember(group, user, ctx())).rejects.toMatchObject({ constructor: NotFoundError, subject: 'user' });
    expect(fake.requests.slice(before).map((request) => `${request.endpoint} ${request.status}`)).toEqual([
      'PATCH /scim/v2/Groups/:id 400',
      'GET /scim/v2/Users/:id 404',
    ]);
  });

  it('finds a user whose name needs escaping in the filter', async () => {
    const connector = bearer();
    const odd = { ...alice, key: 'o"brien\\x@example.com' };
    const ref = await connector.users.create(odd, ctx());
    expect(await connector.users.find(odd.key, ctx())).toMatchObject({ id: ref.id, key: odd.key, scimId: 'bridge-id-alice' });
    expect(await connector.users.find('O"BRIEN\\X@example.com', ctx())).toMatchObject({ id: ref.id });
  });

  it('reads attributes back in the same target-field shape it writes them', async () => {
    const connector = bearer();
    await connector.users.create(alice, ctx());
    const found = await connector.users.find(alice.key, ctx());
    expect(found?.attributes).toEqual(alice.attributes);
  });

  it('surfaces an HTTP-date Retry-After as a rate limit of about that long', async () => {
    const connector = bearer();
    fake.failNext(1, { status: 429, headers: { 'Retry-After': new Date(Date.now() + 20_000).toUTCString() } });
    const error = await connector.users.find('x', ctx()).catch((caught: unknown) => caught);
    expect(error).toBeInstanceOf(RateLimitedError);
    expect((error as RateLimitedError).retryAfterMs).toBeGreaterThan(15_000);
  });

  it('turns a slow server into a retryable timeout', async () => {
    const connector = bearer({ timeoutMs: 100 });
    fake.latency(1000);
    await expect(connector.users.find('x', ctx())).rejects.toBeInstanceOf(RetryableError);
  });

  it('turns an unreachable server into a retryable error, and an unhealthy check', async () => {
    const closed = await new ScimFake({ bearerToken: BEARER_TOKEN }).start();
    const url = closed.scimUrl;
    await closed.stop();
    const connector = scim.create({ baseUrl: url, auth: { type: 'bearer', token: BEARER_TOKEN } }, env);
    await expect(connector.users.find('x', ctx())).rejects.toBeInstanceOf(RetryableError);
    expect(await connector.check(ctx())).toMatchObject({ ok: false });
  });
});

describe('SCIM connector with OAuth client credentials', () => {
  const tokenRequests = () => fake.requests.filter((request) => request.endpoint === 'POST /oauth/token');

  it('fetches one token for many calls, with HTTP Basic client authentication and the scope', async () => {
    const connector = oauth('scim.write');
    await connector.users.create(alice, ctx());
    await connector.users.find(alice.key, ctx());
    await connector.check(ctx());
    expect(tokenRequests()).toHaveLength(1);
    expect(tokenRequests()[0].body).toEqual({ grant_type: 'client_credentials', scope: 'scim.write' });
  });

  it('shares one token request between concurrent operations', async () => {
    const connector = oauth();
    fake.latency(50);
    await Promise.all(Array.from({ length: 5 }, (_, n) => connector.users.find(`u${n}`, ctx())));
    expect(tokenRequests()).toHaveLength(1);
    expect(fake.calls('GET /scim/v2/Users')).toBe(5);
  });

  it('fetches a new token when the cached one is about to expire', async () => {
    const connector = oauth();
    await connector.users.find('x', ctx());
    clock += 3600_000 - 30_000; // inside the refresh margin
    await connector.users.find('x', ctx());
    expect(tokenRequests()).toHaveLength(2);
  });

  it('recovers from a rotated token: one 401 on a cached token gives a new token and one retry', async () => {
    const connector = oauth();
    await connector.users.find('x', ctx());
    fake.failNext(1, { status: 401, endpoint: 'GET /scim/v2/Users' });
    expect(await connector.users.find('x', ctx())).toBeUndefined();
    expect(tokenRequests()).toHaveLength(2);
    expect(fake.calls('GET /scim/v2/Users')).toBe(3);
  });

  it('reports rejected client credentials as ConfigError without the secret', async () => {
    const connector = scim.create(
      { baseUrl: fake.scimUrl, auth: { type: 'oauth-client-credentials', tokenUrl: fake.tokenUrl, clientId: CLIENT.clientId, clientSecret: 'not-the-secret-123' } },
      env,
    );
    const error = await connector.users.find('x', ctx()).catch((caught: unknown) => caught);
    expect(error).toBeInstanceOf(ConfigError);
    expect((error as Error).message).toBe('HTTP 401: token endpoint: invalid_client: client authentication failed');
    const health = await connector.check(ctx());
    expect(health.ok).toBe(false);
    expect(health.message).not.toContain('not-the-secret-123');
  });
});
