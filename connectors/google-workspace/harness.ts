import type { ConnectorHarness, FaultKind, FaultSpec, InspectedUser } from '../kit';
import type { Attributes, RemoteRef, TargetGroup, TargetUser } from '../sdk/contract';
import type { GoogleWorkspaceConfig } from './config';
import { GoogleWorkspaceFake, googleErrorBody, type FakeUser } from './fake';
import { createTestServiceAccount, type TestServiceAccount } from './fake-service-account';
import { googleWorkspace } from './index';

export const TEST_DOMAIN = 'example.com';
export const TEST_ADMIN = `admin@${TEST_DOMAIN}`;

/** One key pair per test file: generating RSA keys is the slow part. */
export const testServiceAccount: TestServiceAccount = createTestServiceAccount();

export function startGoogleFake(account: TestServiceAccount = testServiceAccount, orgUnits = ['/']): Promise<GoogleWorkspaceFake> {
  return new GoogleWorkspaceFake({
    publicKey: account.publicKey,
    clientEmail: account.clientEmail,
    admins: [TEST_ADMIN],
    domains: [TEST_DOMAIN],
    orgUnits,
  }).start();
}

export function configForFake(fake: GoogleWorkspaceFake, overrides: Partial<GoogleWorkspaceConfig> = {}): GoogleWorkspaceConfig {
  return { serviceAccountKey: testServiceAccount.keyJson(fake.tokenUrl), adminEmail: TEST_ADMIN, rootUrl: `${fake.url}/`, ...overrides };
}

/** How the Directory API itself answers each fault the kit injects (its quota errors are 403s). */
const FAULTS: Record<FaultKind, (retryAfterS: number) => FaultSpec> = {
  'rate-limited': (retryAfterS) => ({
    status: 403,
    retryAfterS,
    body: googleErrorBody(403, "Quota exceeded for quota metric 'Queries' and limit 'Queries per minute per user' of service 'admin.googleapis.com'.", 'userRateLimitExceeded', 'usageLimits'),
  }),
  unavailable: () => ({ status: 503, body: googleErrorBody(503, 'The service is currently unavailable.', 'backendError') }),
  unauthorized: () => ({
    status: 401,
    body: googleErrorBody(401, 'Request had invalid authentication credentials. Expected OAuth 2 access token, login cookie or other valid authentication credential.', 'authError'),
  }),
  'bad-request': () => ({ status: 400, body: googleErrorBody(400, 'Invalid Input: primary_user_email', 'invalid') }),
};

export function sampleUser(n: number): TargetUser {
  return {
    scimId: `2819c223-7f76-453a-919d-${String(n).padStart(12, '0')}`,
    key: `user${n}@${TEST_DOMAIN}`,
    active: true,
    attributes: { givenName: `Given${n}`, familyName: `Family${n}`, title: 'Engineer', department: 'Engineering', workPhone: `+1 555 010 ${n}` },
  };
}

export function sampleGroup(n: number): TargetGroup {
  return { scimId: `e9e30dba-f08f-4109-8486-${String(n).padStart(12, '0')}`, key: `group-${n}@${TEST_DOMAIN}`, attributes: { name: `Group ${n}` } };
}

/** The fake's own record in target fields, read without the connector's mapping code. */
export function inspectUser(fake: GoogleWorkspaceFake, ref: RemoteRef): InspectedUser | undefined {
  const user = fake.users.get(ref.id);
  return user && { key: user.primaryEmail, active: !user.suspended, attributes: fieldsOf(user) };
}

function fieldsOf(user: FakeUser): Attributes {
  const organization = user.organizations?.find((entry) => entry.primary) ?? user.organizations?.[0];
  const phone = (type: string) => user.phones?.find((entry) => entry.type === type)?.value ?? null;
  return {
    givenName: user.name.givenName,
    familyName: user.name.familyName,
    orgUnitPath: user.orgUnitPath,
    title: organization?.title ?? null,
    department: organization?.department ?? null,
    workPhone: phone('work'),
    mobilePhone: phone('mobile'),
    employeeId: user.externalIds?.find((id) => id.type === 'organization')?.value ?? null,
    manager: user.relations?.find((relation) => relation.type === 'manager')?.value ?? null,
  };
}

export const googleWorkspaceHarness: ConnectorHarness<GoogleWorkspaceConfig, GoogleWorkspaceFake> = {
  definition: googleWorkspace,
  startFake: () => startGoogleFake(),
  // The connector pages with ListOptions.pageSize (Google's maxResults), so the config needs no paging knob.
  configFor: (fake) => configForFake(fake),
  secretsOf: (config) => {
    const pem = testServiceAccount.privateKeyPem;
    const keyLines = pem.split('\n').filter((line) => line.length > 0 && !line.startsWith('-----'));
    return [config.serviceAccountKey ?? '', pem, ...keyLines];
  },
  invalidConfigs: [
    { name: 'no admin to act as', config: { serviceAccountKey: '{}' }, path: '/adminEmail' },
    { name: 'admin is not an address', config: { serviceAccountKey: '{}', adminEmail: 'admin' }, path: '/adminEmail' },
    { name: 'no key at all', config: { adminEmail: TEST_ADMIN }, path: '/serviceAccountKey' },
    { name: 'customer id of the wrong form', config: { serviceAccountKey: '{}', adminEmail: TEST_ADMIN, customer: 'example.com' }, path: '/customer' },
    {
      name: 'org unit path without leading slash',
      config: { serviceAccountKey: '{}', adminEmail: TEST_ADMIN, orgUnits: { byDepartment: { Sales: 'Sales' } } },
      path: '/orgUnits/byDepartment/Sales',
    },
    {
      name: 'changePasswordAtNextLogin not a boolean',
      config: { serviceAccountKey: '{}', adminEmail: TEST_ADMIN, newUsers: { changePasswordAtNextLogin: 'yes' } },
      path: '/newUsers/changePasswordAtNextLogin',
    },
    { name: 'unknown setting', config: { serviceAccountKey: '{}', adminEmail: TEST_ADMIN, scopes: ['x'] }, path: '/scopes' },
  ],
  samples: {
    user: sampleUser,
    userChanges: () => ({ attributes: { title: 'Staff Engineer', familyName: 'Renamed', mobilePhone: '+1 555 0199' } }),
    group: sampleGroup,
  },
  inspect: {
    user: inspectUser,
    group: (fake, ref) => {
      const group = fake.groups.get(ref.id);
      return group && { key: group.email, attributes: { name: group.name }, memberIds: [...group.members.keys()] };
    },
    removeUser: (fake, ref) => void fake.users.delete(ref.id),
  },
  // Faults hit the next Directory API call (not the token endpoint), so the Directory API's dialect is what gets classified.
  injectFault: (fake, kind, { retryAfterS }) => void fake.failNext(1, { ...FAULTS[kind](retryAfterS), endpoint: /^\w+ \/(users|groups)\b/ }),
};

export interface CapturedLine {
  level: string;
  message: string;
  meta?: Record<string, unknown>;
}

/** A connector on the fake, outside the kit, with its log lines captured. */
export function connectorFor(fake: GoogleWorkspaceFake, overrides: Partial<GoogleWorkspaceConfig> = {}) {
  const logs: CapturedLine[] = [];
  const capture = (level: string) => (message: string, meta?: Record<string, unknown>) => void logs.push({ level, message, meta });
  const connector = googleWorkspace.create(configForFake(fake, overrides), {
    logger: { debug: capture('debug'), info: capture('info'), warn: capture('warn'), error: capture('error') },
    now: () => new Date(),
    fetch: globalThis.fetch,
  });
  return { connector, logs };
}

export function opContext(signal: AbortSignal = new AbortController().signal) {
  return { idempotencyKey: `test-${Math.random()}`, signal, requestId: `test-${Math.random()}` };
}
