import { randomUUID } from 'node:crypto';
import { afterAll, afterEach, beforeAll, beforeEach } from '@jest/globals';
import type { Connector, ConnectorLogger, OpContext } from '../sdk/contract';
import type { AwsIamConfig } from './config';
import { FakeIam } from './fake';
import { configForFake } from './harness';
import { awsIam } from './index';

export interface LoggedLine {
  level: string;
  message: string;
  meta?: Record<string, unknown>;
}

/** A fake IAM per test file, reset per test, and connectors that are closed after each test. */
export function useFakeIam(): { fake: () => FakeIam; connector: (overrides?: Partial<AwsIamConfig>) => Connector; logs: LoggedLine[] } {
  let fake: FakeIam;
  const open: Connector[] = [];
  const logs: LoggedLine[] = [];
  const logger: ConnectorLogger = {
    debug: (message, meta) => logs.push({ level: 'debug', message, meta }),
    info: (message, meta) => logs.push({ level: 'info', message, meta }),
    warn: (message, meta) => logs.push({ level: 'warn', message, meta }),
    error: (message, meta) => logs.push({ level: 'error', message, meta }),
  };

  beforeAll(async () => {
    fake = await new FakeIam().start();
  });
  afterAll(async () => fake.stop());
  beforeEach(() => {
    fake.reset();
    logs.length = 0;
  });
  afterEach(async () => {
    await Promise.all(open.splice(0).map((connector) => connector.close?.()));
  });

  return {
    fake: () => fake,
    connector: (overrides = {}) => {
      const connector = awsIam.create(configForFake(fake, overrides), { logger, now: () => new Date(), fetch: globalThis.fetch });
      open.push(connector);
      return connector;
    },
    logs,
  };
}

export function ctx(signal: AbortSignal = new AbortController().signal): OpContext {
  return { idempotencyKey: randomUUID(), signal, requestId: `test-${randomUUID()}` };
}

/** Awaits a call that must fail and returns what it threw. */
export async function rejectionOf(promise: Promise<unknown>): Promise<Error> {
  try {
    await promise;
  } catch (error) {
    return error as Error;
  }
  throw new Error('expected the call to fail');
}
