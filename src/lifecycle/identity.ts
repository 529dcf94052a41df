import SCIMMY from 'scimmy';

/**
 * The identity-lifecycle extension for Users: what kind of identity this is and who answers for it.
 * Non-human identities (service accounts, bots) are SCIM users carrying this extension.
 */
export const IDENTITY_SCHEMA_ID = 'urn:ietf:params:scim:schemas:extension:scim-bridge:2.0:Identity';

export const IDENTITY_TYPES = ['human', 'contractor', 'service'] as const;
export type IdentityType = (typeof IDENTITY_TYPES)[number];

export interface IdentityExtension {
  identityType?: string;
  /** The owning person: a user id or userName. Required for service identities. */
  owner?: string;
  /** The sponsoring employee of a contractor: a user id or userName. */
  sponsor?: string;
  purpose?: string;
  /** ISO 8601 date-time after which the identity is disabled by the expiry sweeper. */
  expiresAt?: string;
}

const { Attribute, SchemaDefinition } = SCIMMY.Types;

/**
 * Publishes canonicalValues in /Schemas without scimmy enforcing them case-sensitively: "Service" from
 * an IdP is accepted, and a value outside the list gets identityProblem's clear message, not scimmy's.
 */
class IdentityTypeAttribute extends Attribute {
  constructor() {
    super('string', 'identityType', { description: 'human, contractor or service (any case)', caseExact: false });
  }

  override toJSON(): ReturnType<SCIMMY.Types.Attribute['toJSON']> {
    // scimmy freezes attributes, so the list is not kept on the instance.
    return { ...super.toJSON(), canonicalValues: [...IDENTITY_TYPES] };
  }
}

const identityDefinition = new SchemaDefinition('Identity', IDENTITY_SCHEMA_ID, 'Identity lifecycle: type, owner, sponsor, purpose and expiry', [
  new IdentityTypeAttribute(),
  new Attribute('string', 'owner', { description: 'id or userName of the person who owns this identity' }),
  new Attribute('string', 'sponsor', { description: 'id or userName of the employee sponsoring a contractor' }),
  new Attribute('string', 'purpose', { description: 'What the identity is for' }),
  new Attribute('dateTime', 'expiresAt', { description: 'When the identity stops being valid' }),
]);

/** The extension as scimmy wants it (a Schema class, like its EnterpriseUser) for Resources.User.extend. */
export class IdentitySchema extends SCIMMY.Types.Schema {
  static override get id(): string {
    return IDENTITY_SCHEMA_ID;
  }

  static override get definition(): SCIMMY.Types.SchemaDefinition {
    return identityDefinition;
  }
}

export function identityOf(resource: Record<string, unknown>): IdentityExtension | undefined {
  return resource[IDENTITY_SCHEMA_ID] as IdentityExtension | undefined;
}

/**
 * The rule a resource breaks, or undefined: contractors need a sponsor and an expiry, service
 * identities an owner and a purpose. The SCIM edge answers 400 invalidValue with this text.
 */
export function identityProblem(resource: Record<string, unknown>): string | undefined {
  const identity = identityOf(resource);
  if (!identity) return undefined;
  const type = identity.identityType?.toLowerCase();
  if (type !== undefined && !(IDENTITY_TYPES as readonly string[]).includes(type)) {
    return `identityType must be one of ${IDENTITY_TYPES.join(', ')}`;
  }
  const missing = (fields: Array<keyof IdentityExtension>) => fields.filter((field) => !identity[field]);
  if (type === 'contractor' && missing(['sponsor', 'expiresAt']).length) {
    return `a contractor identity requires ${missing(['sponsor', 'expiresAt']).join(' and ')}`;
  }
  if (type === 'service' && missing(['owner', 'purpose']).length) {
    return `a service identity requires ${missing(['owner', 'purpose']).join(' and ')}`;
  }
  return undefined;
}

/**
 * Precedence on a full replace (PUT): a body without the extension keeps the stored one. IdPs such as
 * Okta PUT the whole user without knowing this extension; lifecycle fields set through the admin API
 * (a contractor's sponsor and expiry) must not vanish with such a PUT. A body that carries the
 * extension replaces it; PATCH edits it; the admin API merges into it.
 */
export function keepStoredIdentity<T extends Record<string, unknown>>(incoming: T, stored: Record<string, unknown> | undefined): T {
  const kept = stored ? identityOf(stored) : undefined;
  if (!kept || identityOf(incoming) !== undefined) return incoming;
  const schemas = Array.isArray(incoming.schemas) ? [...new Set([...(incoming.schemas as string[]), IDENTITY_SCHEMA_ID])] : incoming.schemas;
  return { ...incoming, ...(schemas ? { schemas } : {}), [IDENTITY_SCHEMA_ID]: kept };
}
