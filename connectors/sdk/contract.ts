import type { JSONSchemaType, SchemaObject } from 'ajv';

/**
 * The connector contract. A connector is a small definition: a config schema, mapping defaults and a
 * factory. The engine owns scope, mapping, diffing, ordering, retries and rate limits; a connector only
 * translates single operations into target API calls and classifies failures into typed errors
 * (./errors.ts). The last parameter of every operation is a context object, so new fields never need a
 * new interface version.
 */

export type JsonValue = string | number | boolean | null | JsonValue[] | { [key: string]: JsonValue };

/** Target-shaped attributes, keyed by target field name (as named in the mapping). */
export type Attributes = Record<string, JsonValue>;

export interface OpContext {
  /** Stable per (target, subject, desired version): a target that supports idempotency keys can use it. */
  idempotencyKey: string;
  /** Aborted when the engine shuts down or the operation times out: stop making requests. */
  signal: AbortSignal;
  /** The request id of the change being delivered, for the target's logs. */
  requestId: string;
}

export interface ListOptions {
  /** Page size to ask the target for; the connector pages until the target has no more. */
  pageSize?: number;
}

export interface ConnectorLogger {
  debug(message: string, meta?: Record<string, unknown>): void;
  info(message: string, meta?: Record<string, unknown>): void;
  warn(message: string, meta?: Record<string, unknown>): void;
  error(message: string, meta?: Record<string, unknown>): void;
}

export interface ConnectorEnv {
  logger: ConnectorLogger;
  /** The engine's clock; use it instead of Date.now() so tests can move time. */
  now(): Date;
  fetch: typeof fetch;
  /**
   * Register every secret obtained at run time (an OAuth access token, an installation token) with
   * `redactor?.add(token)` as soon as it arrives: the bridge then scrubs it from everything it logs or
   * stores, as it does the config's secrets, even when a target echoes it back in an error. Optional
   * (tests and the kit may omit it); the engine always provides it.
   */
  redactor?: { add(secret: string): void };
}

/** What the engine wants to exist on the target, already mapped to the target's shape. */
export interface TargetUser {
  /** The bridge's SCIM id; store it on the target where it has a place (externalIds, tags). */
  scimId: string;
  /** The value the target identifies the account by (email, login, user name). */
  key: string;
  active: boolean;
  attributes: Attributes;
  /**
   * The target keys (`groups[].target`) of the mapped groups the user is a member of now, when the engine
   * knows them. Membership is still delivered by addMember/removeMember; a target that must name the
   * groups when the account is created reads this (a GitHub invitation's teams cannot be changed later).
   */
  groups?: string[];
}

export interface TargetGroup {
  scimId: string;
  /** The target's name for the group (email, slug, group name). */
  key: string;
  attributes: Attributes;
}

/** A handle on a remote object: `id` is the target's stable identifier, `key` its correlation key. */
export interface RemoteRef {
  id: string;
  key: string;
}

export interface RemoteUser extends RemoteRef {
  active: boolean;
  attributes: Attributes;
  /** The SCIM id the target has stored for this account, if it stores one. */
  scimId?: string;
}

export interface RemoteGroup extends RemoteRef {
  attributes: Attributes;
  scimId?: string;
}

/** Only what changed: `key` when the correlation key itself changes (a rename), attributes by target field. */
export interface Changes {
  key?: string;
  attributes: Attributes;
  /**
   * The bridge's SCIM id (TargetUser.scimId / TargetGroup.scimId), present only when the remote object may
   * not carry it: the engine adopted an object that already existed (create answered ConflictError, or it
   * was found by key), including a rehire whose account still carries the previous user's id, or the
   * engine does not know what the object carries. Store it where `create` stores scimId (externalIds,
   * tags), replacing any earlier bridge id there. A connector that stores no SCIM id ignores it; when
   * `key` and `attributes` are empty as well, it returns 'noop' without calling the target.
   */
  scimId?: string;
}

/** 'noop': the target was already in that state. The ledger records the difference. */
export type Outcome = 'applied' | 'noop';

export interface Health {
  ok: boolean;
  /** Human-readable and secret-free: what works or what is missing (e.g. a scope). */
  message: string;
}

export interface UserOperations {
  /** The account whose correlation key is `key`, or undefined. Never throws NotFoundError. */
  find(key: string, ctx: OpContext): Promise<RemoteUser | undefined>;
  /** Creates the account. If it already exists: ConflictError with `existing` set to the RemoteUser. */
  create(user: TargetUser, ctx: OpContext): Promise<RemoteRef>;
  /** Applies only `changes`. NotFoundError when the account is gone (the engine re-correlates). */
  update(ref: RemoteRef, changes: Changes, ctx: OpContext): Promise<Outcome>;
  /** Suspends sign-in and access. 'noop' when already suspended. NotFoundError when gone. */
  disable?(ref: RemoteRef, ctx: OpContext): Promise<Outcome>;
  /** Reverses disable. 'noop' when already active. NotFoundError when gone. */
  enable?(ref: RemoteRef, ctx: OpContext): Promise<Outcome>;
  /** Removes the account. 'noop' when it was already gone. */
  delete?(ref: RemoteRef, ctx: OpContext): Promise<Outcome>;
  /** Every account the connector manages, across all pages; stops when ctx.signal aborts. */
  list(options: ListOptions, ctx: OpContext): AsyncIterable<RemoteUser>;
}

export interface GroupOperations {
  find?(key: string, ctx: OpContext): Promise<RemoteGroup | undefined>;
  /** Creates the group. If it already exists: ConflictError with `existing` set to the RemoteGroup. */
  create(group: TargetGroup, ctx: OpContext): Promise<RemoteRef>;
  update?(ref: RemoteRef, changes: Changes, ctx: OpContext): Promise<Outcome>;
  /** 'noop' when already gone. */
  delete(ref: RemoteRef, ctx: OpContext): Promise<Outcome>;
  /**
   * 'noop' when the user is already a member. NotFoundError when the group or the user is gone: set its
   * `subject` ('group' or 'user') when the target says which; without it the engine reads the group to tell.
   */
  addMember(group: RemoteRef, user: RemoteRef, ctx: OpContext): Promise<Outcome>;
  /** 'noop' when the user is not a member (or either side is gone). */
  removeMember(group: RemoteRef, user: RemoteRef, ctx: OpContext): Promise<Outcome>;
  list(options: ListOptions, ctx: OpContext): AsyncIterable<RemoteGroup>;
  listMembers(group: RemoteRef, options: ListOptions, ctx: OpContext): AsyncIterable<RemoteRef>;
}

export interface Connector {
  /** Checks credentials and permissions without writing anything. Never throws. */
  check(ctx: OpContext): Promise<Health>;
  users: UserOperations;
  /** Present only when the target has groups: a capability is the presence of a member. */
  groups?: GroupOperations;
  close?(): Promise<void>;
}

/**
 * How SCIM resources map onto the target by default. Values are SCIM attribute paths
 * (`name.givenName`, `emails[type eq "work"].value`, `urn:...:enterprise:2.0:User:department`) or
 * templates with `{path}` placeholders (`{name.givenName}.{name.familyName}`). Targets override them in config.
 */
export interface MappingDefaults {
  user: { key: string; attributes: Record<string, string> };
  /** A group's key on the target is the config's `groups[].target`; these fill its other attributes. */
  group?: { attributes: Record<string, string> };
}

export interface ConnectorDefinition<C> {
  /** The name used as `connector:` in the bridge config. kebab-case. */
  kind: string;
  displayName: string;
  configSchema: JSONSchemaType<C>;
  mapping: MappingDefaults;
  limits?: { requestsPerSecond?: number; concurrency?: number };
  /** No I/O here: the engine creates connectors at startup and in `config check`. */
  create(config: C, env: ConnectorEnv): Connector;
}

/**
 * Any connector, whatever its config type: what the registry and the engine hold. (ConnectorDefinition<any>
 * does not work: ajv's JSONSchemaType<any> is not a supertype of JSONSchemaType<C>.) The config passed to
 * `create` has been validated against `configSchema` first.
 */
export interface AnyConnectorDefinition extends Omit<ConnectorDefinition<unknown>, 'configSchema' | 'create'> {
  configSchema: SchemaObject;
  // eslint-disable-next-line @typescript-eslint/no-explicit-any
  create(config: any, env: ConnectorEnv): Connector;
}
