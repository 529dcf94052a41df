import type { JSONSchemaType } from 'ajv';

/** The scopes the bridge asks for; the Admin console's domain-wide delegation entry must list exactly these. */
export const DIRECTORY_SCOPES = [
  'https://www.googleapis.com/auth/admin.directory.user',
  'https://www.googleapis.com/auth/admin.directory.group',
  'https://www.googleapis.com/auth/admin.directory.group.member',
] as const;

export const DEFAULT_ROOT_URL = 'https://admin.googleapis.com/';

/**
 * Connector settings for one Google Workspace target. The service-account key is a secret: give it as
 * `serviceAccountKey: "${file:/run/secrets/google-sa.json}"` (or `${env:GOOGLE_SA_KEY}`), or as a path in
 * `serviceAccountKeyFile`; it is never logged.
 */
export interface GoogleWorkspaceConfig {
  /** The service account's JSON key, as downloaded from the Google Cloud console. */
  serviceAccountKey?: string;
  /** Path of the JSON key file, read when the connector first authenticates. */
  serviceAccountKeyFile?: string;
  /** The super admin (or delegated admin) the service account acts as: the JWT `sub`. */
  adminEmail: string;
  /** Customer id for listing; `my_customer` (default) is the admin's own account. */
  customer?: string;
  /** List users and groups of this domain only, instead of the whole customer. */
  domain?: string;
  /** The domain for group emails derived from SCIM display names (default: the admin's domain). */
  groupDomain?: string;
  newUsers?: {
    /** Ask new users to set a password at first sign-in (default false: SSO users never see one). */
    changePasswordAtNextLogin?: boolean;
  };
  orgUnits?: {
    /** Org unit for users whose department has no entry (default `/`). */
    default?: string;
    /** `/` + department, when the department has no entry in `byDepartment`. */
    fromDepartment?: boolean;
    /** Department → org unit path. */
    byDepartment?: Record<string, string>;
  };
  /** Directory API base URL (default https://admin.googleapis.com/); tests point it at the fake. */
  rootUrl?: string;
}

const EMAIL = '^[^@\\s]+@[^@\\s]+\\.[^@\\s]+$';
const DOMAIN = '^[A-Za-z0-9]([A-Za-z0-9-]*[A-Za-z0-9])?(\\.[A-Za-z0-9]([A-Za-z0-9-]*[A-Za-z0-9])?)+$';
const ORG_UNIT_PATH = '^/';

export const googleWorkspaceConfigSchema: JSONSchemaType<GoogleWorkspaceConfig> = {
  type: 'object',
  additionalProperties: false,
  required: ['adminEmail'],
  oneOf: [
    { type: 'object', properties: { serviceAccountKey: { type: 'string' } }, required: ['serviceAccountKey'] },
    { type: 'object', properties: { serviceAccountKeyFile: { type: 'string' } }, required: ['serviceAccountKeyFile'] },
  ],
  properties: {
    serviceAccountKey: { type: 'string', nullable: true, minLength: 2 },
    serviceAccountKeyFile: { type: 'string', nullable: true, minLength: 1 },
    adminEmail: { type: 'string', pattern: EMAIL },
    customer: { type: 'string', nullable: true, pattern: '^(my_customer|C[A-Za-z0-9]+)$' },
    domain: { type: 'string', nullable: true, pattern: DOMAIN },
    groupDomain: { type: 'string', nullable: true, pattern: DOMAIN },
    newUsers: {
      type: 'object',
      nullable: true,
      additionalProperties: false,
      properties: { changePasswordAtNextLogin: { type: 'boolean', nullable: true } },
    },
    orgUnits: {
      type: 'object',
      nullable: true,
      additionalProperties: false,
      properties: {
        default: { type: 'string', nullable: true, pattern: ORG_UNIT_PATH },
        fromDepartment: { type: 'boolean', nullable: true },
        byDepartment: {
          type: 'object',
          nullable: true,
          required: [],
          additionalProperties: { type: 'string', pattern: ORG_UNIT_PATH },
        },
      },
    },
    rootUrl: { type: 'string', nullable: true, pattern: '^https?://' },
  },
};
