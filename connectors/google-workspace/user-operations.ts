import {
  ConflictError,
  NotFoundError,
  paginate,
  type Changes,
  type ConnectorLogger,
  type JsonValue,
  type ListOptions,
  type OpContext,
  type Outcome,
  type RemoteRef,
  type RemoteUser,
  type TargetUser,
  type UserOperations,
} from '../sdk';
import type { DirectoryClient } from './directory-client';
import type { GoogleUser } from './google-types';
import { needsCurrentUser, scimIdOf, text, toRemoteUser, userInsertBody, userPatchBody, type ResolvedManager } from './mapping';
import { MAX_USER_PAGE, pageSize, type Settings } from './settings';

export class GoogleUserOperations implements UserOperations {
  constructor(
    private readonly client: DirectoryClient,
    private readonly settings: Settings,
    private readonly logger: ConnectorLogger,
  ) {}

  /** users.get resolves aliases too, so an account found under an old address correlates. */
  async find(key: string, ctx: OpContext): Promise<RemoteUser | undefined> {
    try {
      return toRemoteUser(await this.get(key, ctx));
    } catch (error) {
      if (error instanceof NotFoundError) return undefined;
      throw error;
    }
  }

  async create(user: TargetUser, ctx: OpContext): Promise<RemoteRef> {
    const body = userInsertBody(user, this.settings.userMapping, await this.resolveManager(user.attributes.manager, ctx));
    try {
      const created = await this.client.call(`users.insert ${user.key}`, ctx, (api, options) => api.users.insert({ requestBody: body }, options));
      return { id: created.id ?? '', key: created.primaryEmail ?? user.key };
    } catch (error) {
      if (error instanceof ConflictError) throw new ConflictError(error.message, await this.find(user.key, ctx));
      throw error;
    }
  }

  async update(ref: RemoteRef, changes: Changes, ctx: OpContext): Promise<Outcome> {
    const current = needsCurrentUser(changes) ? await this.get(ref.id, ctx) : undefined;
    const manager = 'manager' in changes.attributes ? await this.resolveManager(changes.attributes.manager, ctx) : undefined;
    const body = userPatchBody(changes, this.settings.userMapping, current, manager);
    if (Object.keys(body).length === 0) return 'noop';
    await this.patch(ref, body, ctx);
    return 'applied';
  }

  disable(ref: RemoteRef, ctx: OpContext): Promise<Outcome> {
    return this.setSuspended(ref, true, ctx);
  }

  enable(ref: RemoteRef, ctx: OpContext): Promise<Outcome> {
    return this.setSuspended(ref, false, ctx);
  }

  async delete(ref: RemoteRef, ctx: OpContext): Promise<Outcome> {
    try {
      await this.client.call(`users.delete ${ref.key}`, ctx, (api, options) => api.users.delete({ userKey: ref.id }, options));
      return 'applied';
    } catch (error) {
      if (error instanceof NotFoundError) return 'noop';
      throw error;
    }
  }

  list(options: ListOptions, ctx: OpContext): AsyncIterable<RemoteUser> {
    const maxResults = pageSize(options.pageSize, MAX_USER_PAGE);
    return paginate(async (pageToken) => {
      const page = await this.client.call('users.list', ctx, (api, callOptions) =>
        api.users.list({ ...this.settings.listScope, maxResults, pageToken, orderBy: 'email' }, callOptions),
      );
      return { items: ((page.users ?? []) as GoogleUser[]).map(toRemoteUser), next: page.nextPageToken ?? undefined };
    }, ctx.signal);
  }

  private async setSuspended(ref: RemoteRef, suspended: boolean, ctx: OpContext): Promise<Outcome> {
    const current = await this.get(ref.id, ctx);
    if ((current.suspended === true) === suspended) return 'noop';
    await this.patch(ref, { suspended }, ctx);
    return 'applied';
  }

  private async get(userKey: string, ctx: OpContext): Promise<GoogleUser> {
    return (await this.client.call(`users.get ${userKey}`, ctx, (api, options) => api.users.get({ userKey }, options))) as GoogleUser;
  }

  /**
   * Google refuses to rename an account onto one of its own aliases (409, like any taken address). The
   * IdP's userName wins: the alias is removed and the rename repeated, and Google keeps the old primary
   * address as an alias. A retry after a crash between the two finds the address free.
   */
  private async patch(ref: RemoteRef, body: GoogleUser, ctx: OpContext): Promise<void> {
    try {
      await this.patchOnce(ref, body, ctx);
    } catch (error) {
      if (!(error instanceof ConflictError) || !body.primaryEmail || !(await this.releaseOwnAlias(ref, body.primaryEmail, ctx))) throw error;
      await this.patchOnce(ref, body, ctx);
    }
  }

  private async patchOnce(ref: RemoteRef, body: GoogleUser, ctx: OpContext): Promise<void> {
    await this.client.call(`users.patch ${ref.key}`, ctx, (api, options) => api.users.patch({ userKey: ref.id, requestBody: body }, options));
  }

  /** Removes `address` from the account's aliases; false when it is not one of them (someone else holds it). */
  private async releaseOwnAlias(ref: RemoteRef, address: string, ctx: OpContext): Promise<boolean> {
    const alias = address.toLowerCase();
    const current = await this.get(ref.id, ctx);
    if (!(current.aliases ?? []).some((held) => held.toLowerCase() === alias)) return false;
    try {
      await this.client.call(`users.aliases.delete ${ref.key}`, ctx, (api, options) => api.users.aliases.delete({ userKey: ref.id, alias }, options));
    } catch (error) {
      if (!(error instanceof NotFoundError)) throw error;
    }
    return true;
  }

  /**
   * Google relations hold the manager's address; the mapping gives the manager's SCIM id, which the
   * bridge stored in the manager's externalIds. A manager not provisioned here is left out, with a
   * warning; the account then lists without a manager, so reconciliation reports the gap until a
   * delivery after the manager's creation fills it.
   */
  private async resolveManager(value: JsonValue | undefined, ctx: OpContext): Promise<ResolvedManager | undefined> {
    const manager = text(value);
    if (manager === undefined) return undefined;
    if (manager.includes('@')) return { email: manager };
    const found = /^[^'\\]+$/.test(manager) ? await this.findByScimId(manager, ctx) : undefined;
    if (!found?.primaryEmail) {
      this.logger.warn('manager is not provisioned in Google Workspace; manager relation left out', { managerScimId: manager });
      return undefined;
    }
    return { email: found.primaryEmail, scimId: manager };
  }

  private async findByScimId(scimId: string, ctx: OpContext): Promise<GoogleUser | undefined> {
    const page = await this.client.call('users.list', ctx, (api, options) =>
      api.users.list({ ...this.settings.listScope, query: `externalId='${scimId}'`, maxResults: 10 }, options),
    );
    return ((page.users ?? []) as GoogleUser[]).find((user) => scimIdOf(user) === scimId);
  }
}
