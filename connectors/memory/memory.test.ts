import { randomUUID } from 'node:crypto';
import { runConnectorKit, type ConnectorHarness, type FaultKind } from '../kit';
import type { MemoryFault } from './directory';
import { memory, memoryDirectory, type MemoryConfig, type MemoryDirectory } from '.';

const TOKEN = 'memory-kit-token-5f2c9a';

const faults: Record<FaultKind, (retryAfterS: number) => MemoryFault> = {
  'rate-limited': (retryAfterS) => ({ kind: 'rate-limited', retryAfterMs: retryAfterS * 1000 }),
  unavailable: () => ({ kind: 'retryable' }),
  unauthorized: () => ({ kind: 'config' }),
  'bad-request': () => ({ kind: 'permanent', message: 'email is not a valid address' }),
};

const harness: ConnectorHarness<MemoryConfig, MemoryDirectory> = {
  definition: memory,
  startFake: async () => memoryDirectory(`kit-${randomUUID()}`, { credential: TOKEN }),
  configFor: (directory, options) => ({ directory: directory.name, token: TOKEN, ...(options?.pageSize ? { pageSize: options.pageSize } : {}) }),
  secretsOf: (config) => [config.token ?? ''],
  invalidConfigs: [
    { name: 'directory missing', config: { token: TOKEN }, path: '/directory' },
    { name: 'directory with a slash', config: { directory: 'a/b' }, path: '/directory' },
    { name: 'token too short', config: { directory: 'a', token: 'x' }, path: '/token' },
    { name: 'page size zero', config: { directory: 'a', pageSize: 0 }, path: '/pageSize' },
    { name: 'unknown setting', config: { directory: 'a', url: 'http://x' }, path: '/url' },
  ],
  samples: {
    user: (n) => ({
      scimId: `scim-user-${n}`,
      key: `user${n}@example.com`,
      active: true,
      attributes: { displayName: `User ${n}`, email: `user${n}@example.com` },
    }),
    userChanges: (user) => ({ attributes: { displayName: `${user.attributes.displayName} (renamed)`, title: 'Engineer' } }),
    group: (n) => ({ scimId: `scim-group-${n}`, key: `group-${n}`, attributes: { displayName: `Group ${n}` } }),
  },
  inspect: {
    user: (directory, ref) => directory.user(ref.id),
    group: (directory, ref) => directory.group(ref.id),
    removeUser: (directory, ref) => directory.removeUserDirectly(ref.id),
  },
  injectFault: (directory, kind, { retryAfterS }) => directory.failNext(1, faults[kind](retryAfterS)),
};

runConnectorKit(harness);
