import type { Connector, ConnectorEnv, Health, OpContext } from '../sdk';
import type { GoogleWorkspaceConfig } from './config';
import { DirectoryClient } from './directory-client';
import { GoogleGroupOperations } from './group-operations';
import { resolveSettings, type Settings } from './settings';
import { GoogleUserOperations } from './user-operations';

export function createGoogleWorkspaceConnector(config: GoogleWorkspaceConfig, env: ConnectorEnv): Connector {
  const client = new DirectoryClient(config, env);
  const settings = resolveSettings(config);
  return {
    check: (ctx) => check(client, settings, config.adminEmail, ctx),
    users: new GoogleUserOperations(client, settings, env.logger),
    groups: new GoogleGroupOperations(client, settings),
  };
}

/** One read per scope: users, groups, and (when a group exists) members. Never throws. */
async function check(client: DirectoryClient, settings: Settings, adminEmail: string, ctx: OpContext): Promise<Health> {
  try {
    await client.call('users.list', ctx, (api, options) => api.users.list({ ...settings.listScope, maxResults: 1 }, options));
    const groups = await client.call('groups.list', ctx, (api, options) => api.groups.list({ ...settings.listScope, maxResults: 1 }, options));
    const firstGroup = groups.groups?.[0]?.id;
    if (firstGroup) {
      await client.call('members.list', ctx, (api, options) => api.members.list({ groupKey: firstGroup, maxResults: 1 }, options));
    }
    return { ok: true, message: `acting as ${adminEmail}: users, groups and members readable` };
  } catch (error) {
    return { ok: false, message: error instanceof Error ? error.message : 'unknown failure' };
  }
}
