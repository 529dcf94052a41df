import {
  type Connector,
  type ConnectorDefinition,
  type ConnectorEnv,
  type GroupOperations,
  type ListOptions,
  type OpContext,
  type Page,
  paginate,
  type UserOperations,
} from '../sdk';
import { memoryConfigSchema, type MemoryConfig } from './config';
import { memoryDirectory, toRemoteGroup, toRemoteUser, type MemoryDirectory } from './directory';

/**
 * The reference connector: start here when writing a new one. It has every capability (groups, disable,
 * enable, delete), so it shows what each operation must return. Its target is an in-process directory
 * (./directory.ts) instead of an HTTP API, but it still reaches it one call per operation, so the engine's
 * coalescing, retries and rate limiting can be measured by counting calls.
 */
export const memory: ConnectorDefinition<MemoryConfig> = {
  kind: 'memory',
  displayName: 'In-memory directory (reference and tests)',
  configSchema: memoryConfigSchema,
  mapping: {
    user: {
      key: 'userName',
      attributes: {
        displayName: 'displayName',
        givenName: 'name.givenName',
        familyName: 'name.familyName',
        email: 'emails[type eq "work"].value',
      },
    },
    group: { attributes: { displayName: 'displayName' } },
  },
  // Creating the connector does no I/O: looking up (or creating) a named in-process directory is not I/O.
  create(config: MemoryConfig, env: ConnectorEnv): Connector {
    const directory = memoryDirectory(config.directory, { credential: config.token, file: config.file });
    const call = <T>(operation: Parameters<MemoryDirectory['call']>[0], ctx: OpContext, work: () => T) =>
      directory.call(operation, config.token, ctx.signal, work);
    const pageSize = (options: ListOptions) => options.pageSize ?? config.pageSize ?? 100;

    const users: UserOperations = {
      find: (key, ctx) => call('users.find', ctx, () => {
        const user = directory.findUser(key);
        return user && toRemoteUser(user);
      }),
      create: (user, ctx) => call('users.create', ctx, () => {
        const created = directory.createUser({ key: user.key, active: user.active, attributes: user.attributes, scimId: user.scimId });
        env.logger.debug('memory: user created', { directory: directory.name, id: created.id });
        return { id: created.id, key: created.key };
      }),
      update: (ref, changes, ctx) => call('users.update', ctx, () => directory.updateUser(ref.id, changes)),
      disable: (ref, ctx) => call('users.disable', ctx, () => directory.setActive(ref.id, false)),
      enable: (ref, ctx) => call('users.enable', ctx, () => directory.setActive(ref.id, true)),
      delete: (ref, ctx) => call('users.delete', ctx, () => directory.deleteUser(ref.id)),
      list: (options, ctx) =>
        byOffset(async (offset) => {
          const page = await call('users.list', ctx, () => directory.userPage(offset, pageSize(options)));
          return { items: page.items.map(toRemoteUser), next: page.next };
        }, ctx.signal),
    };

    const groups: GroupOperations = {
      find: (key, ctx) => call('groups.find', ctx, () => {
        const group = directory.findGroup(key);
        return group && toRemoteGroup(group);
      }),
      create: (group, ctx) => call('groups.create', ctx, () => {
        const created = directory.createGroup({ key: group.key, attributes: group.attributes, scimId: group.scimId });
        return { id: created.id, key: created.key };
      }),
      update: (ref, changes, ctx) => call('groups.update', ctx, () => directory.updateGroup(ref.id, changes)),
      delete: (ref, ctx) => call('groups.delete', ctx, () => directory.deleteGroup(ref.id)),
      addMember: (group, user, ctx) => call('groups.addMember', ctx, () => directory.addMember(group.id, user.id)),
      removeMember: (group, user, ctx) => call('groups.removeMember', ctx, () => directory.removeMember(group.id, user.id)),
      list: (options, ctx) =>
        byOffset(async (offset) => {
          const page = await call('groups.list', ctx, () => directory.groupPage(offset, pageSize(options)));
          return { items: page.items.map(toRemoteGroup), next: page.next };
        }, ctx.signal),
      listMembers: (group, options, ctx) =>
        byOffset(async (offset) => {
          const page = await call('groups.listMembers', ctx, () => directory.memberPage(group.id, offset, pageSize(options)));
          return { items: page.items.map(({ id, key }) => ({ id, key })), next: page.next };
        }, ctx.signal),
    };

    return {
      // check() never throws: a rejected credential becomes an unhealthy report the operator can read.
      async check(ctx) {
        try {
          const count = await call('check', ctx, () => directory.userCount());
          return { ok: true, message: `directory ${directory.name} reachable, ${count} users` };
        } catch (error) {
          return { ok: false, message: `directory ${directory.name}: ${(error as Error).message}` };
        }
      },
      users,
      groups,
    };
  },
};

/** One directory call per page, each starting at the offset the previous page ended at. */
function byOffset<T>(fetchPage: (offset: number) => Promise<Page<T, number>>, signal: AbortSignal): AsyncGenerator<T> {
  return paginate<T, number>((offset) => fetchPage(offset ?? 0), signal);
}

export { MemoryDirectory, memoryDirectory, type MemoryFault, type MemoryOperation, type DirectoryUser, type DirectoryGroup } from './directory';
export type { MemoryConfig } from './config';
