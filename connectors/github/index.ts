import type { Connector, ConnectorDefinition, ConnectorEnv, Health, OpContext } from '../sdk/contract';
import { ConfigError, isConnectorError } from '../sdk/errors';
import { GithubClient } from './client';
import { githubConfigSchema, type GithubConfig } from './config';
import { Invitations } from './invitations';
import { githubMapping, TeamRoles } from './mapping';
import { githubTeams } from './teams';
import { githubUsers } from './users';

/**
 * A GitHub organization: members and email invitations are the users, teams the groups. Limits are
 * conservative on purpose: GitHub's secondary limits allow about 80 content-creating requests a minute
 * and ask for serial requests, so one request a second, one at a time, stays under them (README).
 */
export const github: ConnectorDefinition<GithubConfig> = {
  kind: 'github',
  displayName: 'GitHub organization',
  configSchema: githubConfigSchema,
  mapping: githubMapping,
  limits: { requestsPerSecond: 1, concurrency: 1 },
  create(config: GithubConfig, env: ConnectorEnv): Connector {
    const client = new GithubClient(config, env);
    const invitations = new Invitations(client);
    const roles = new TeamRoles(config);
    return {
      check: (ctx) => check(client, ctx),
      users: githubUsers(client, invitations, roles, config.leaverAction ?? 'remove', env.logger),
      groups: githubTeams(client, invitations, roles),
    };
  },
};

/** Reads the organization and its pending invitations (which needs the Members permission). Never throws. */
async function check(client: GithubClient, ctx: OpContext): Promise<Health> {
  try {
    await client.call(ctx, (octokit, options) => octokit.rest.orgs.get({ org: client.org, ...options }));
    await client.call(ctx, (octokit, options) => octokit.rest.orgs.listPendingInvitations({ org: client.org, per_page: 1, ...options }));
    return { ok: true, message: `organization ${client.org} reachable; members and invitations readable` };
  } catch (error) {
    const reason = isConnectorError(error) ? error.message : 'unexpected error';
    const hint = error instanceof ConfigError ? ' (check the token or app installation and its Members permission)' : '';
    return { ok: false, message: `GitHub organization ${client.org}: ${reason}${hint}` };
  }
}
