import SCIMMY from 'scimmy';
import type { GroupResource } from '../store/groups';
import type { ListQuery, StoredResource } from '../store/resource-query';
import type { ScimContext } from './context';
import { asInvalidValue, scimFailure } from './errors';
import { ifMatchGuard } from './etag';
import { listQueryOf } from './list-query';
import { memberIds, refuseNestedGroups, splitMemberOperations } from './member-operations';
import { isPlainObject } from './normalize';
import { implementedSchemasOnly, refuseReadOnly, requireSchemas } from './resource-rules';
import { applyPatch, requirePatchOp, type PatchOperation } from './patch-ops';
import { listResponse, omitsAttribute, project, resourceOut, type ListBody } from './resource-output';
import { guarded, guardedAsync, requireContext, retryOnConcurrentChange } from './handler-guard';

type Json = Record<string, unknown>;

/** The SCIM Group; members are loaded from memberships unless the attributes filter leaves them out. */
export function groupOut(stored: StoredResource, ctx: ScimContext, attributes?: SCIMMY.Types.Filter): Json {
  const members = omitsAttribute(attributes, 'members')
    ? undefined
    : ctx.store.groups.members(stored.id).map((member) => ({ ...member, type: 'User', $ref: `${ctx.basepath}/Users/${member.value}` }));
  const out = resourceOut(stored, 'Group', `${ctx.basepath}/Groups`, members?.length ? { members } : undefined);
  return project(out, attributes);
}

export function listGroups(ctx: ScimContext, query: ListQuery, attributes?: SCIMMY.Types.Filter): ListBody {
  const page = ctx.store.groups.list(query);
  return listResponse(page, query, page.items.map((stored) => groupOut(stored, ctx, attributes)));
}

/**
 * /Groups backed by the store. PATCH applies member add/remove as single membership rows and never
 * loads or rewrites the member list, so a 2,000-member group costs what the change costs.
 */
export class ScimGroups extends SCIMMY.Resources.Group {
  override async read<T = unknown>(ctx?: T): Promise<any> {
    const context = requireContext(ctx);
    return guarded(context, () => {
      if (!this.id) return listGroups(context, listQueryOf(this, context.maxResults, context.filter), this.attributes);
      return this.answer(this.load(context), context);
    });
  }

  override async write<T = unknown>(instance: unknown, ctx?: T): Promise<any> {
    const context = requireContext(ctx);
    return guardedAsync(context, async () => {
      const { resource, members } = validGroup(instance, Boolean(this.id));
      const { groups } = context.store;
      const id = this.id;
      const stored = await context.store.batched(() =>
        id
          ? groups.update(id, resource, { replaceAll: members }, context.change, { precondition: ifMatchGuard(context.ifMatch) })
          : groups.create(resource, members, context.change),
      );
      if (!id) context.onCreated(`${context.basepath}/Groups/${stored.id}`);
      return this.answer(stored, context);
    });
  }

  /**
   * Member changes need no read (adds and removes commute, so concurrent member PATCHes never
   * conflict); other operations patch the body read, guarded by its version. Answers 204 with the
   * new ETag unless attributes are asked for: returning the group would mean reading every member back.
   */
  override async patch<T = unknown>(message: any, ctx?: T): Promise<any> {
    const context = requireContext(ctx);
    return guardedAsync(context, async () => {
      const operations = requirePatchOp(message);
      refuseReadOnly(operations, ['meta']);
      const { members, others } = splitMemberOperations(operations);
      const write = () =>
        retryOnConcurrentChange(async () => {
          const stored = this.load(context);
          const resource = others.length ? await patchedBody(stored, others, context) : undefined;
          const guard = { precondition: ifMatchGuard(context.ifMatch), expectedVersion: resource ? stored.version : undefined };
          return context.store.batched(() => context.store.groups.update(stored.id, resource, members, context.change, guard));
        });
      const written = others.length ? await context.locks.run(`group:${this.id}`, write) : await write();
      // RFC 7644 3.5.2: with attributes or excludedAttributes the server MUST answer 200 and the resource.
      if (this.attributes) return this.answer(written, context);
      context.onVersion(written.version);
      return undefined;
    });
  }

  override async dispose<T = unknown>(ctx?: T): Promise<void> {
    const context = requireContext(ctx);
    await guardedAsync(context, async () => {
      const id = this.id;
      if (!id) throw scimFailure(404, null, 'DELETE must target a specific resource');
      await context.store.batched(() => context.store.groups.delete(id, context.change, { precondition: ifMatchGuard(context.ifMatch) }));
    });
  }

  private load(context: ScimContext): StoredResource {
    const stored = this.id ? context.store.groups.get(this.id) : undefined;
    if (!stored) throw scimFailure(404, null, `Resource ${this.id} not found`);
    return stored;
  }

  private answer(stored: StoredResource, context: ScimContext): Json {
    context.onVersion(stored.version);
    return groupOut(stored, context, this.attributes);
  }
}

/** Applies the non-member operations to the group body (without members); undefined when unchanged. */
async function patchedBody(stored: StoredResource, operations: PatchOperation[], ctx: ScimContext): Promise<GroupResource | undefined> {
  const current = new SCIMMY.Schemas.Group(resourceOut(stored, 'Group', `${ctx.basepath}/Groups`), 'out');
  const patched = await applyPatch(operations, current);
  if (!patched) return undefined;
  const { resource, members } = validGroup(patched, true);
  if (members.length) throw scimFailure(400, 'invalidPath', 'members must be changed through the members path');
  return resource;
}

function validGroup(instance: unknown, replacing: boolean): { resource: GroupResource; members: string[] } {
  if (!isPlainObject(instance) && !(instance instanceof SCIMMY.Types.Schema)) {
    throw scimFailure(400, 'invalidSyntax', `${replacing ? 'PUT' : 'POST'} expects a single Group object`);
  }
  if (isPlainObject(instance)) {
    requireSchemas(instance);
    refuseNestedGroups(instance.members);
  }
  const validated = instance instanceof SCIMMY.Schemas.Group ? instance : asInvalidValue(() => new SCIMMY.Schemas.Group(instance, 'in'));
  const { id: _id, meta: _meta, members, ...coerced } = (validated as unknown as { toJSON(): Json }).toJSON();
  const resource = JSON.parse(JSON.stringify(coerced)) as Json;
  if (typeof resource.displayName !== 'string' || !resource.displayName.trim()) {
    throw scimFailure(400, 'invalidValue', 'displayName must be a non-empty string');
  }
  implementedSchemasOnly(resource, [SCIMMY.Schemas.Group.definition.id]);
  return { resource: resource as GroupResource, members: members === undefined ? [] : memberIds(members, 0) };
}
