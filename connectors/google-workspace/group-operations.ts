import {
  ConflictError,
  NotFoundError,
  paginate,
  type Changes,
  type GroupOperations,
  type ListOptions,
  type OpContext,
  type Outcome,
  type RemoteGroup,
  type RemoteRef,
  type TargetGroup,
} from '../sdk';
import type { DirectoryClient } from './directory-client';
import type { GoogleGroup, GoogleMember } from './google-types';
import { groupEmail, groupInsertBody, groupPatchBody, toRemoteGroup } from './mapping';
import { MAX_GROUP_PAGE, pageSize, type Settings } from './settings';

export class GoogleGroupOperations implements GroupOperations {
  constructor(
    private readonly client: DirectoryClient,
    private readonly settings: Settings,
  ) {}

  async find(key: string, ctx: OpContext): Promise<RemoteGroup | undefined> {
    const email = groupEmail(key, this.settings.groupDomain);
    try {
      const group = await this.client.call(`groups.get ${email}`, ctx, (api, options) => api.groups.get({ groupKey: email }, options));
      return toRemoteGroup(group as GoogleGroup);
    } catch (error) {
      if (error instanceof NotFoundError) return undefined;
      throw error;
    }
  }

  /** Called only for mappings with `create: true`; the engine links an existing group through find(). */
  async create(group: TargetGroup, ctx: OpContext): Promise<RemoteRef> {
    const body = groupInsertBody(group, this.settings.groupDomain);
    try {
      const created = await this.client.call(`groups.insert ${body.email}`, ctx, (api, options) => api.groups.insert({ requestBody: body }, options));
      return { id: created.id ?? '', key: created.email ?? body.email ?? group.key };
    } catch (error) {
      if (error instanceof ConflictError) throw new ConflictError(error.message, await this.find(group.key, ctx));
      throw error;
    }
  }

  async update(ref: RemoteRef, changes: Changes, ctx: OpContext): Promise<Outcome> {
    const body = groupPatchBody(changes, this.settings.groupDomain);
    if (Object.keys(body).length === 0) return 'noop';
    await this.client.call(`groups.patch ${ref.key}`, ctx, (api, options) => api.groups.patch({ groupKey: ref.id, requestBody: body }, options));
    return 'applied';
  }

  async delete(ref: RemoteRef, ctx: OpContext): Promise<Outcome> {
    return this.noopWhen(NotFoundError, () =>
      this.client.call(`groups.delete ${ref.key}`, ctx, (api, options) => api.groups.delete({ groupKey: ref.id }, options)),
    );
  }

  /** Google answers 409 "Member already exists." for a second insert. */
  async addMember(group: RemoteRef, user: RemoteRef, ctx: OpContext): Promise<Outcome> {
    return this.noopWhen(ConflictError, () =>
      this.client.call(`members.insert ${user.key} into ${group.key}`, ctx, (api, options) =>
        api.members.insert({ groupKey: group.id, requestBody: { email: user.key, role: 'MEMBER' } }, options),
      ),
    );
  }

  async removeMember(group: RemoteRef, user: RemoteRef, ctx: OpContext): Promise<Outcome> {
    return this.noopWhen(NotFoundError, () =>
      this.client.call(`members.delete ${user.key} from ${group.key}`, ctx, (api, options) =>
        api.members.delete({ groupKey: group.id, memberKey: user.id }, options),
      ),
    );
  }

  list(options: ListOptions, ctx: OpContext): AsyncIterable<RemoteGroup> {
    const maxResults = pageSize(options.pageSize, MAX_GROUP_PAGE);
    return paginate(async (pageToken) => {
      const page = await this.client.call('groups.list', ctx, (api, callOptions) =>
        api.groups.list({ ...this.settings.listScope, maxResults, pageToken }, callOptions),
      );
      return { items: ((page.groups ?? []) as GoogleGroup[]).map(toRemoteGroup), next: page.nextPageToken ?? undefined };
    }, ctx.signal);
  }

  /** Direct user members only: nested groups and customer-wide members are not the bridge's to manage. */
  listMembers(group: RemoteRef, options: ListOptions, ctx: OpContext): AsyncIterable<RemoteRef> {
    const maxResults = pageSize(options.pageSize, MAX_GROUP_PAGE);
    return paginate(async (pageToken) => {
      const page = await this.client.call(`members.list ${group.key}`, ctx, (api, callOptions) =>
        api.members.list({ groupKey: group.id, maxResults, pageToken }, callOptions),
      );
      const users = ((page.members ?? []) as GoogleMember[]).filter((member) => member.type === 'USER');
      return { items: users.map((member) => ({ id: member.id ?? '', key: member.email ?? '' })), next: page.nextPageToken ?? undefined };
    }, ctx.signal);
  }

  private async noopWhen(expected: typeof NotFoundError | typeof ConflictError, run: () => Promise<unknown>): Promise<Outcome> {
    try {
      await run();
      return 'applied';
    } catch (error) {
      if (error instanceof expected) return 'noop';
      throw error;
    }
  }
}
