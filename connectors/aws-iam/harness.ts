import type { ConnectorHarness, FaultKind } from '../kit';
import type { RemoteRef, TargetGroup, TargetUser } from '../sdk/contract';
import type { AwsIamConfig } from './config';
import { FakeIam, faultForStatus } from './fake';
import type { FakeUser } from './fake-iam-state';
import { errorXml, IamFault } from './fake-query-codec';
import { awsIam } from './index';
import { attributesFromTags, SUSPENDED_TAG } from './mapping';

/** How IAM itself answers each fault the kit injects (Throttling really is HTTP 400 in IAM). */
const FAULTS: Record<FaultKind, IamFault> = {
  'rate-limited': new IamFault('Throttling', 400, 'Rate exceeded'),
  unavailable: faultForStatus(503, 'Service is unavailable. Please try again later.'),
  unauthorized: new IamFault('InvalidClientTokenId', 403, 'The security token included in the request is invalid.'),
  'bad-request': new IamFault('ValidationError', 400, `1 validation error detected: Value at 'userName' failed to satisfy constraint`),
};

export function sampleUser(n: number): TargetUser {
  return {
    scimId: `scim-user-${n}`,
    key: `user${n}@example.com`,
    active: true,
    attributes: { email: `user${n}@example.com`, displayName: `User ${n}` },
  };
}

export function sampleGroup(n: number): TargetGroup {
  return { scimId: `scim-group-${n}`, key: `team-${n}`, attributes: {} };
}

export function configForFake(fake: FakeIam, overrides: Partial<AwsIamConfig> = {}): AwsIamConfig {
  const { endpoint, region, credentials } = fake.clientConfig();
  return { endpoint, region, credentials, requestTimeoutMs: 5000, ...overrides };
}

/** The fake's own view of a user: a user is active when not marked suspended and no access key is off. */
export function inspectUser(fake: FakeIam, ref: RemoteRef): { key: string; active: boolean; attributes: Record<string, string> } | undefined {
  const user = fake.state.userById(ref.id);
  if (!user) return undefined;
  return { key: user.UserName, active: isActive(user), attributes: attributesFromTags(user.Tags) as Record<string, string> };
}

function isActive(user: FakeUser): boolean {
  return !user.Tags.some((tag) => tag.Key === SUSPENDED_TAG) && user.accessKeys.every((key) => key.status === 'Active');
}

export const awsIamHarness: ConnectorHarness<AwsIamConfig, FakeIam> = {
  definition: awsIam,
  startFake: () => new FakeIam().start(),
  // The connector pages with ListOptions.pageSize (IAM's MaxItems), so the config needs no paging knob.
  configFor: (fake) => configForFake(fake),
  secretsOf: (config) => [config.credentials?.secretAccessKey ?? '', config.credentials?.sessionToken ?? ''].filter(Boolean),
  invalidConfigs: [
    { name: 'path without slashes', config: { path: 'scim-bridge' }, path: '/path' },
    { name: 'group path without trailing slash', config: { groupPath: '/teams' }, path: '/groupPath' },
    { name: 'not a region', config: { region: 'mars' }, path: '/region' },
    { name: 'credentials without a secret', config: { credentials: { accessKeyId: 'AKIAEXAMPLEEXAMPLE01' } }, path: '/credentials/secretAccessKey' },
    { name: 'timeout not an integer', config: { requestTimeoutMs: 'soon' }, path: '/requestTimeoutMs' },
    { name: 'unknown setting', config: { roleArn: 'arn:aws:iam::123456789012:role/x' }, path: '/roleArn' },
    { name: 'boundary not a policy ARN', config: { permissionsBoundaryArn: 'AdminBoundary' }, path: '/permissionsBoundaryArn' },
  ],
  samples: {
    user: sampleUser,
    userChanges: (user) => ({ attributes: { displayName: `${String(user.attributes.displayName)} Renamed` } }),
    group: sampleGroup,
  },
  inspect: {
    user: inspectUser,
    group: (fake, ref) => {
      const group = [...fake.state.groups.values()].find((candidate) => candidate.GroupId === ref.id);
      return group && { key: group.GroupName, attributes: {}, memberIds: [...group.memberIds] };
    },
    removeUser: (fake, ref) => {
      const user = fake.state.userById(ref.id);
      if (user) fake.state.users.delete(user.UserName.toLowerCase());
    },
  },
  injectFault: (fake, kind, { retryAfterS }) => {
    const fault = FAULTS[kind];
    // Real IAM sends no Retry-After; the kit checks that one is honoured when present, so it is sent here.
    fake.failNext(1, { status: fault.status, retryAfterS: kind === 'rate-limited' ? retryAfterS : undefined, body: errorXml(fault), contentType: 'text/xml' });
  },
};
