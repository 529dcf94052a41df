import type { JSONSchemaType } from 'ajv';

/** IAM's path rule: `/` alone, or `/` + printable ASCII + `/` (at most 512 characters). */
const IAM_PATH_PATTERN = '^(/|/[\\x21-\\x7E]+/)$';

export interface StaticCredentials {
  accessKeyId: string;
  secretAccessKey: string;
  sessionToken?: string;
}

/** The `config:` block of an `aws-iam` target, as written by the admin (defaults not yet applied). */
export interface AwsIamConfig {
  /** Signing region; IAM is global, so any commercial region works. Default us-east-1. */
  region?: string;
  /** Only for tests, VPC endpoints or FIPS: the IAM endpoint URL. Default: the SDK's endpoint for the region. */
  endpoint?: string;
  /** The IAM path that marks users as managed by the bridge. Default `/scim-bridge/`. */
  path?: string;
  /** The IAM path of managed groups. Default: `path`. */
  groupPath?: string;
  /** A managed policy ARN set as the permissions boundary of every user the bridge creates. */
  permissionsBoundaryArn?: string;
  /** Static keys (resolve them from env or a file). Without them the SDK's default chain is used. */
  credentials?: StaticCredentials;
  /** Per-request socket timeout in milliseconds. Default 30000. */
  requestTimeoutMs?: number;
}

export interface ResolvedAwsIamConfig {
  region: string;
  endpoint?: string;
  path: string;
  groupPath: string;
  permissionsBoundaryArn?: string;
  credentials?: StaticCredentials;
  requestTimeoutMs: number;
}

export const DEFAULT_PATH = '/scim-bridge/';

export function resolveConfig(config: AwsIamConfig): ResolvedAwsIamConfig {
  const path = config.path ?? DEFAULT_PATH;
  return {
    region: config.region ?? 'us-east-1',
    endpoint: config.endpoint,
    path,
    groupPath: config.groupPath ?? path,
    permissionsBoundaryArn: config.permissionsBoundaryArn,
    credentials: config.credentials,
    requestTimeoutMs: config.requestTimeoutMs ?? 30_000,
  };
}

const iamPath = { type: 'string', pattern: IAM_PATH_PATTERN, maxLength: 512, nullable: true } as const;

export const awsIamConfigSchema: JSONSchemaType<AwsIamConfig> = {
  type: 'object',
  additionalProperties: false,
  properties: {
    region: { type: 'string', pattern: '^[a-z]{2}(-[a-z]+)+-\\d$', nullable: true },
    endpoint: { type: 'string', pattern: '^https?://', nullable: true },
    path: iamPath,
    groupPath: iamPath,
    permissionsBoundaryArn: { type: 'string', pattern: '^arn:aws[a-z-]*:iam::(\\d{12}|aws):policy/', nullable: true },
    credentials: {
      type: 'object',
      additionalProperties: false,
      required: ['accessKeyId', 'secretAccessKey'],
      properties: {
        accessKeyId: { type: 'string', minLength: 16, maxLength: 128 },
        secretAccessKey: { type: 'string', minLength: 1 },
        sessionToken: { type: 'string', minLength: 1, nullable: true },
      },
      nullable: true,
    },
    requestTimeoutMs: { type: 'integer', minimum: 1000, maximum: 300_000, nullable: true },
  },
};

/** IAM paths nest: a user at /scim-bridge/contractors/ is inside /scim-bridge/. */
export function isUnderPath(path: string | undefined, managedPath: string): boolean {
  return path !== undefined && path.startsWith(managedPath);
}
