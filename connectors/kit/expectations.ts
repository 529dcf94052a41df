import { expect } from '@jest/globals';
import { ConnectorError } from '../sdk/errors';

export interface CapturedLog {
  level: 'debug' | 'info' | 'warn' | 'error';
  message: string;
  meta?: Record<string, unknown>;
}

/**
 * Awaits a connector call that must fail with `type`. Anything that is not a ConnectorError is a contract
 * bug and fails with what was actually thrown. Every error is kept in `seen` for the secret check.
 */
export async function expectConnectorError<E extends ConnectorError>(
  call: Promise<unknown>,
  type: abstract new (...args: never[]) => E,
  seen: unknown[],
): Promise<E> {
  let outcome: unknown;
  try {
    outcome = await call;
  } catch (error) {
    seen.push(error);
    expect(describeThrown(error)).toBe(describeExpected(error, type));
    return error as E;
  }
  throw new Error(`expected ${type.name}, but the call succeeded with ${JSON.stringify(outcome)}`);
}

function describeThrown(error: unknown): string {
  return error instanceof Error ? `${error.constructor.name}: ${error.message}` : `non-error: ${String(error)}`;
}

/** Equal to describeThrown when the error has the right type, so a mismatch prints both sides. */
function describeExpected(error: unknown, type: abstract new (...args: never[]) => ConnectorError): string {
  if (error instanceof type && error instanceof Error) return describeThrown(error);
  return `${type.name}: <any message>`;
}

/** The message of an error and of every cause under it: all of it may end up in a log or the ledger. */
export function textsOf(error: unknown): string[] {
  const texts: string[] = [];
  let current: unknown = error;
  for (let depth = 0; current !== undefined && current !== null && depth < 5; depth += 1) {
    texts.push(current instanceof Error ? `${current.message}\n${current.stack ?? ''}` : String(current));
    current = current instanceof Error ? (current as { cause?: unknown }).cause : undefined;
  }
  return texts;
}

export async function collectAll<T>(iterable: AsyncIterable<T>): Promise<T[]> {
  const items: T[] = [];
  for await (const item of iterable) items.push(item);
  return items;
}
