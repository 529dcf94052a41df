import type { JSONSchemaType } from 'ajv';

export interface BearerAuth {
  type: 'bearer';
  token: string;
}

/** OAuth 2.0 client credentials (RFC 6749 §4.4): the connector fetches and caches an access token. */
export interface ClientCredentialsAuth {
  type: 'oauth-client-credentials';
  tokenUrl: string;
  clientId: string;
  clientSecret: string;
  scope?: string;
}

export interface ScimConfig {
  /** The SCIM service root, e.g. https://app.example.com/scim/v2 (Users and Groups live under it). */
  baseUrl: string;
  auth: BearerAuth | ClientCredentialsAuth;
  /** `count` asked for when listing; servers may return fewer. */
  pageSize?: number;
  /** Per-request timeout. */
  timeoutMs?: number;
}

const bearerAuthSchema: JSONSchemaType<BearerAuth> = {
  type: 'object',
  properties: {
    type: { type: 'string', const: 'bearer' },
    token: { type: 'string', minLength: 8 },
  },
  required: ['type', 'token'],
  additionalProperties: false,
};

const clientCredentialsSchema: JSONSchemaType<ClientCredentialsAuth> = {
  type: 'object',
  properties: {
    type: { type: 'string', const: 'oauth-client-credentials' },
    tokenUrl: { type: 'string', format: 'uri', pattern: '^https?://' },
    clientId: { type: 'string', minLength: 1 },
    clientSecret: { type: 'string', minLength: 8 },
    scope: { type: 'string', nullable: true, minLength: 1 },
  },
  required: ['type', 'tokenUrl', 'clientId', 'clientSecret'],
  additionalProperties: false,
};

export const scimConfigSchema: JSONSchemaType<ScimConfig> = {
  type: 'object',
  properties: {
    baseUrl: { type: 'string', format: 'uri', pattern: '^https?://' },
    // `if/then` on `type` (rather than a bare oneOf) so a wrong field is reported against one auth method
    // only, at its own path, instead of as a failure of every branch.
    auth: {
      type: 'object',
      required: ['type'],
      properties: { type: { type: 'string', enum: ['bearer', 'oauth-client-credentials'] } },
      if: { properties: { type: { const: 'bearer' } } },
      then: bearerAuthSchema,
      else: clientCredentialsSchema,
    } as unknown as JSONSchemaType<ScimConfig['auth']>,
    pageSize: { type: 'integer', nullable: true, minimum: 1, maximum: 1000 },
    timeoutMs: { type: 'integer', nullable: true, minimum: 100, maximum: 300_000 },
  },
  required: ['baseUrl', 'auth'],
  additionalProperties: false,
};

/** Every secret in a config, for redaction. */
export function secretsOf(config: ScimConfig): string[] {
  return config.auth.type === 'bearer' ? [config.auth.token] : [config.auth.clientSecret];
}
