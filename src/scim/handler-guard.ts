import type { ScimContext } from './context';
import { scimFailure, toScimError } from './errors';

export function requireContext(ctx: unknown): ScimContext {
  if (!ctx || typeof ctx !== 'object') throw scimFailure(500, null, 'SCIM handler called without a request context');
  return ctx as ScimContext;
}

/** Runs a handler body so that whatever it throws leaves as a SCIMError (scimmy would say 404). */
export function guarded<T>(ctx: ScimContext, fn: () => T): T {
  try {
    return fn();
  } catch (error) {
    throw toScimError(error, ctx.onUnexpected);
  }
}

export async function guardedAsync<T>(ctx: ScimContext, fn: () => Promise<T>): Promise<T> {
  try {
    return await fn();
  } catch (error) {
    throw toScimError(error, ctx.onUnexpected);
  }
}
