import { ListGroupsCommand, ListUsersCommand } from '@aws-sdk/client-iam';
import type { Connector, ConnectorDefinition, ConnectorEnv, Health, OpContext } from '../sdk/contract';
import { awsIamConfigSchema, resolveConfig, type AwsIamConfig, type ResolvedAwsIamConfig } from './config';
import { IamGroups } from './groups';
import { IamApi } from './iam-api';
import { awsIamMapping } from './mapping';
import { IamUsers } from './users';

export const awsIam: ConnectorDefinition<AwsIamConfig> = {
  kind: 'aws-iam',
  displayName: 'AWS IAM',
  configSchema: awsIamConfigSchema,
  mapping: awsIamMapping,
  // IAM's control plane throttles per account (shared with every other IAM client); stay well below it.
  limits: { requestsPerSecond: 10, concurrency: 4 },
  create(config: AwsIamConfig, env: ConnectorEnv): Connector {
    const resolved = resolveConfig(config);
    const api = new IamApi(resolved);
    return {
      check: (ctx) => checkAccess(api, resolved, ctx),
      users: new IamUsers(api, resolved, env.logger),
      groups: new IamGroups(api, resolved),
      close: async () => api.close(),
    };
  },
};

/** Read-only: lists one user and one group under the managed paths, which proves credentials and list rights. */
async function checkAccess(api: IamApi, config: ResolvedAwsIamConfig, ctx: OpContext): Promise<Health> {
  try {
    await api.send(new ListUsersCommand({ PathPrefix: config.path, MaxItems: 1 }), ctx);
    await api.send(new ListGroupsCommand({ PathPrefix: config.groupPath, MaxItems: 1 }), ctx);
    return { ok: true, message: `IAM reachable; can list users under ${config.path} and groups under ${config.groupPath}` };
  } catch (error) {
    return { ok: false, message: (error as Error).message };
  }
}
