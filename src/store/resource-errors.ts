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

export type ResourceStoreError =
  | ResourceNotFoundError
  | PreconditionFailedError
  | UniquenessError
  | InvalidReferenceError
  | ConcurrentChangeError;
