import {
  AddUserToGroupCommand,
  CreateGroupCommand,
  DeleteGroupCommand,
  GetGroupCommand,
  ListGroupsCommand,
  ListGroupsForUserCommand,
  RemoveUserFromGroupCommand,
  UpdateGroupCommand,
  type Group,
  type User,
} from '@aws-sdk/client-iam';
import type { Changes, GroupOperations, OpContext, Outcome, RemoteGroup, RemoteRef, TargetGroup } from '../sdk/contract';
import { ConflictError, PermanentError, RetryableError } from '../sdk/errors';
import { iamErrorCode } from './classify';
import { isUnderPath, type ResolvedAwsIamConfig } from './config';
import type { IamApi } from './iam-api';
import { validIamName } from './mapping';

/**
 * IAM groups under the managed group path. IAM groups carry no tags, so a group is correlated by name only.
 * Whether a group may be created is the target's group mapping's call (`create:`): the engine finds first
 * and calls create() only when the mapping allows it.
 */
export class IamGroups implements GroupOperations {
  constructor(
    private readonly api: IamApi,
    private readonly config: ResolvedAwsIamConfig,
  ) {}

  async find(key: string, ctx: OpContext): Promise<RemoteGroup | undefined> {
    const group = (await this.api.sendOrUndefined(new GetGroupCommand({ GroupName: validIamName(key, 'group'), MaxItems: 1 }), ctx))?.Group;
    return group && isUnderPath(group.Path, this.config.groupPath) ? remoteGroup(group) : undefined;
  }

  async create(group: TargetGroup, ctx: OpContext): Promise<RemoteRef> {
    const name = validIamName(group.key, 'group');
    try {
      const created = (await this.api.send(new CreateGroupCommand({ GroupName: name, Path: this.config.groupPath }), ctx)).Group;
      return { id: created?.GroupId ?? name, key: created?.GroupName ?? name };
    } catch (error) {
      if (error instanceof ConflictError) throw await this.conflictFor(name, error, ctx);
      throw error;
    }
  }

  /** Renames only: IAM groups have no attributes the bridge maps. */
  async update(ref: RemoteRef, changes: Changes, ctx: OpContext): Promise<Outcome> {
    if (changes.key === undefined || changes.key === ref.key) return 'noop';
    const NewGroupName = validIamName(changes.key, 'group');
    await this.api.send(new UpdateGroupCommand({ GroupName: ref.key, NewGroupName }), ctx);
    return 'applied';
  }

  /** Removes the managed members, then the group. Policies or unmanaged members still attached: permanent, an admin decides. */
  async delete(ref: RemoteRef, ctx: OpContext): Promise<Outcome> {
    const group = (await this.api.sendOrUndefined(new GetGroupCommand({ GroupName: ref.key, MaxItems: 1 }), ctx))?.Group;
    if (!group) return 'noop';
    if (!isUnderPath(group.Path, this.config.groupPath)) {
      throw new PermanentError(`refusing to delete IAM group ${ref.key}: its path ${group.Path} is outside the managed path ${this.config.groupPath}`);
    }
    for await (const member of this.listMembers(ref, {}, ctx)) await this.removeMember(ref, member, ctx);
    try {
      return (await this.api.sendOrUndefined(new DeleteGroupCommand({ GroupName: ref.key }), ctx)) ? 'applied' : 'noop';
    } catch (error) {
      if (iamErrorCode((error as Error).cause) !== 'DeleteConflict') throw error;
      throw new PermanentError(`IAM group ${ref.key} still has policies or unmanaged members; detach them, then retry the delivery`, { cause: error });
    }
  }

  /** IAM's AddUserToGroup succeeds silently for a member, so the user's groups (at most 10) are read first to tell 'noop'. */
  async addMember(group: RemoteRef, user: RemoteRef, ctx: OpContext): Promise<Outcome> {
    const groups = await this.api.all(async (Marker) => {
      const page = await this.api.send(new ListGroupsForUserCommand({ UserName: user.key, Marker }), ctx);
      return { ...page, items: page.Groups ?? [] };
    }, ctx);
    if (groups.some((candidate) => candidate.GroupName === group.key)) return 'noop';
    await this.api.send(new AddUserToGroupCommand({ GroupName: group.key, UserName: user.key }), ctx);
    return 'applied';
  }

  async removeMember(group: RemoteRef, user: RemoteRef, ctx: OpContext): Promise<Outcome> {
    const removed = await this.api.sendOrUndefined(new RemoveUserFromGroupCommand({ GroupName: group.key, UserName: user.key }), ctx);
    return removed ? 'applied' : 'noop';
  }

  list(options: { pageSize?: number }, ctx: OpContext): AsyncIterable<RemoteGroup> {
    return mapAsync(this.api.paginate(async (Marker) => {
      const page = await this.api.send(new ListGroupsCommand({ PathPrefix: this.config.groupPath, Marker, MaxItems: options.pageSize }), ctx);
      return { ...page, items: page.Groups ?? [] };
    }, ctx), remoteGroup);
  }

  /** Members that are managed users; users outside the path are never reported, so never removed. */
  async *listMembers(group: RemoteRef, options: { pageSize?: number }, ctx: OpContext): AsyncIterable<RemoteRef> {
    const members = this.api.paginate(async (Marker) => {
      const page = await this.api.send(new GetGroupCommand({ GroupName: group.key, Marker, MaxItems: options.pageSize }), ctx);
      return { ...page, items: page.Users ?? [] };
    }, ctx);
    for await (const user of members) {
      if (isUnderPath(user.Path, this.config.path)) yield userRef(user);
    }
  }

  private async conflictFor(name: string, cause: ConflictError, ctx: OpContext): Promise<Error> {
    const found = (await this.api.sendOrUndefined(new GetGroupCommand({ GroupName: name, MaxItems: 1 }), ctx))?.Group;
    if (!found) return new RetryableError(`IAM group ${name} existed a moment ago and is gone now`, { cause });
    if (!isUnderPath(found.Path, this.config.groupPath)) {
      return new PermanentError(`IAM group ${name} already exists at path ${found.Path}, outside the managed path ${this.config.groupPath}`);
    }
    return new ConflictError(`IAM group ${name} already exists`, remoteGroup(found), { cause });
  }
}

function remoteGroup(group: Group): RemoteGroup {
  return { id: group.GroupId ?? '', key: group.GroupName ?? '', attributes: {} };
}

function userRef(user: User): RemoteRef {
  return { id: user.UserId ?? '', key: user.UserName ?? '' };
}

async function* mapAsync<T, U>(items: AsyncIterable<T>, map: (item: T) => U): AsyncGenerator<U> {
  for await (const item of items) yield map(item);
}
