import {
  ConflictError,
  type ConnectorError,
  type GroupOperations,
  NotFoundError,
  type OpContext,
  type Outcome,
  paginateByIndex,
  type RemoteGroup,
  type RemoteRef,
} from '../sdk';
import type { ScimClient, ScimErrorBody } from './client';
import { filterString, newGroupBody, patchOperations, toRemoteGroup, type ListResponse, type ScimGroup } from './resources';
import { userPath } from './users';
import { patchResource, type SeenVersions } from './versions';

export function scimGroups(client: ScimClient, pageSize: number, versions: SeenVersions): GroupOperations {
  const path = (ref: { id: string }) => `/Groups/${encodeURIComponent(ref.id)}`;

  async function find(key: string, ctx: OpContext): Promise<RemoteGroup | undefined> {
    const { body } = await client.request<ListResponse<ScimGroup>>('GET', '/Groups', {
      query: { filter: `displayName eq ${filterString(key)}`, excludedAttributes: 'members', startIndex: 1, count: 1 },
      signal: ctx.signal,
    });
    const group = body.Resources?.[0];
    if (group) versions.remember(path(group), group);
    return group && toRemoteGroup(group);
  }

  /**
   * Why the target refused to add `user` (400): a member that does not exist is how most servers say the user
   * is gone, so one read on this error path tells NotFoundError (the engine re-creates the user) from bad data.
   */
  async function refusedMember(user: RemoteRef, status: number, body: ScimErrorBody | undefined, ctx: OpContext): Promise<ConnectorError> {
    const { status: userStatus } = await client.request('GET', userPath(user), { query: { attributes: 'id' }, signal: ctx.signal, accept: [404] });
    if (userStatus === 404) return new NotFoundError(`user ${user.key} no longer exists on the target`, { subject: 'user' });
    return client.errorFor(status, body);
  }

  async function members(group: RemoteRef, ctx: OpContext): Promise<NonNullable<ScimGroup['members']>> {
    const { body } = await client.request<ScimGroup>('GET', path(group), { query: { attributes: 'members' }, signal: ctx.signal });
    return body.members ?? [];
  }

  return {
    find,
    // displayName need not be unique on a SCIM server (RFC 7643 4.2), so a 409 alone cannot be relied on: a
    // create repeated after a crash, or under a renamed target, would make a second group of the same name.
    async create(group, ctx) {
      const existing = await find(group.key, ctx);
      if (existing) throw new ConflictError(`group ${group.key} already exists on the target`, existing);
      const { status, body } = await client.request<ScimGroup>('POST', '/Groups', {
        body: newGroupBody(group.key, group.scimId, group.attributes),
        signal: ctx.signal,
        accept: [409],
      });
      if (status === 409) throw new ConflictError(`group ${group.key} already exists on the target`, await find(group.key, ctx));
      versions.remember(path(body), body);
      return { id: body.id, key: body.displayName };
    },
    async update(ref, changes, ctx) {
      const operations = patchOperations(changes, 'displayName');
      if (operations.length === 0) return 'noop';
      return (await patchResource(client, versions, path(ref), operations, { ctx })).outcome;
    },
    async delete(ref, ctx) {
      const { status } = await client.request('DELETE', path(ref), { signal: ctx.signal, accept: [404] });
      return status === 404 ? 'noop' : 'applied';
    },
    // One PATCH op per membership change, never a rewrite of `members`: concurrent changes made by
    // others on the target survive, and a large group costs the same as a small one. Adding a member who
    // is already there is a success that changes nothing (RFC 7644 §3.5.2.1), so there is no probe first.
    async addMember(group, user, ctx): Promise<Outcome> {
      const operation = { op: 'add' as const, path: 'members', value: [{ value: user.id }] };
      const { status, body, outcome } = await patchResource(client, versions, path(group), [operation], { ctx, accept: [400, 404, 409] });
      if (status === 404) throw new NotFoundError(`group ${group.key} no longer exists on the target`, { subject: 'group' });
      // Servers that refuse a duplicate member answer 409.
      if (status === 409) return 'noop';
      if (status === 400) throw await refusedMember(user, status, body, ctx);
      return outcome;
    },
    async removeMember(group, user, ctx): Promise<Outcome> {
      const operation = { op: 'remove' as const, path: `members[value eq ${filterString(user.id)}]` };
      const { status, body, outcome } = await patchResource(client, versions, path(group), [operation], { ctx, accept: [400, 404] });
      // RFC 7644 §3.5.2: a path that selects nothing is 400 noTarget, i.e. the user was not a member.
      if (status === 404 || (status === 400 && body?.scimType === 'noTarget')) return 'noop';
      if (status === 400) throw client.errorFor(status, body);
      return outcome;
    },
    list: (options, ctx) =>
      paginateByIndex(async (startIndex, count) => {
        const { body } = await client.request<ListResponse<ScimGroup>>('GET', '/Groups', {
          query: { startIndex, count, excludedAttributes: 'members' },
          signal: ctx.signal,
        });
        return { items: (body.Resources ?? []).map(toRemoteGroup), total: body.totalResults };
      }, options.pageSize ?? pageSize, ctx.signal),
    async *listMembers(group, _options, ctx) {
      // SCIM has no paging inside a resource: members come in one response.
      for (const member of await members(group, ctx)) {
        ctx.signal.throwIfAborted();
        yield { id: member.value, key: member.display ?? member.value };
      }
    },
  };
}
