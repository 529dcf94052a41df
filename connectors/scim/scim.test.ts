import { runConnectorKit, type ConnectorHarness, type FaultKind } from '../kit';
import type { RemoteRef } from '../sdk';
import { ScimFake, scimError } from './fake';
import { scim, type ScimConfig } from '.';

const BEARER_TOKEN = 'scim-bearer-token-7d1e4b';
const OAUTH_CLIENT = { clientId: 'bridge-client', clientSecret: 'scim-client-secret-9a8f2c' };
const ENTERPRISE = 'urn:ietf:params:scim:schemas:extension:enterprise:2.0:User';
/** Faults hit the SCIM API, not the token endpoint: the kit asks how the API's own errors are classified. */
const SCIM_API = /^\w+ \/scim\/v2\//;

const faults: Record<FaultKind, (retryAfterS: number) => Parameters<ScimFake['failNext']>[1]> = {
  'rate-limited': (retryAfterS) => ({ status: 429, retryAfterS, body: scimError(429, 'too many requests') }),
  unavailable: () => ({ status: 503, body: scimError(503, 'service unavailable') }),
  unauthorized: () => ({ status: 401, body: scimError(401, 'invalid token') }),
  'bad-request': () => ({ status: 400, body: scimError(400, 'emails[0].value is not an email address', 'invalidValue') }),
};

function inspectUser(fake: ScimFake, ref: RemoteRef) {
  const user = fake.users.get(ref.id) as Record<string, any> | undefined;
  if (!user) return undefined;
  const attributes = {
    displayName: user.displayName,
    'name.givenName': user.name?.givenName,
    'name.familyName': user.name?.familyName,
    'emails[type eq "work"].value': user.emails?.find((email: { type: string }) => email.type === 'work')?.value,
    [`${ENTERPRISE}:department`]: user[ENTERPRISE]?.department,
  };
  return { key: user.userName as string, active: user.active !== false, attributes: withoutUndefined(attributes) };
}

function withoutUndefined<T extends object>(value: T): T {
  return Object.fromEntries(Object.entries(value).filter(([, inner]) => inner !== undefined)) as T;
}

function harnessFor(auth: 'bearer' | 'oauth'): ConnectorHarness<ScimConfig, ScimFake> {
  return {
    definition: scim,
    label: auth === 'bearer' ? 'bearer token' : 'OAuth client credentials',
    startFake: () => ScimFake.start({ bearerToken: BEARER_TOKEN, oauthClient: OAUTH_CLIENT }),
    configFor: (fake, options) => ({
      baseUrl: fake.scimUrl,
      auth: auth === 'bearer' ? { type: 'bearer', token: BEARER_TOKEN } : { type: 'oauth-client-credentials', tokenUrl: fake.tokenUrl, ...OAUTH_CLIENT },
      ...(options?.pageSize ? { pageSize: options.pageSize } : {}),
    }),
    secretsOf: (config) => [config.auth.type === 'bearer' ? config.auth.token : config.auth.clientSecret],
    invalidConfigs: [
      { name: 'baseUrl missing', config: { auth: { type: 'bearer', token: BEARER_TOKEN } }, path: '/baseUrl' },
      { name: 'baseUrl not http', config: { baseUrl: 'ftp://example.com/scim', auth: { type: 'bearer', token: BEARER_TOKEN } }, path: '/baseUrl' },
      { name: 'bearer without token', config: { baseUrl: 'https://example.com/scim', auth: { type: 'bearer' } }, path: '/auth/token' },
      {
        name: 'client credentials without secret',
        config: { baseUrl: 'https://example.com/scim', auth: { type: 'oauth-client-credentials', tokenUrl: 'https://example.com/token', clientId: 'x' } },
        path: '/auth/clientSecret',
      },
      { name: 'unknown auth type', config: { baseUrl: 'https://example.com/scim', auth: { type: 'basic' } }, path: '/auth/type' },
      { name: 'page size zero', config: { baseUrl: 'https://example.com/scim', auth: { type: 'bearer', token: BEARER_TOKEN }, pageSize: 0 }, path: '/pageSize' },
      { name: 'unknown setting', config: { baseUrl: 'https://example.com/scim', auth: { type: 'bearer', token: BEARER_TOKEN }, url: 'x' }, path: '/url' },
    ],
    samples: {
      user: (n) => ({
        scimId: `scim-user-${n}`,
        key: `user${n}@example.com`,
        active: true,
        attributes: {
          displayName: `User ${n}`,
          'name.givenName': 'User',
          'name.familyName': `Number ${n}`,
          'emails[type eq "work"].value': `user${n}@example.com`,
          [`${ENTERPRISE}:department`]: 'Sales',
        },
      }),
      userChanges: () => ({ attributes: { displayName: 'Renamed User', [`${ENTERPRISE}:department`]: 'Engineering' } }),
      group: (n) => ({ scimId: `scim-group-${n}`, key: `Group ${n}`, attributes: {} }),
    },
    inspect: {
      user: inspectUser,
      group: (fake, ref) => {
        const group = fake.groups.get(ref.id) as Record<string, any> | undefined;
        if (!group) return undefined;
        return { key: group.displayName, attributes: {}, memberIds: (group.members ?? []).map((member: { value: string }) => member.value) };
      },
      removeUser: (fake, ref) => void fake.users.delete(ref.id),
    },
    // With OAuth, one 401 on a cached token is recovered by fetching a new token (tokens rotate); credentials
    // the API really rejects are rejected again on the retry, hence two 401s.
    injectFault: (fake, kind, { retryAfterS }) =>
      fake.failNext(auth === 'oauth' && kind === 'unauthorized' ? 2 : 1, { ...faults[kind](retryAfterS), endpoint: SCIM_API }),
  };
}

runConnectorKit(harnessFor('bearer'));
runConnectorKit(harnessFor('oauth'));
