import { randomBytes } from 'node:crypto';
import { isDeepStrictEqual } from 'node:util';
import type { Attributes, Changes, JsonValue, MappingDefaults, RemoteGroup, RemoteUser, TargetGroup, TargetUser } from '../sdk/contract';
import type { GoogleWorkspaceConfig } from './config';
import {
  MANAGER_SCIM_ID_TYPE,
  SCIM_ID_TYPE,
  type GoogleExternalId,
  type GoogleGroup,
  type GoogleOrganization,
  type GoogleUser,
} from './google-types';

const ENTERPRISE = 'urn:ietf:params:scim:schemas:extension:enterprise:2.0:User';

/**
 * Target fields (left) and the SCIM paths they come from by default (right). `manager` carries the
 * manager's SCIM id (or an email); the connector turns it into the manager's Google address.
 */
export const googleWorkspaceMapping: MappingDefaults = {
  user: {
    key: 'userName',
    attributes: {
      givenName: 'name.givenName',
      familyName: 'name.familyName',
      title: 'title',
      department: `${ENTERPRISE}:department`,
      costCenter: `${ENTERPRISE}:costCenter`,
      employeeId: `${ENTERPRISE}:employeeNumber`,
      workPhone: 'phoneNumbers[type eq "work"].value',
      mobilePhone: 'phoneNumbers[type eq "mobile"].value',
      manager: `${ENTERPRISE}:manager.value`,
    },
  },
  group: { attributes: { name: 'displayName' } },
};

export type OrgUnitOptions = NonNullable<GoogleWorkspaceConfig['orgUnits']>;

export interface UserMappingOptions {
  orgUnits: OrgUnitOptions;
  changePasswordAtNextLogin: boolean;
}

const ORGANIZATION_FIELDS = ['title', 'department', 'costCenter'] as const;
const PHONE_FIELDS = { workPhone: 'work', mobilePhone: 'mobile' } as const;
/** Fields stored in arrays that Google replaces whole on PATCH: changing one needs the current array. */
const ARRAY_FIELDS = new Set<string>([...ORGANIZATION_FIELDS, ...Object.keys(PHONE_FIELDS), 'employeeId', 'manager']);

/** A mapped value as text; empty, null and missing are all "no value". */
export function text(value: JsonValue | undefined): string | undefined {
  if (value === null || value === undefined) return undefined;
  const result = typeof value === 'string' ? value.trim() : typeof value === 'object' ? JSON.stringify(value) : String(value);
  return result === '' ? undefined : result;
}

/** A password nobody knows: SSO users sign in through the IdP and never need it. */
export function randomPassword(): string {
  return randomBytes(32).toString('base64url');
}

/**
 * The manager as Google holds it: the address written into `relations`, and the SCIM id it was resolved
 * from, kept in externalIds so listing reports the manager in the mapping's terms.
 */
export interface ResolvedManager {
  email: string;
  scimId?: string;
}

export function userInsertBody(user: TargetUser, options: UserMappingOptions, manager?: ResolvedManager): GoogleUser {
  const attributes = user.attributes;
  const localPart = user.key.split('@')[0];
  return {
    primaryEmail: user.key,
    // Google requires both names; an IdP that sends neither still gets an account.
    name: { givenName: text(attributes.givenName) ?? localPart, familyName: text(attributes.familyName) ?? localPart },
    password: randomPassword(),
    changePasswordAtNextLogin: options.changePasswordAtNextLogin,
    suspended: !user.active,
    orgUnitPath: text(attributes.orgUnitPath) ?? orgUnitForDepartment(text(attributes.department), options.orgUnits),
    ...arrayFields({}, { ...attributes, manager: manager?.email ?? null }, { scimId: user.scimId, managerScimId: manager?.scimId }),
  };
}

/** Whether building the PATCH body needs the user's current arrays (phones, organizations, externalIds, ...). */
export function needsCurrentUser(changes: Changes): boolean {
  return changes.scimId !== undefined || Object.keys(changes.attributes).some((field) => ARRAY_FIELDS.has(field));
}

/**
 * The PATCH body for `changes`. Arrays are rebuilt from `current` so that entries the bridge does not
 * manage (a home phone, a second organization, a dotted-line relation) survive.
 */
export function userPatchBody(changes: Changes, options: UserMappingOptions, current: GoogleUser = {}, manager?: ResolvedManager): GoogleUser {
  const attributes = changes.attributes;
  const body: GoogleUser = {};
  if (changes.key) body.primaryEmail = changes.key;
  if ('givenName' in attributes || 'familyName' in attributes) {
    body.name = {};
    if ('givenName' in attributes) body.name.givenName = text(attributes.givenName) ?? current.name?.givenName;
    if ('familyName' in attributes) body.name.familyName = text(attributes.familyName) ?? current.name?.familyName;
  }
  const orgUnitPath = orgUnitForChanges(attributes, options.orgUnits);
  if (orgUnitPath) body.orgUnitPath = orgUnitPath;
  const arrays = 'manager' in attributes ? { ...attributes, manager: manager?.email ?? null } : attributes;
  return { ...body, ...arrayFields(current, arrays, { scimId: changes.scimId, managerScimId: manager?.scimId }) };
}

function orgUnitForChanges(attributes: Attributes, orgUnits: OrgUnitOptions): string | undefined {
  if ('orgUnitPath' in attributes) return text(attributes.orgUnitPath) ?? orgUnits.default ?? '/';
  const managesOrgUnits = orgUnits.fromDepartment === true || orgUnits.byDepartment !== undefined;
  if ('department' in attributes && managesOrgUnits) return orgUnitForDepartment(text(attributes.department), orgUnits);
  return undefined;
}

export function orgUnitForDepartment(department: string | undefined, orgUnits: OrgUnitOptions): string {
  const mapped = department === undefined ? undefined : orgUnits.byDepartment?.[department];
  if (mapped) return mapped;
  if (orgUnits.fromDepartment && department) return `/${department}`;
  return orgUnits.default ?? '/';
}

/** The bridge's own externalIds: its SCIM id (when it is to be written) and the resolved manager's. */
interface BridgeIds {
  scimId?: string;
  managerScimId?: string;
}

/** Only the arrays whose fields appear in `attributes`, each merged into the current one. */
function arrayFields(current: GoogleUser, attributes: Attributes, ids: BridgeIds): GoogleUser {
  const body: GoogleUser = {};
  const organizationChanges = ORGANIZATION_FIELDS.filter((field) => field in attributes);
  if (organizationChanges.length > 0) {
    const fields = Object.fromEntries(organizationChanges.map((field) => [field, text(attributes[field])]));
    body.organizations = withOrganizationFields(current.organizations ?? [], fields);
  }
  const phoneChanges = Object.entries(PHONE_FIELDS).filter(([field]) => field in attributes);
  if (phoneChanges.length > 0) {
    body.phones = phoneChanges.reduce(
      (phones, [field, type]) => withTyped(phones, (phone) => phone.type === type, text(attributes[field]), (value) => ({ type, value })),
      current.phones ?? [],
    );
  }
  if ('employeeId' in attributes || 'manager' in attributes || ids.scimId !== undefined) {
    let externalIds = current.externalIds ?? [];
    if (ids.scimId !== undefined) externalIds = withTyped(externalIds, isScimId, ids.scimId, customExternalId(SCIM_ID_TYPE));
    if ('employeeId' in attributes) {
      externalIds = withTyped(externalIds, (id) => id.type === 'organization', text(attributes.employeeId), (value) => ({ type: 'organization', value }));
    }
    if ('manager' in attributes) externalIds = withTyped(externalIds, isManagerScimId, ids.managerScimId, managerExternalId);
    body.externalIds = externalIds;
  }
  if ('manager' in attributes) {
    body.relations = withTyped(current.relations ?? [], (relation) => relation.type === 'manager', text(attributes.manager), (value) => ({ type: 'manager', value }));
  }
  return pruneUnchangedArrays(body, current);
}

/** An array that ends as it was (empty or not) is no change and is not sent. */
function pruneUnchangedArrays(body: GoogleUser, current: GoogleUser): GoogleUser {
  const pruned: GoogleUser = {};
  for (const [field, value] of Object.entries(body) as [keyof GoogleUser, unknown][]) {
    if (isDeepStrictEqual(value, current[field] ?? [])) continue;
    (pruned as Record<string, unknown>)[field] = value;
  }
  return pruned;
}

function withTyped<T>(list: readonly T[], matches: (entry: T) => boolean, value: string | undefined, build: (value: string) => T): T[] {
  const kept = list.filter((entry) => !matches(entry));
  return value === undefined ? kept : [...kept, build(value)];
}

/** Sets or clears fields of the primary organization (the first one when none is marked primary). */
function withOrganizationFields(organizations: readonly GoogleOrganization[], fields: Record<string, string | undefined>): GoogleOrganization[] {
  const primary = Math.max(0, organizations.findIndex((organization) => organization.primary));
  const merged: GoogleOrganization = { ...(organizations[primary] ?? { primary: true, type: 'work' }) };
  for (const [field, value] of Object.entries(fields)) {
    if (value === undefined) delete merged[field];
    else merged[field] = value;
  }
  const others = organizations.filter((_, position) => position !== primary);
  const hasContent = ORGANIZATION_FIELDS.some((field) => merged[field] !== undefined);
  return hasContent ? [merged, ...others] : others;
}

function isScimId(id: GoogleExternalId): boolean {
  return id.type === 'custom' && id.customType === SCIM_ID_TYPE;
}

function isManagerScimId(id: GoogleExternalId): boolean {
  return id.type === 'custom' && id.customType === MANAGER_SCIM_ID_TYPE;
}

function customExternalId(customType: string): (value: string) => GoogleExternalId {
  return (value) => ({ type: 'custom', customType, value });
}

/**
 * Prefixed so that `users.list query=externalId='<id>'`, which matches any externalId value, finds the
 * manager's own account and not every report that names them.
 */
const MANAGER_VALUE_PREFIX = 'manager:';

function managerExternalId(scimId: string): GoogleExternalId {
  return customExternalId(MANAGER_SCIM_ID_TYPE)(`${MANAGER_VALUE_PREFIX}${scimId}`);
}

function managerScimIdOf(user: GoogleUser): string | undefined {
  const value = user.externalIds?.find(isManagerScimId)?.value;
  return value?.startsWith(MANAGER_VALUE_PREFIX) ? value.slice(MANAGER_VALUE_PREFIX.length) : undefined;
}

export function scimIdOf(user: GoogleUser): string | undefined {
  return user.externalIds?.find(isScimId)?.value;
}

/**
 * The manager in the mapping's terms: the SCIM id the relation was resolved from, or the relation's own
 * address when the bridge did not resolve it (set by hand, or mapped as an address); null without one.
 */
function managerOf(user: GoogleUser): string | null {
  const relation = user.relations?.find((entry) => entry.type === 'manager');
  if (!relation) return null;
  return managerScimIdOf(user) ?? relation.value;
}

/** A Google user in target fields. */
export function toRemoteUser(user: GoogleUser): RemoteUser {
  const organization = user.organizations?.find((entry) => entry.primary) ?? user.organizations?.[0];
  const attributes: Attributes = {
    givenName: user.name?.givenName ?? null,
    familyName: user.name?.familyName ?? null,
    orgUnitPath: user.orgUnitPath ?? null,
    title: organization?.title ?? null,
    department: organization?.department ?? null,
    costCenter: organization?.costCenter ?? null,
    employeeId: user.externalIds?.find((id) => id.type === 'organization')?.value ?? null,
    workPhone: user.phones?.find((phone) => phone.type === 'work')?.value ?? null,
    mobilePhone: user.phones?.find((phone) => phone.type === 'mobile')?.value ?? null,
    manager: managerOf(user),
  };
  return { id: user.id ?? '', key: user.primaryEmail ?? '', active: user.suspended !== true, attributes, scimId: scimIdOf(user) };
}

/**
 * Google group addresses: a key that already is an address stays; a SCIM display name becomes a slug in
 * `domain` ("Platform Team" → platform-team@example.com).
 */
export function groupEmail(key: string, domain: string): string {
  if (key.includes('@')) return key.toLowerCase();
  const slug = key
    .normalize('NFKD')
    .replace(/[\u0300-\u036f]/g, '')
    .toLowerCase()
    .replace(/[^a-z0-9._-]+/g, '-')
    .replace(/^[-.]+|[-.]+$/g, '');
  return `${slug}@${domain}`;
}

export function groupInsertBody(group: TargetGroup, domain: string): GoogleGroup {
  return {
    email: groupEmail(group.key, domain),
    name: text(group.attributes.name) ?? group.key,
    ...(text(group.attributes.description) ? { description: text(group.attributes.description) } : {}),
  };
}

export function groupPatchBody(changes: Changes, domain: string): GoogleGroup {
  const body: GoogleGroup = {};
  if (changes.key) body.email = groupEmail(changes.key, domain);
  if ('name' in changes.attributes) body.name = text(changes.attributes.name) ?? body.email;
  if ('description' in changes.attributes) body.description = text(changes.attributes.description) ?? '';
  return body;
}

export function toRemoteGroup(group: GoogleGroup): RemoteGroup {
  return {
    id: group.id ?? '',
    key: group.email ?? '',
    attributes: { name: group.name ?? null, description: group.description || null },
  };
}
