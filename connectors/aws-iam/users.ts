import {
  CreateUserCommand,
  GetUserCommand,
  ListUsersCommand,
  TagUserCommand,
  UntagUserCommand,
  UpdateUserCommand,
  type Tag,
  type User,
} from '@aws-sdk/client-iam';
import type { Changes, ConnectorLogger, OpContext, Outcome, RemoteRef, RemoteUser, TargetUser, UserOperations } from '../sdk/contract';
import { ConflictError, NotFoundError, PermanentError, RetryableError } from '../sdk/errors';
import { isUnderPath, type ResolvedAwsIamConfig } from './config';
import type { IamApi } from './iam-api';
import { attributesFromTags, creationTags, SCIM_ID_TAG, SUSPENDED_TAG, tagChangesFor, tagValue, validIamName } from './mapping';
import { resumeUser, suspendUser } from './user-suspension';
import { deleteUser } from './user-cleanup';
import { tagsOf } from './user-credentials';

/**
 * IAM users under the managed path. Every IAM call addresses a user by name, so a RemoteRef's `key` is the
 * user name and its `id` IAM's stable UserId. Users outside the path are invisible: find() ignores them and
 * create() refuses to adopt them.
 */
export class IamUsers implements UserOperations {
  constructor(
    private readonly api: IamApi,
    private readonly config: ResolvedAwsIamConfig,
    private readonly logger: ConnectorLogger,
  ) {}

  async find(key: string, ctx: OpContext): Promise<RemoteUser | undefined> {
    const found = await this.api.sendOrUndefined(new GetUserCommand({ UserName: validIamName(key, 'user') }), ctx);
    const user = found?.User;
    if (!user || !isUnderPath(user.Path, this.config.path)) return undefined;
    return remoteUser(user, user.Tags ?? []);
  }

  async create(user: TargetUser, ctx: OpContext): Promise<RemoteRef> {
    const command = new CreateUserCommand({
      UserName: validIamName(user.key, 'user'),
      Path: this.config.path,
      Tags: creationTags(user.scimId, user.attributes, user.active),
      PermissionsBoundary: this.config.permissionsBoundaryArn,
    });
    try {
      const created = (await this.api.send(command, ctx)).User;
      return { id: created?.UserId ?? user.key, key: created?.UserName ?? user.key };
    } catch (error) {
      if (error instanceof ConflictError) throw await this.conflictFor(user.key, error, ctx);
      throw error;
    }
  }

  async update(ref: RemoteRef, changes: Changes, ctx: OpContext): Promise<Outcome> {
    let userName = ref.key;
    if (changes.key !== undefined && changes.key !== ref.key) userName = await this.rename(ref, validIamName(changes.key, 'user'), ctx);
    const tags = tagChangesFor(changes.attributes);
    if (changes.scimId !== undefined) tags.set.unshift({ Key: SCIM_ID_TAG, Value: changes.scimId });
    if (tags.set.length) await this.api.send(new TagUserCommand({ UserName: userName, Tags: tags.set }), ctx);
    if (tags.remove.length) await this.api.send(new UntagUserCommand({ UserName: userName, TagKeys: tags.remove }), ctx);
    return userName !== ref.key || tags.set.length || tags.remove.length ? 'applied' : 'noop';
  }

  disable(ref: RemoteRef, ctx: OpContext): Promise<Outcome> {
    return suspendUser(this.api, ref.key, ctx);
  }

  enable(ref: RemoteRef, ctx: OpContext): Promise<Outcome> {
    return resumeUser(this.api, ref.key, ctx);
  }

  delete(ref: RemoteRef, ctx: OpContext): Promise<Outcome> {
    return deleteUser(this.api, { userName: ref.key, managedPath: this.config.path, logger: this.logger }, ctx);
  }

  async *list(options: { pageSize?: number }, ctx: OpContext): AsyncIterable<RemoteUser> {
    const users = this.api.paginate(async (Marker) => {
      const page = await this.api.send(new ListUsersCommand({ PathPrefix: this.config.path, Marker, MaxItems: options.pageSize }), ctx);
      return { ...page, items: page.Users ?? [] };
    }, ctx);
    for await (const user of users) {
      // ListUsers omits tags, so listing costs one ListUserTags per user.
      yield remoteUser(user, await tagsOf(this.api, user.UserName ?? '', ctx));
    }
  }

  /** EntityAlreadyExists: hand the engine the existing managed user, or refuse a user outside the path. */
  private async conflictFor(userName: string, cause: ConflictError, ctx: OpContext): Promise<Error> {
    const found = (await this.api.sendOrUndefined(new GetUserCommand({ UserName: userName }), ctx))?.User;
    if (!found) return new RetryableError(`IAM user ${userName} existed a moment ago and is gone now`, { cause });
    if (!isUnderPath(found.Path, this.config.path)) {
      return new PermanentError(`IAM user ${userName} already exists at path ${found.Path}, outside the managed path ${this.config.path}; the bridge never adopts unmanaged users`);
    }
    return new ConflictError(`IAM user ${userName} already exists`, remoteUser(found, found.Tags ?? []), { cause });
  }

  /** UpdateUser NewUserName; after a crash between rename and link update, the new name already holds our user. */
  private async rename(ref: RemoteRef, newName: string, ctx: OpContext): Promise<string> {
    try {
      await this.api.send(new UpdateUserCommand({ UserName: ref.key, NewUserName: newName }), ctx);
      return newName;
    } catch (error) {
      if (error instanceof ConflictError) throw new PermanentError(`cannot rename IAM user ${ref.key} to ${newName}: that name is taken`, { cause: error });
      if (!(error instanceof NotFoundError)) throw error;
      const renamed = await this.find(newName, ctx);
      if (renamed?.id === ref.id) return newName;
      throw error;
    }
  }
}

function remoteUser(user: User, tags: readonly Tag[]): RemoteUser {
  return {
    id: user.UserId ?? '',
    key: user.UserName ?? '',
    active: !tags.some((tag) => tag.Key === SUSPENDED_TAG),
    attributes: attributesFromTags(tags),
    scimId: tagValue(tags, SCIM_ID_TAG),
  };
}
