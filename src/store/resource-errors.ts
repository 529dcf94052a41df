/**
 * Typed refusals of the user and group stores. Each is thrown inside the write transaction, so the
 * transaction rolls back and nothing half-written is left; the SCIM edge maps them to SCIM errors.
 */
export class ResourceNotFoundError extends Error {
  readonly kind = 'not-found';
  constructor(resource: 'user' | 'group', id: string) {
    super(`${resource} ${id} not found`);
  }
}

/** The caller's precondition (If-Match) does not hold for the current version. */
export class PreconditionFailedError extends Error {
  readonly kind = 'precondition-failed';
  constructor(readonly currentVersion: number) {
    super(`the resource is at version ${currentVersion}, which does not match If-Match`);
  }
}

/** A value that must be unique (userName, case-insensitively) is already taken by a live resource. */
export class UniquenessError extends Error {
  readonly kind = 'uniqueness';
}

/** A value refers to something that does not exist (e.g. a group member that is not a live user). */
export class InvalidReferenceError extends Error {
  readonly kind = 'invalid-reference';
}

/** The row changed between the read a PATCH started from and its write: the client should retry. */
export class ConcurrentChangeError extends Error {
  readonly kind = 'concurrent-change';
}

/**
 * A value the store indexes and compares (userName, displayName, externalId) that it cannot hold
 * faithfully: a control character (NUL ends a COLLATE NOCASE comparison, so "a\u0000x" and "a\u0000y"
 * collide) or more than MAX_INDEXED_TEXT characters.
 */
export class InvalidAttributeValueError extends Error {
  readonly kind = 'invalid-attribute-value';
  /** For the admin API's error handler: the client's mistake. */
  readonly status = 400;
}

export const MAX_INDEXED_TEXT = 1024;
const CONTROL = /\p{Cc}/u;

/** Throws InvalidAttributeValueError unless `value` (when a string) can be stored in an indexed column. */
export function requireIndexableText(attribute: string, value: unknown): void {
  if (typeof value !== 'string') return;
  if (value.length > MAX_INDEXED_TEXT) throw new InvalidAttributeValueError(`${attribute} is longer than ${MAX_INDEXED_TEXT} characters`);
  if (CONTROL.test(value)) throw new InvalidAttributeValueError(`${attribute} must not contain control characters (U+0000-U+001F, U+007F-U+009F)`);
}

export type ResourceStoreError =
  | ResourceNotFoundError
  | PreconditionFailedError
  | UniquenessError
  | InvalidReferenceError
  | ConcurrentChangeError
  | InvalidAttributeValueError;
