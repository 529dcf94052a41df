import type { ScimContext } from './context';
import { ConcurrentChangeError } from '../store/resource-errors';
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

/**
 * Re-runs a read-modify-write whose guarded write found the row changed since its read (another
 * request's write committed in between). After a few lost races the conflict reaches the client as 409.
 */
export async function retryOnConcurrentChange<T>(attempt: () => Promise<T>, attempts = 5): Promise<T> {
  for (let i = 1; ; i++) {
    try {
      return await attempt();
    } catch (error) {
      if (!(error instanceof ConcurrentChangeError) || i >= attempts) throw error;
    }
  }
}
