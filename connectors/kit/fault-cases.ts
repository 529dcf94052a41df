import { expect } from '@jest/globals';
import {
  ConfigError,
  ConflictError,
  ConnectorError,
  NotFoundError,
  PermanentError,
  RateLimitedError,
  RetryableError,
} from '../sdk/errors';
import type { FakeTarget } from './fake-target';
import type { ConnectorHarness, FaultKind } from './harness';
import { expectConnectorError, textsOf } from './expectations';
import { kitCase } from './kit-case';
import type { KitRun } from './kit-run';

const RETRY_AFTER_S = 3;
const FAULT_KINDS: readonly FaultKind[] = ['rate-limited', 'unavailable', 'unauthorized', 'bad-request'];

type ErrorType = abstract new (...args: never[]) => ConnectorError;

/** What each injected fault must become, whichever operation it hits. */
const EXPECTED: Record<FaultKind, ErrorType> = {
  'rate-limited': RateLimitedError,
  unavailable: RetryableError,
  unauthorized: ConfigError,
  'bad-request': PermanentError,
};

/** The contract's error types, most specific first: what a thrown error is reported as. */
const CONTRACT_TYPES: readonly ErrorType[] = [RateLimitedError, RetryableError, ConfigError, PermanentError, NotFoundError, ConflictError];

/** Typed errors: each fault the target's API can answer, on every kind of write, is classified the same way. */
export function faultCases<C, F extends FakeTarget>(harness: ConnectorHarness<C, F>, kit: KitRun<C, F>): void {
  /** Injects one fault the way the target's API produces it, then creates a user; returns the typed error. */
  const createFailingWith = <E extends ConnectorError>(kind: FaultKind, type: abstract new (...args: never[]) => E) => {
    const connector = kit.connector();
    harness.injectFault(kit.fake, kind, { retryAfterS: RETRY_AFTER_S });
    return expectConnectorError(connector.users.create(harness.samples.user(5), kit.ctx()), type, kit.errors);
  };

  kitCase(harness, 'error-rate-limited', async () => {
    const error = await createFailingWith('rate-limited', RateLimitedError);
    expect(error.retryAfterMs).toBe(RETRY_AFTER_S * 1000);
  });
  // The harness injects a 503 without Retry-After (with one, it would rightly be a RateLimitedError).
  kitCase(harness, 'error-unavailable', async () => void (await createFailingWith('unavailable', RetryableError)));
  kitCase(harness, 'error-unauthorized', async () => void (await createFailingWith('unauthorized', ConfigError)));
  kitCase(harness, 'error-bad-request', async () => void (await createFailingWith('bad-request', PermanentError)));

  kitCase(harness, 'error-update-not-found', async () => {
    const connector = kit.connector();
    const user = harness.samples.user(6);
    const ref = await connector.users.create(user, kit.ctx());
    await harness.inspect.removeUser(kit.fake, ref);
    await expectConnectorError(connector.users.update(ref, harness.samples.userChanges(user), kit.ctx()), NotFoundError, kit.errors);
    if (connector.users.disable) await expectConnectorError(connector.users.disable(ref, kit.ctx()), NotFoundError, kit.errors);
    if (connector.users.enable) await expectConnectorError(connector.users.enable(ref, kit.ctx()), NotFoundError, kit.errors);
    if (connector.users.delete) expect(await connector.users.delete(ref, kit.ctx())).toBe('noop');
  });

  kitCase(harness, 'error-user-writes', async () => {
    const connector = kit.connector();
    const { users } = connector;
    const user = harness.samples.user(11);
    const ref = await users.create(user, kit.ctx());
    await expectEveryFaultClassified(harness, kit, {
      'users.update': () => users.update(ref, harness.samples.userChanges(user), kit.ctx()),
      ...(users.disable && { 'users.disable': () => users.disable!(ref, kit.ctx()) }),
      ...(users.enable && { 'users.enable': () => users.enable!(ref, kit.ctx()) }),
      ...(users.delete && { 'users.delete': () => users.delete!(ref, kit.ctx()) }),
    });
    await kit.expectUser(ref, { key: user.key, active: true, attributes: user.attributes });
  });

  kitCase(harness, 'error-member-writes', async () => {
    const { connector, groups, group } = kit.groupSupport('error-member-writes');
    const ref = await groups.create(group(8), kit.ctx());
    const [user] = await kit.createUserRefs(connector, 1);
    await expectEveryFaultClassified(harness, kit, { 'groups.addMember': () => groups.addMember(ref, user, kit.ctx()) });
    expect(await groups.addMember(ref, user, kit.ctx())).toBe('applied');
    await expectEveryFaultClassified(harness, kit, { 'groups.removeMember': () => groups.removeMember(ref, user, kit.ctx()) });
    await kit.expectGroup(ref, { key: ref.key, memberIds: [user.id] });
  });

  kitCase(harness, 'error-no-secrets', async () => {
    const config = harness.configFor(kit.fake);
    const secrets = harness.secretsOf(config).filter((secret) => secret.length >= 4);
    expect(secrets.length).toBeGreaterThan(0);
    const connector = kit.connector();
    const user = harness.samples.user(7);
    for (const kind of FAULT_KINDS) {
      harness.injectFault(kit.fake, kind, { retryAfterS: RETRY_AFTER_S });
      await expectConnectorError(connector.users.create(user, kit.ctx()), ConnectorError, kit.errors);
    }
    kit.fake.revokeCredentials();
    kit.remember((await connector.check(kit.ctx())).message);
    await expectConnectorError(connector.users.create(user, kit.ctx()), ConnectorError, kit.errors);

    const texts = [...kit.errors.flatMap(textsOf), ...kit.remembered, ...kit.logs.map((log) => JSON.stringify(log))];
    for (const secret of secrets) {
      expect(texts.filter((text) => text.includes(secret))).toEqual([]);
    }
  });
}

/**
 * Runs each call once after each fault kind and compares the whole table at once, so a failure shows every
 * operation and fault that was misclassified (with the error's message), not only the first.
 */
async function expectEveryFaultClassified<C, F extends FakeTarget>(
  harness: ConnectorHarness<C, F>,
  kit: KitRun<C, F>,
  calls: Record<string, () => Promise<unknown>>,
): Promise<void> {
  const seen: Record<string, string> = {};
  const wanted: Record<string, string> = {};
  for (const [operation, call] of Object.entries(calls)) {
    for (const kind of FAULT_KINDS) {
      const label = `${operation} after ${kind}`;
      harness.injectFault(kit.fake, kind, { retryAfterS: RETRY_AFTER_S });
      wanted[label] = classification(kind);
      seen[label] = await outcomeOf(call(), wanted[label], kit.errors);
    }
  }
  expect(seen).toEqual(wanted);
}

function classification(kind: FaultKind): string {
  return kind === 'rate-limited' ? `RateLimitedError after ${RETRY_AFTER_S * 1000} ms` : EXPECTED[kind].name;
}

/** How the call ended, in the terms of classification(); the error's own message only when it is not what was wanted. */
async function outcomeOf(call: Promise<unknown>, wanted: string, errors: unknown[]): Promise<string> {
  let outcome: unknown;
  try {
    outcome = await call;
  } catch (error) {
    errors.push(error);
    const type = CONTRACT_TYPES.find((candidate) => error instanceof candidate);
    const text = error instanceof RateLimitedError ? `RateLimitedError after ${error.retryAfterMs} ms` : type?.name ?? 'not a connector error';
    return text === wanted ? text : `${text}: ${error instanceof Error ? error.message : String(error)}`;
  }
  return `succeeded with ${JSON.stringify(outcome)}`;
}
