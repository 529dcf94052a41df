/**
 * The parts of Directory API resources the connector reads and writes. The generated SDK types leave
 * phones, organizations, externalIds and relations as `any`; these give them shape.
 */
export interface GoogleExternalId {
  type: string;
  customType?: string;
  value: string;
}

export interface GooglePhone {
  type: string;
  customType?: string;
  value: string;
  primary?: boolean;
}

export interface GoogleOrganization {
  primary?: boolean;
  type?: string;
  title?: string;
  department?: string;
  costCenter?: string;
  [field: string]: unknown;
}

export interface GoogleRelation {
  type: string;
  customType?: string;
  value: string;
}

export interface GoogleUser {
  id?: string;
  primaryEmail?: string;
  name?: { givenName?: string; familyName?: string; fullName?: string };
  suspended?: boolean;
  orgUnitPath?: string;
  aliases?: string[];
  externalIds?: GoogleExternalId[];
  phones?: GooglePhone[];
  organizations?: GoogleOrganization[];
  relations?: GoogleRelation[];
  password?: string;
  changePasswordAtNextLogin?: boolean;
}

export interface GoogleGroup {
  id?: string;
  email?: string;
  name?: string;
  description?: string;
}

export interface GoogleMember {
  id?: string;
  email?: string;
  role?: string;
  type?: string;
  status?: string;
}

/** The customType under which the bridge stores its SCIM id in a user's externalIds. */
export const SCIM_ID_TYPE = 'scim-bridge';
/** The customType under which the bridge stores the SCIM id of the manager a `relations` entry names. */
export const MANAGER_SCIM_ID_TYPE = 'scim-bridge-manager';
