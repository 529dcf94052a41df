import canonicalize from 'canonicalize';
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

const READ_ONLY: Record<string, string> = {
  groups: "'groups' is readOnly: change memberships through /Groups",
  meta: "'meta' is readOnly: the bridge maintains it",
};

/**
 * A PATCH naming a readOnly attribute (a path to it or one of its sub-attributes, or a no-path key) is
 * 400 mutability (RFC 7644 3.5.2), whatever scimmy would do (it ignores `meta.created`). `id` is left
 * to scimmy, which refuses a different id and accepts the same one (Okta sends it in no-path replaces).
 */
export function refuseReadOnly(operations: PatchOperation[], names: Array<keyof typeof READ_ONLY>): void {
  for (const operation of operations) {
    const path = typeof operation.path === 'string' ? operation.path.trim().toLowerCase() : undefined;
    const keys = path !== undefined ? [path] : isPlainObject(operation.value) ? Object.keys(operation.value).map((key) => key.toLowerCase()) : [];
    const named = names.find((name) => keys.some((key) => key === name || key.startsWith(`${name}[`) || key.startsWith(`${name}.`)));
    if (named) throw scimFailure(400, 'mutability', READ_ONLY[named]);
  }
}

/** A multi-valued attribute holds values; a null among them is the client's mistake, not something to store. */
export function refuseNullItems(resource: Json): void {
  for (const attribute of MULTI_VALUED_WITH_PRIMARY) {
    const values = resource[attribute];
    const at = Array.isArray(values) ? values.findIndex((value) => value === null) : -1;
    if (at >= 0) throw scimFailure(400, 'invalidValue', `${attribute}[${at}] is null; leave it out instead`);
  }
}

/**
 * RFC 7644 3.5.2.1: adding a value a multi-valued attribute already holds changes nothing. A value equal
 * to an earlier one of the same attribute but for `primary` is dropped; its `primary: true`, if any,
 * moves to the earlier value. One pass with a key per value, so 10,000 emails cost 10,000 keys.
 */
export function withoutRepeatedValues(resource: Json): void {
  for (const attribute of MULTI_VALUED_WITH_PRIMARY) {
    const values = resource[attribute];
    if (!Array.isArray(values)) continue;
    const seen = new Map<string, Json>();
    resource[attribute] = values.filter((value) => {
      if (!isPlainObject(value)) return true;
      const { primary, ...rest } = value;
      const key = canonicalize(rest) ?? '';
      const earlier = seen.get(key);
      if (!earlier) seen.set(key, value);
      else if (primary === true) earlier.primary = true;
      return !earlier;
    });
  }
}
