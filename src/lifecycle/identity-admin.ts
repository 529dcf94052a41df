import type { ChangeContext, Store } from '../store';
import type { UserResource } from '../store/users';
import { IDENTITY_SCHEMA_ID, identityOf, identityProblem, type IdentityExtension } from './identity';
import { findPerson, unavailability, type Person } from './people';

/** A change to an identity the bridge refuses; answered with this status and message. */
export class IdentityError extends Error {
  constructor(message: string, readonly status: 400 | 404 | 409 = 400) {
    super(message);
  }
}

/** Fields to set; null removes a field. */
export type IdentityChanges = { [K in keyof IdentityExtension]?: string | null };

export interface IdentityView {
  id: string;
  userName: string;
  active: boolean;
  identity: IdentityExtension | null;
  /** userNames of the owner and sponsor, which are stored as user ids. */
  names: { owner?: string; sponsor?: string };
}

/**
 * The identity-lifecycle extension through the admin API (and `scim-bridge identity`). The same
 * rules as SCIM, plus what only an operator can be asked for: the owner and sponsor must be active
 * users now (an IdP may provision a service account before its owner, so SCIM only reports an unknown
 * owner in hygiene). Owner and sponsor are stored as user ids so a userName change does not orphan them.
 */
export class IdentityAdmin {
  constructor(private readonly store: Store) {}

  show(key: string): IdentityView {
    return this.view(this.liveUser(key));
  }

  update(ctx: ChangeContext, key: string, changes: IdentityChanges): IdentityView {
    return this.store.transaction(() => {
      const user = this.liveUser(key);
      const stored = this.store.users.get(user.id)!;
      const identity = this.merged(identityOf(stored.resource) ?? {}, changes, user);
      const resource = withIdentity(stored.resource as UserResource, identity);
      this.store.users.replace(user.id, resource, ctx, { expectedVersion: stored.version });
      return this.view(this.liveUser(user.id));
    });
  }

  private merged(current: IdentityExtension, changes: IdentityChanges, user: Person): IdentityExtension {
    const next: Record<string, string> = { ...(current as Record<string, string>) };
    for (const [field, value] of Object.entries(changes)) {
      if (value === null || value === undefined) delete next[field];
      else next[field] = this.canonical(field as keyof IdentityExtension, value, user);
    }
    const problem = identityProblem({ [IDENTITY_SCHEMA_ID]: next });
    if (problem) throw new IdentityError(problem);
    return next;
  }

  private canonical(field: keyof IdentityExtension, value: string, user: Person): string {
    if (field === 'identityType') return value.toLowerCase();
    if (field === 'expiresAt') return new Date(value).toISOString();
    if (field !== 'owner' && field !== 'sponsor') return value;
    const person = findPerson(this.store.db, value);
    if (!person) throw new IdentityError(`${field} '${value}' is not a known user`);
    if (person.id === user.id) throw new IdentityError(`an identity cannot be its own ${field}`);
    const problem = unavailability(person, this.store.now());
    if (problem) throw new IdentityError(`${field} '${person.userName}' ${problem}`, 409);
    return person.id;
  }

  private liveUser(key: string): Person {
    const user = findPerson(this.store.db, key);
    if (!user || user.deleted) throw new IdentityError(`user '${key}' not found`, 404);
    return user;
  }

  private view(user: Person): IdentityView {
    const identity = user.identity ?? null;
    const names: IdentityView['names'] = {};
    for (const role of ['owner', 'sponsor'] as const) {
      const person = identity?.[role] ? findPerson(this.store.db, identity[role]!) : undefined;
      if (person) names[role] = person.userName;
    }
    return { id: user.id, userName: user.userName, active: user.active, identity, names };
  }
}

/** The resource with the extension set (listed in `schemas` when the resource lists them), or removed when empty. */
function withIdentity(resource: UserResource, identity: IdentityExtension): UserResource {
  const { [IDENTITY_SCHEMA_ID]: _old, ...rest } = resource;
  const empty = Object.keys(identity).length === 0;
  const schemas = Array.isArray(resource.schemas)
    ? (resource.schemas as string[]).filter((id) => id !== IDENTITY_SCHEMA_ID).concat(empty ? [] : [IDENTITY_SCHEMA_ID])
    : undefined;
  return { ...rest, ...(schemas ? { schemas } : {}), ...(empty ? {} : { [IDENTITY_SCHEMA_ID]: identity }) } as UserResource;
}
