import type { Attributes, Changes, JsonValue, RemoteGroup, RemoteUser } from '../sdk';
import { flattenScimResource, toScimResource } from './scim-path';

/** Translation between the bridge's target shapes and SCIM 2.0 resources (RFC 7643). */

export const USER_SCHEMA = 'urn:ietf:params:scim:schemas:core:2.0:User';
export const GROUP_SCHEMA = 'urn:ietf:params:scim:schemas:core:2.0:Group';
export const LIST_SCHEMA = 'urn:ietf:params:scim:api:messages:2.0:ListResponse';
export const PATCH_SCHEMA = 'urn:ietf:params:scim:api:messages:2.0:PatchOp';

export interface ScimResource {
  id: string;
  externalId?: string;
  [attribute: string]: JsonValue | undefined;
}

export interface ScimUser extends ScimResource {
  userName: string;
  active?: boolean;
}

export interface ScimGroup extends ScimResource {
  displayName: string;
  members?: Array<{ value: string; display?: string }>;
}

export interface ListResponse<T> {
  totalResults: number;
  startIndex?: number;
  itemsPerPage?: number;
  Resources?: T[];
}

export interface PatchOperation {
  op: 'add' | 'replace' | 'remove';
  path?: string;
  value?: JsonValue;
}

/** Server-managed or carried elsewhere in RemoteUser/RemoteGroup: never part of `attributes`. */
const NOT_ATTRIBUTES = ['schemas', 'id', 'meta', 'externalId', 'userName', 'active', 'groups', 'members'];

export function newUserBody(key: string, scimId: string, active: boolean, attributes: Attributes): JsonValue {
  const { resource, extensions } = toScimResource(attributes);
  // externalId carries the bridge's id: the downstream's conventional place for "the id upstream".
  return { ...resource, schemas: [USER_SCHEMA, ...extensions], userName: key, externalId: scimId, active };
}

export function newGroupBody(key: string, scimId: string, attributes: Attributes): JsonValue {
  const { resource, extensions } = toScimResource(attributes);
  return { ...resource, schemas: [GROUP_SCHEMA, ...extensions], displayName: key, externalId: scimId, members: [] };
}

export function toRemoteUser(user: ScimUser): RemoteUser {
  return {
    id: user.id,
    key: user.userName,
    active: user.active !== false,
    attributes: flattenScimResource(user as Record<string, JsonValue>, NOT_ATTRIBUTES),
    ...(user.externalId ? { scimId: user.externalId } : {}),
  };
}

export function toRemoteGroup(group: ScimGroup): RemoteGroup {
  return {
    id: group.id,
    key: group.displayName,
    attributes: flattenScimResource(group as Record<string, JsonValue>, [...NOT_ATTRIBUTES, 'displayName']),
    ...(group.externalId ? { scimId: group.externalId } : {}),
  };
}

/**
 * One replace per changed field (remove for null): the target sees exactly what changed, nothing else. A
 * rename replaces the key attribute; a bridge id to stamp (an adopted resource) replaces externalId, where
 * create puts it.
 */
export function patchOperations(changes: Changes, keyAttribute: 'userName' | 'displayName'): PatchOperation[] {
  const operations: PatchOperation[] = Object.entries(changes.attributes).map(([path, value]) =>
    value === null ? { op: 'remove', path } : { op: 'replace', path, value },
  );
  if (changes.scimId !== undefined) operations.unshift({ op: 'replace', path: 'externalId', value: changes.scimId });
  if (changes.key !== undefined) operations.unshift({ op: 'replace', path: keyAttribute, value: changes.key });
  return operations;
}

export function patchBody(operations: PatchOperation[]): JsonValue {
  return { schemas: [PATCH_SCHEMA], Operations: operations as unknown as JsonValue[] };
}

/** A string literal inside a SCIM filter (RFC 7644 §3.4.2.2 uses JSON string syntax). */
export function filterString(value: string): string {
  return JSON.stringify(value);
}
