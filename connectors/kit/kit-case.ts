import { expect, it } from '@jest/globals';
import type { FakeTarget } from './fake-target';
import type { ConnectorHarness, KitCaseName } from './harness';

/** Registers one case, or a skip whose title carries the harness's reason. A skip without a reason fails. */
export function kitCase<C, F extends FakeTarget>(harness: ConnectorHarness<C, F>, name: KitCaseName, body: () => void | Promise<void>): void {
  const reason = harness.skips?.[name];
  if (reason === undefined) return void it(name, body);
  if (!reason.trim()) return void it(`${name}: a skip needs a written reason`, () => expect(reason.trim()).not.toBe(''));
  it.skip(`${name} — skipped: ${reason}`, () => undefined);
}

/** The named optional operations, bound; a missing one fails the case and says how to skip it. */
export function requireMembers<T extends object, K extends keyof T>(target: T, names: K[], caseName: KitCaseName): Required<Pick<T, K>> {
  for (const name of names) {
    if (typeof target[name] !== 'function') {
      throw new Error(`connector has no ${String(name)}: add skips['${caseName}'] with the reason the target cannot do it`);
    }
  }
  const bound = Object.fromEntries(names.map((name) => [name, (target[name] as (...args: unknown[]) => unknown).bind(target)]));
  return bound as Required<Pick<T, K>>;
}
