import {
  ConflictError,
  type GroupOperations,
  type OpContext,
  type Outcome,
  paginateByIndex,
  type RemoteGroup,
  type RemoteRef,
} from '../sdk';
import type { ScimClient, ScimErrorBody } from './client';
import {
  filterString,
  newGroupBody,
  patchBody,
  patchOperations,
  toRemoteGroup,
  type ListResponse,
  type ScimGroup,
} from './resources';

export function scimGroups(client: ScimClient, pageSize: number): GroupOperations {
  const path = (ref: RemoteRef) => `/Groups/${encodeURIComponent(ref.id)}`;

  async function find(key: string, ctx: OpContext): Promise<RemoteGroup | undefined> {
    const { body } = await client.request<ListResponse<ScimGroup>>('GET', '/Groups', {
      query: { filter: `displayName eq ${filterString(key)}`, excludedAttributes: 'members', startIndex: 1, count: 1 },
      signal: ctx.signal,
    });
    const group = body.Resources?.[0];
    return group && toRemoteGroup(group);
  }

  /**
   * Asks whether `user` is a member without downloading the member list (groups can be huge). SCIM PATCH
   * `add` of an existing member succeeds silently, so this probe is what lets addMember report 'noop'.
   */
  async function isMember(group: RemoteRef, user: RemoteRef, ctx: OpContext): Promise<boolean> {
    const { status, body } = await client.request<ListResponse<ScimGroup> & ScimErrorBody>('GET', '/Groups', {
      query: { filter: `id eq ${filterString(group.id)} and members[value eq ${filterString(user.id)}]`, attributes: 'id', count: 1 },
      signal: ctx.signal,
      accept: [400],
    });
    if (status === 400 && body?.scimType !== 'invalidFilter') throw client.errorFor(status, body);
    // Servers without value-path filters: fall back to reading the member list.
    if (status === 400) return (await members(group, ctx)).some((member) => member.value === user.id);
    return body.totalResults > 0;
  }

  async function members(group: RemoteRef, ctx: OpContext): Promise<NonNullable<ScimGroup['members']>> {
    const { body } = await client.request<ScimGroup>('GET', path(group), { query: { attributes: 'members' }, signal: ctx.signal });
    return body.members ?? [];
  }

  return {
    find,
    async create(group, ctx) {
      const { status, body } = await client.request<ScimGroup>('POST', '/Groups', {
        body: newGroupBody(group.key, group.scimId, group.attributes),
        signal: ctx.signal,
        accept: [409],
      });
      if (status === 409) throw new ConflictError(`group ${group.key} already exists on the target`, await find(group.key, ctx));
      return { id: body.id, key: body.displayName };
    },
    async update(ref, changes, ctx) {
      const operations = patchOperations(changes, 'displayName');
      if (operations.length === 0) return 'noop';
      await client.request('PATCH', path(ref), { body: patchBody(operations), signal: ctx.signal });
      return 'applied';
    },
    async delete(ref, ctx) {
      const { status } = await client.request('DELETE', path(ref), { signal: ctx.signal, accept: [404] });
      return status === 404 ? 'noop' : 'applied';
    },
    // One PATCH op per membership change, never a rewrite of `members`: concurrent changes made by
    // others on the target survive, and a large group costs the same as a small one.
    async addMember(group, user, ctx): Promise<Outcome> {
      if (await isMember(group, user, ctx)) return 'noop';
      const operation = { op: 'add' as const, path: 'members', value: [{ value: user.id }] };
      await client.request('PATCH', path(group), { body: patchBody([operation]), signal: ctx.signal });
      return 'applied';
    },
    async removeMember(group, user, ctx): Promise<Outcome> {
      const operation = { op: 'remove' as const, path: `members[value eq ${filterString(user.id)}]` };
      const { status, body } = await client.request<ScimErrorBody>('PATCH', path(group), {
        body: patchBody([operation]),
        signal: ctx.signal,
        accept: [400, 404],
      });
      // RFC 7644 §3.5.2: a path that selects nothing is 400 noTarget, i.e. the user was not a member.
      if (status === 404 || (status === 400 && body?.scimType === 'noTarget')) return 'noop';
      if (status === 400) throw client.errorFor(status, body);
      return 'applied';
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
