import { scimFailure } from './errors';
import { isPlainObject } from './normalize';
import type { PatchOperation } from './patch-ops';

type Json = Record<string, unknown>;

/** RFC 7643 3: `schemas` is REQUIRED, a non-empty list of URIs (scimmy accepts it missing). */
export function requireSchemas(body: Json): void {
  const { schemas } = body;
  if (!Array.isArray(schemas) || schemas.length === 0 || !schemas.every((id) => typeof id === 'string')) {
    throw scimFailure(400, 'invalidSyntax', "'schemas' must be a non-empty array of schema URIs");
  }
}

/** An extension's value must be an object; scimmy silently drops a string or an array. */
export function requireObjectExtensions(body: Json, extensionIds: string[]): void {
  for (const [key, value] of Object.entries(body)) {
    const extension = extensionIds.find((id) => id.toLowerCase() === key.toLowerCase());
    if (extension && value !== undefined && !isPlainObject(value)) {
      throw scimFailure(400, 'invalidValue', `the value of extension '${extension}' must be an object`);
    }
  }
}

/** Keeps only the schema URIs the bridge implements: an unknown extension's data is not stored, so it is not claimed. */
export function implementedSchemasOnly(resource: Json, implemented: string[]): void {
  if (Array.isArray(resource.schemas)) resource.schemas = resource.schemas.filter((id) => implemented.includes(id as string));
}

const MULTI_VALUED_WITH_PRIMARY = ['emails', 'phoneNumbers', 'ims', 'photos', 'addresses', 'entitlements', 'roles', 'x509Certificates'];

/**
 * RFC 7643 2.4: `primary: true` appears at most once per attribute. The last one given wins (a value
 * added as primary by a PATCH replaces the old primary), the others lose the flag.
 */
export function singlePrimary(resource: Json): void {
  for (const attribute of MULTI_VALUED_WITH_PRIMARY) {
    const values = resource[attribute];
    if (!Array.isArray(values)) continue;
    const primaries = values.filter((value) => isPlainObject(value) && value.primary === true) as Json[];
    for (const value of primaries.slice(0, -1)) value.primary = false;
  }
}

/** `groups` of a User is readOnly (membership changes go through /Groups): a PATCH naming it is 400 mutability. */
export function refuseReadOnlyGroups(operations: PatchOperation[]): void {
  for (const operation of operations) {
    const path = typeof operation.path === 'string' ? operation.path.trim().toLowerCase() : undefined;
    const touches =
      path !== undefined
        ? path === 'groups' || path.startsWith('groups[') || path.startsWith('groups.')
        : isPlainObject(operation.value) && Object.keys(operation.value).some((key) => key.toLowerCase() === 'groups');
    if (touches) throw scimFailure(400, 'mutability', "'groups' is readOnly: change memberships through /Groups");
  }
}
