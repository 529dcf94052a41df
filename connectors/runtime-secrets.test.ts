import { randomUUID } from 'node:crypto';
import { startGithubFake, appConfig } from './github/harness';
import { github } from './github';
import { configForFake, startGoogleFake, testServiceAccount } from './google-workspace/harness';
import { googleWorkspace } from './google-workspace';
import type { AnyConnectorDefinition, ConnectorEnv } from './sdk/contract';

interface Case {
  definition: AnyConnectorDefinition;
  /** Starts the connector's fake; returns its config and how to tell the registered secrets apart. */
  start(): Promise<{ config: unknown; stop(): Promise<void>; expected: Array<(secret: string) => boolean> }>;
}

/**
 * Credentials a connector obtains at run time must reach the bridge's redactor (ConnectorEnv.redactor),
 * or a target that echoes them puts them in logs and the ledger for good.
 */
const cases: Array<[string, Case]> = [
  ['github (App: JWT and installation token)', {
    definition: github,
    async start() {
      const fake = await startGithubFake();
      return { config: appConfig(fake), stop: () => fake.stop(), expected: [(s) => s.startsWith('ghs_'), (s) => s.split('.').length === 3] };
    },
  }],
  ['google-workspace (key file private key and access token)', {
    definition: googleWorkspace,
    async start() {
      const fake = await startGoogleFake();
      const privateKey = JSON.parse(testServiceAccount.keyJson(fake.tokenUrl)).private_key as string;
      return { config: configForFake(fake), stop: () => fake.stop(), expected: [(s) => s === privateKey, (s) => s.startsWith('ya29.')] };
    },
  }],
];

describe('runtime secrets are registered with the bridge redactor', () => {
  it.each(cases)('%s', async (_label, { definition, start }) => {
    const fake = await start();
    const registered: string[] = [];
    const env: ConnectorEnv = {
      logger: { debug() {}, info() {}, warn() {}, error() {} },
      now: () => new Date(),
      fetch: globalThis.fetch,
      redactor: { add: (secret) => registered.push(secret) },
    };
    try {
      const health = await definition.create(fake.config, env).check({ idempotencyKey: randomUUID(), signal: new AbortController().signal, requestId: randomUUID() });
      expect(health.ok).toBe(true);
      for (const matches of fake.expected) expect(registered.some(matches)).toBe(true);
    } finally {
      await fake.stop();
    }
  });
});
