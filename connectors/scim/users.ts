import {
  type Changes,
  ConflictError,
  type OpContext,
  type Outcome,
  paginateByIndex,
  type RemoteRef,
  type RemoteUser,
  type TargetUser,
  type UserOperations,
} from '../sdk';
import type { ScimClient } from './client';
import { filterString, newUserBody, patchOperations, toRemoteUser, type ListResponse, type ScimUser } from './resources';
import { patchResource, type SeenVersions } from './versions';

export function userPath(ref: { id: string }): string {
  return `/Users/${encodeURIComponent(ref.id)}`;
}

export function scimUsers(client: ScimClient, pageSize: number, versions: SeenVersions): UserOperations {
  const path = userPath;

  async function find(key: string, ctx: OpContext): Promise<RemoteUser | undefined> {
    const { body } = await client.request<ListResponse<ScimUser>>('GET', '/Users', {
      query: { filter: `userName eq ${filterString(key)}`, startIndex: 1, count: 1 },
      signal: ctx.signal,
    });
    const user = body.Resources?.[0];
    if (user) versions.remember(path(user), user);
    return user && toRemoteUser(user);
  }

  async function create(user: TargetUser, ctx: OpContext): Promise<RemoteRef> {
    const { status, body } = await client.request<ScimUser>('POST', '/Users', {
      body: newUserBody(user.key, user.scimId, user.active, user.attributes),
      signal: ctx.signal,
      accept: [409],
    });
    if (status === 409) throw new ConflictError(`user ${user.key} already exists on the target`, await find(user.key, ctx));
    versions.remember(path(body), body);
    return { id: body.id, key: body.userName };
  }

  async function update(ref: RemoteRef, changes: Changes, ctx: OpContext): Promise<Outcome> {
    const operations = patchOperations(changes, 'userName');
    if (operations.length === 0) return 'noop';
    return (await patchResource(client, versions, path(ref), operations, { ctx })).outcome;
  }

  /** One PATCH, idempotent on the target; 'noop' when the target's version of the user did not move. */
  async function setActive(ref: RemoteRef, active: boolean, ctx: OpContext): Promise<Outcome> {
    return (await patchResource(client, versions, path(ref), [{ op: 'replace', path: 'active', value: active }], { ctx })).outcome;
  }

  return {
    find,
    create,
    update,
    disable: (ref, ctx) => setActive(ref, false, ctx),
    enable: (ref, ctx) => setActive(ref, true, ctx),
    async delete(ref, ctx) {
      const { status } = await client.request('DELETE', path(ref), { signal: ctx.signal, accept: [404] });
      return status === 404 ? 'noop' : 'applied';
    },
    list: (options, ctx) =>
      paginateByIndex(async (startIndex, count) => {
        const { body } = await client.request<ListResponse<ScimUser>>('GET', '/Users', { query: { startIndex, count }, signal: ctx.signal });
        return { items: (body.Resources ?? []).map(toRemoteUser), total: body.totalResults };
      }, options.pageSize ?? pageSize, ctx.signal),
  };
}

