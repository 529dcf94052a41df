import { isDeepStrictEqual } from 'node:util';
import SCIMMY from 'scimmy';
import type { ListQuery, StoredResource } from '../store/resource-query';
import type { UserResource } from '../store/users';
import type { ScimContext } from './context';
import { asInvalidValue, scimFailure } from './errors';
import { guarded, guardedAsync, requireContext, retryOnConcurrentChange } from './handler-guard';
import { ifMatchGuard } from './etag';
import { listQueryOf } from './list-query';
import { ENTERPRISE_USER, isPlainObject } from './normalize';
import { IDENTITY_SCHEMA_ID, identityProblem, keepStoredIdentity } from '../lifecycle/identity';
import { implementedSchemasOnly, refuseNullItems, refuseReadOnly, requireObjectExtensions, requireSchemas, singlePrimary, withoutRepeatedValues } from './resource-rules';
import { applyPatch, caseInsensitiveValueFilters, patchWithoutPasswords, requirePatchOp, retargetUnmatchedTypeFilters } from './patch-ops';
import { listResponse, omitsAttribute, project, resourceOut, type ListBody } from './resource-output';

type Json = Record<string, unknown>;

const USER_SCHEMAS = [SCIMMY.Schemas.User.definition.id, ENTERPRISE_USER, IDENTITY_SCHEMA_ID];

/** The SCIM User; `groups` (read-only, from memberships) is looked up unless left out or known empty. */
export function userOut(stored: StoredResource, ctx: ScimContext, withGroups = true): Json {
  const groups = withGroups
    ? ctx.store.users.groupsOf(stored.id).map((group) => ({ ...group, $ref: `${ctx.basepath}/Groups/${group.value}`, type: 'direct' }))
    : [];
  return resourceOut(stored, 'User', `${ctx.basepath}/Users`, groups.length ? { groups } : undefined);
}

/**
 * A user as answered. One stored without `active` is active (it is provisioned as such and matches
 * `active eq true`), so the answer says so instead of leaving the attribute out.
 */
export function projectedUser(stored: StoredResource, ctx: ScimContext, attributes: SCIMMY.Types.Filter | undefined, withGroups = true): Json {
  const user = userOut(stored, ctx, withGroups && !omitsAttribute(attributes, 'groups'));
  return project(user.active === undefined ? { ...user, active: true } : user, attributes);
}

/** A page of users straight from SQL (shared by GET /Users, POST /Users/.search and root /.search). */
export function listUsers(ctx: ScimContext, query: ListQuery, attributes?: SCIMMY.Types.Filter): ListBody {
  const page = ctx.store.users.list(query);
  return listResponse(page, query, page.items.map((stored) => projectedUser(stored, ctx, attributes)));
}

/**
 * /Users backed by the SQLite store. Overrides scimmy's read/write/patch/dispose so lists page in SQL,
 * each write is atomic and acknowledged only after commit (store.batched), and every failure reaches
 * the client as the right SCIMError.
 */
export class ScimUsers extends SCIMMY.Resources.User {
  override async read<T = unknown>(ctx?: T): Promise<any> {
    const context = requireContext(ctx);
    return guarded(context, () => {
      if (!this.id) return listUsers(context, listQueryOf(this, context.maxResults, context.filter), this.attributes);
      return this.answer(this.load(context), context);
    });
  }

  override async write<T = unknown>(instance: unknown, ctx?: T): Promise<any> {
    const context = requireContext(ctx);
    return guardedAsync(context, async () => {
      const { resource, passwordReceived } = validUser(instance, Boolean(this.id));
      const { users } = context.store;
      const id = this.id;
      const stored = await context.store.batched(() =>
        id
          ? users.replace(id, keepStoredIdentity(resource, users.get(id)?.resource), context.change, { precondition: ifMatchGuard(context.ifMatch) }, { passwordReceived })
          : users.create(resource, context.change, { passwordReceived }),
      );
      const out = this.answer(stored, context, Boolean(id));
      if (!id) context.onCreated(`${context.basepath}/Users/${stored.id}`);
      return out;
    });
  }

  /**
   * Read, patch in memory, write guarded by the version read. PATCHes of one user take turns (a
   * burst to one id would otherwise keep losing races); a write that still lost one starts over.
   */
  override async patch<T = unknown>(message: any, ctx?: T): Promise<any> {
    const context = requireContext(ctx);
    return guardedAsync(context, async () => {
      const { operations, passwordReceived } = patchWithoutPasswords(requirePatchOp(message));
      refuseReadOnly(operations, ['groups', 'meta']);
      return context.locks.run(`user:${this.id}`, () => retryOnConcurrentChange(async () => {
        const stored = this.load(context);
        const guard = { precondition: ifMatchGuard(context.ifMatch), expectedVersion: stored.version };
        const current = userOut(stored, context, false);
        const caseAware = caseInsensitiveValueFilters(operations, current, SCIMMY.Schemas.User.definition);
        const patched = operations.length
          ? await applyPatch(retargetUnmatchedTypeFilters(caseAware, current), new SCIMMY.Schemas.User(current, 'out'))
          : undefined;
        const { users } = context.store;
        const resource = patched ? changedFrom(stored, validUser(patched, true).resource) : undefined;
        if (!resource && !passwordReceived) return this.answer(this.checked(stored, guard), context);
        const written = await context.store.batched(() =>
          resource
            ? users.replace(stored.id, resource, context.change, guard, { passwordReceived })
            : users.passwordReceived(stored.id, context.change, guard),
        );
        return this.answer(written, context);
      }));
    });
  }

  override async dispose<T = unknown>(ctx?: T): Promise<void> {
    const context = requireContext(ctx);
    await guardedAsync(context, async () => {
      const id = this.id;
      if (!id) throw scimFailure(404, null, 'DELETE must target a specific resource');
      await context.store.batched(() => context.store.users.delete(id, context.change, { precondition: ifMatchGuard(context.ifMatch) }));
    });
  }

  private load(context: ScimContext): StoredResource {
    const stored = this.id ? context.store.users.get(this.id) : undefined;
    if (!stored) throw scimFailure(404, null, `Resource ${this.id} not found`);
    return stored;
  }

  /** A no-op PATCH still honours If-Match; nothing is written, so no transaction is needed. */
  private checked(stored: StoredResource, guard: { precondition?: (version: number) => boolean }): StoredResource {
    if (guard.precondition && !guard.precondition(stored.version)) throw scimFailure(412, null, 'If-Match does not match the current version');
    return stored;
  }

  /** `withGroups` false for a user just created: it cannot be in a group yet. */
  private answer(stored: StoredResource, context: ScimContext, withGroups = true): Json {
    context.onVersion(stored.version);
    return projectedUser(stored, context, this.attributes, withGroups);
  }
}

/** RFC 7644 3.5.2: a PATCH that leaves the user as it was changes nothing (no write, same version). */
function changedFrom(stored: StoredResource, resource: UserResource): UserResource | undefined {
  return isDeepStrictEqual(resource, stored.resource) ? undefined : resource;
}

/**
 * Validates a User body through scimmy's schema and returns what is stored: no id, no meta, no
 * password (the value is dropped here and only the fact that one arrived is kept).
 */
function validUser(instance: unknown, replacing: boolean): { resource: UserResource; passwordReceived: boolean } {
  if (!isPlainObject(instance) && !(instance instanceof SCIMMY.Types.Schema)) {
    throw scimFailure(400, 'invalidSyntax', `${replacing ? 'PUT' : 'POST'} expects a single User object`);
  }
  if (isPlainObject(instance)) {
    requireSchemas(instance);
    requireObjectExtensions(instance, [ENTERPRISE_USER, IDENTITY_SCHEMA_ID]);
  }
  const validated = instance instanceof SCIMMY.Schemas.User ? instance : asInvalidValue(() => new SCIMMY.Schemas.User(instance, 'in'));
  const passwordReceived = !(instance instanceof SCIMMY.Types.Schema) && Object.keys(instance).some((key) => key.toLowerCase() === 'password');
  const { id: _id, meta: _meta, password: _password, groups: _groups, ...coerced } = (validated as unknown as { toJSON(): Json }).toJSON();
  // One pass through scimmy's toJSON hooks; the store, the ledger and the response then see plain JSON.
  const resource = JSON.parse(JSON.stringify(coerced)) as Json;
  if (typeof resource.userName !== 'string' || !resource.userName.trim()) throw scimFailure(400, 'invalidValue', 'userName must be a non-empty string');
  implementedSchemasOnly(resource, USER_SCHEMAS);
  refuseNullItems(resource);
  withoutRepeatedValues(resource);
  singlePrimary(resource);
  const identityRule = identityProblem(resource);
  if (identityRule) throw scimFailure(400, 'invalidValue', identityRule);
  return { resource: resource as UserResource, passwordReceived };
}
