import SCIMMY from 'scimmy';
import { IdentitySchema } from '../lifecycle/identity';
import type { BridgeConfig } from '../config/types';
import { ScimGroups } from './groups-resource';
import { declareMetaSchemas } from './meta-schemas';
import { ScimUsers } from './users-resource';

/** Multi-valued attributes whose `type` scimmy checks against a closed list (roles: an empty one). */
const OPEN_TYPE_VOCABULARIES = ['emails', 'phoneNumbers', 'ims', 'photos', 'addresses', 'entitlements', 'roles', 'x509Certificates'];

let declared = false;

/**
 * Declares Users (with the enterprise and identity-lifecycle extensions) and Groups, and sets the ServiceProviderConfig to what
 * the bridge really does. scimmy keeps all of this process-global, so declaration happens once and
 * the config reflects the last app created (tests in one process share their scim settings).
 */
export function configureScimmy(scim: BridgeConfig['scim']): void {
  if (!declared) {
    SCIMMY.Resources.declare(ScimUsers, 'User').extend(SCIMMY.Schemas.EnterpriseUser, false).extend(IdentitySchema, false);
    SCIMMY.Resources.declare(ScimGroups, 'Group');
    openTypeVocabularies();
    usersOnlyAsGroupMembers();
    declareMetaSchemas();
    declared = true;
  }
  SCIMMY.Config.set({ authenticationSchemes: [] });
  SCIMMY.Config.set({
    patch: { supported: true },
    bulk: { supported: true, maxOperations: scim.maxBulkOperations, maxPayloadSize: scim.maxPayloadBytes },
    filter: { supported: true, maxResults: scim.maxResults },
    sort: { supported: true },
    etag: { supported: true },
    changePassword: { supported: false },
  });
}

/**
 * RFC 7643 canonical values are a suggestion ("MAY"), and IdPs send "Work", "mobile2" or their own
 * role types. The normaliser maps known values to their canonical casing; the rest are accepted as is.
 */
function openTypeVocabularies(): void {
  for (const name of OPEN_TYPE_VOCABULARIES) {
    const attribute = SCIMMY.Schemas.User.definition.attribute(name) as SCIMMY.Types.Attribute;
    const type = attribute.subAttributes?.find((sub) => sub.name === 'type');
    if (type) type.config.canonicalValues = false as unknown as string[];
  }
}

/**
 * The store keeps user members only (memberships join users), so /Schemas must not advertise nested
 * groups: members.type and members.$ref name User alone, and a Group member is refused with a clear 400.
 */
function usersOnlyAsGroupMembers(): void {
  const members = SCIMMY.Schemas.Group.definition.attribute('members') as SCIMMY.Types.Attribute;
  for (const sub of members.subAttributes ?? []) {
    if (sub.name === 'type') sub.config.canonicalValues = ['User'];
    if (sub.name === '$ref') sub.config.referenceTypes = ['User'];
  }
}
