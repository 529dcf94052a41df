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
import {
  filterString,
  newUserBody,
  patchBody,
  patchOperations,
  toRemoteUser,
  type ListResponse,
  type ScimUser,
} from './resources';

export function scimUsers(client: ScimClient, pageSize: number): UserOperations {
  const path = (ref: RemoteRef) => `/Users/${encodeURIComponent(ref.id)}`;

  async function find(key: string, ctx: OpContext): Promise<RemoteUser | undefined> {
    const { body } = await client.request<ListResponse<ScimUser>>('GET', '/Users', {
      query: { filter: `userName eq ${filterString(key)}`, startIndex: 1, count: 1 },
      signal: ctx.signal,
    });
    const user = body.Resources?.[0];
    return user && toRemoteUser(user);
  }

  async function create(user: TargetUser, ctx: OpContext): Promise<RemoteRef> {
    const { status, body } = await client.request<ScimUser>('POST', '/Users', {
      body: newUserBody(user.key, user.scimId, user.active, user.attributes),
      signal: ctx.signal,
      accept: [409],
    });
    if (status === 409) throw new ConflictError(`user ${user.key} already exists on the target`, await find(user.key, ctx));
    return { id: body.id, key: body.userName };
  }

  async function update(ref: RemoteRef, changes: Changes, ctx: OpContext): Promise<Outcome> {
    const operations = patchOperations(changes, 'userName');
    if (operations.length === 0) return 'noop';
    await client.request('PATCH', path(ref), { body: patchBody(operations), signal: ctx.signal });
    return 'applied';
  }

  /**
   * SCIM PATCH answers the same whether or not `active` changed, so the current state is read first:
   * that is what lets disable/enable report 'noop' (the ledger records it) at the cost of one GET.
   */
  async function setActive(ref: RemoteRef, active: boolean, ctx: OpContext): Promise<Outcome> {
    const { body: current } = await client.request<ScimUser>('GET', path(ref), { query: { attributes: 'active' }, signal: ctx.signal });
    if ((current.active !== false) === active) return 'noop';
    await client.request('PATCH', path(ref), { body: patchBody([{ op: 'replace', path: 'active', value: active }]), signal: ctx.signal });
    return 'applied';
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

