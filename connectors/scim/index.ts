import type { Connector, ConnectorDefinition, ConnectorEnv, OpContext } from '../sdk';
import { createAuth } from './auth';
import { ScimClient } from './client';
import { scimConfigSchema, type ScimConfig } from './config';
import { scimGroups } from './groups';
import type { ListResponse, ScimUser } from './resources';
import { scimUsers } from './users';
import { SeenVersions } from './versions';

const DEFAULT_PAGE_SIZE = 100;

/** Outbound SCIM 2.0 (RFC 7643/7644): provisions into any application that accepts SCIM. */
export const scim: ConnectorDefinition<ScimConfig> = {
  kind: 'scim',
  displayName: 'SCIM 2.0 application',
  configSchema: scimConfigSchema,
  // Target fields are SCIM paths on the downstream app; by default the same paths as upstream.
  mapping: {
    user: {
      key: 'userName',
      attributes: {
        displayName: 'displayName',
        'name.givenName': 'name.givenName',
        'name.familyName': 'name.familyName',
        'emails[type eq "work"].value': 'emails[type eq "work"].value',
      },
    },
  },
  limits: { concurrency: 4 },
  create(config: ScimConfig, env: ConnectorEnv): Connector {
    const client = new ScimClient(config, env, createAuth(config, env));
    const pageSize = config.pageSize ?? DEFAULT_PAGE_SIZE;
    const versions = new SeenVersions();
    return {
      check: (ctx) => check(client, ctx),
      users: scimUsers(client, pageSize, versions),
      groups: scimGroups(client, pageSize, versions),
    };
  },
};

/** A read that needs valid credentials (ServiceProviderConfig is often public, so it proves nothing). */
async function check(client: ScimClient, ctx: OpContext) {
  try {
    const { body } = await client.request<ListResponse<ScimUser>>('GET', '/Users', { query: { count: 1, attributes: 'id' }, signal: ctx.signal });
    return { ok: true, message: `SCIM service reachable, ${body.totalResults} users visible` };
  } catch (error) {
    // The message comes from the classifier, which already removed the configured secrets.
    return { ok: false, message: `SCIM service check failed: ${(error as Error).message}` };
  }
}

export type { ScimConfig } from './config';
