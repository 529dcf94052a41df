import type { JSONSchemaType } from 'ajv';

export const DEFAULT_API_URL = 'https://api.github.com';
export const DEFAULT_PAGE_SIZE = 100;

/** A personal access token (fine-grained or classic). Give it as `${env:GITHUB_TOKEN}`; it is never logged. */
export interface TokenAuth {
  type: 'token';
  token: string;
}

/** A GitHub App installed on the organization: the connector mints installation tokens itself. */
export interface AppAuth {
  type: 'app';
  appId: number;
  /** The app's PEM private key (`${file:/run/secrets/github-app.pem}`). */
  privateKey: string;
  installationId: number;
}

/** What a leaver becomes: removed from the organization, or kept as an outside collaborator on the repositories they had. */
export type LeaverAction = 'remove' | 'convert-to-outside-collaborator';

export interface GithubConfig {
  /** The organization login (`acme`), as in https://github.com/acme. */
  org: string;
  auth: TokenAuth | AppAuth;
  /** REST API root: https://api.github.com (default) or `https://<host>/api/v3` for GitHub Enterprise Server. */
  baseUrl?: string;
  /** Team slugs whose members get the `maintainer` team role; members of other teams get `member`. */
  maintainerTeams?: string[];
  /** Team slugs whose members are organization owners (`admin`); everyone else joins as `member`. */
  orgAdminTeams?: string[];
  /** Default `remove`. */
  leaverAction?: LeaverAction;
  /** per_page for listings (1–100, default 100). */
  pageSize?: number;
}

const SLUG = '^[a-z0-9][a-z0-9_-]*$';

const tokenAuthSchema = {
  properties: {
    type: { const: 'token' },
    token: { type: 'string', minLength: 8 },
  },
  required: ['token'],
  additionalProperties: false,
} as const;

const appAuthSchema = {
  properties: {
    type: { const: 'app' },
    appId: { type: 'integer', minimum: 1 },
    privateKey: { type: 'string', minLength: 64, pattern: '-----BEGIN [A-Z ]*PRIVATE KEY-----' },
    installationId: { type: 'integer', minimum: 1 },
  },
  required: ['appId', 'privateKey', 'installationId'],
  additionalProperties: false,
} as const;

export const githubConfigSchema: JSONSchemaType<GithubConfig> = {
  type: 'object',
  additionalProperties: false,
  required: ['org', 'auth'],
  properties: {
    // GitHub logins: alphanumerics and single hyphens, at most 39 characters.
    org: { type: 'string', pattern: '^[A-Za-z0-9](?:[A-Za-z0-9]|-(?=[A-Za-z0-9])){0,38}$' },
    auth: {
      type: 'object',
      required: ['type'],
      properties: {
        type: { type: 'string', enum: ['token', 'app'] },
      },
      // A discriminator instead of oneOf: an error then names the branch that applies (`/auth/token`).
      if: { properties: { type: { const: 'token' } } },
      then: tokenAuthSchema,
      else: appAuthSchema,
    } as unknown as JSONSchemaType<GithubConfig['auth']>,
    baseUrl: { type: 'string', nullable: true, format: 'uri', pattern: '^https?://' },
    maintainerTeams: { type: 'array', nullable: true, uniqueItems: true, items: { type: 'string', pattern: SLUG } },
    orgAdminTeams: { type: 'array', nullable: true, uniqueItems: true, items: { type: 'string', pattern: SLUG } },
    leaverAction: { type: 'string', nullable: true, enum: ['remove', 'convert-to-outside-collaborator'] },
    pageSize: { type: 'integer', nullable: true, minimum: 1, maximum: 100 },
  },
};

export function secretsOf(config: GithubConfig): string[] {
  return config.auth.type === 'token' ? [config.auth.token] : [config.auth.privateKey];
}
