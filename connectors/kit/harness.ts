import type { Attributes, ConnectorDefinition, RemoteRef, TargetGroup, TargetUser } from '../sdk/contract';
import type { FakeTarget } from './fake-target';

/**
 * What a connector's test gives the conformance kit. One object, one call: `runConnectorKit(harness)`.
 * Everything target-specific (how to start the fake, how its API expresses a fault, how to read its state)
 * lives here, so the suite itself never knows which target it is testing.
 */
export interface ConnectorHarness<C, F extends FakeTarget = FakeTarget> {
  definition: ConnectorDefinition<C>;
  /** Names this run in the test titles when a connector runs the kit more than once (e.g. per auth method). */
  label?: string;
  /** Starts a fresh fake (listening on 127.0.0.1:0 for HTTP fakes). The kit calls reset() between cases. */
  startFake(): Promise<F>;
  /** A valid config pointing at the fake. `pageSize` is the paging knob: the fake or the connector must serve pages of that size. */
  configFor(fake: F, options?: { pageSize?: number }): C;
  /** Every secret string in a config (tokens, client secrets, keys): none may appear in an error message or log. */
  secretsOf(config: C): string[];
  /** Configs the schema must reject, each with the JSON pointer an error must name (`/auth/token`). */
  invalidConfigs: InvalidConfig[];
  /** Sample data; `user(n)` and `group(n)` must give distinct keys for distinct n. */
  samples: KitSamples;
  /** Reads the fake's own state, so the kit checks what the target holds, not what the connector says. */
  inspect: FakeInspector<F>;
  /**
   * Makes the fake's next API call fail the way the real API would for `kind` (its status, headers and body).
   * The kit injects before creates, updates, disables, deletes and membership changes, so the fault must hit
   * whichever API call comes next (leave out only calls that are not the API's, such as a token endpoint).
   */
  injectFault(fake: F, kind: FaultKind, options: { retryAfterS: number }): void;
  /** Cases that cannot apply to this target, each with the reason (printed in the test title). */
  skips?: Partial<Record<KitCaseName, string>>;
}

export interface InvalidConfig {
  /** What is wrong, for the test title. */
  name: string;
  config: unknown;
  /** JSON pointer the ajv error names: its instancePath, or instancePath + the missing/extra property. */
  path: string;
}

export interface KitSamples {
  user(n: number): TargetUser;
  /**
   * Changes the kit applies to `user` (in user-lifecycle and after a rename); the fake must hold them afterwards.
   * user-clear-attributes then clears (sends null for) the fields these add that `user` lacks, or all of them if
   * they add none, and expects the fake to hold no value for them: choose fields the target can leave empty.
   */
  userChanges(user: TargetUser): { attributes: Attributes };
  group?(n: number): TargetGroup;
}

/** The fake's view of an account or group, with attributes named as the connector's target fields. */
export interface InspectedUser {
  key: string;
  active: boolean;
  attributes: Attributes;
}

export interface InspectedGroup {
  key: string;
  attributes: Attributes;
  /** Remote ids (RemoteRef.id) of the members. */
  memberIds: string[];
}

export interface FakeInspector<F> {
  user(fake: F, ref: RemoteRef): InspectedUser | undefined | Promise<InspectedUser | undefined>;
  /** Required when the connector has `groups`. */
  group?(fake: F, ref: RemoteRef): InspectedGroup | undefined | Promise<InspectedGroup | undefined>;
  /** Removes an account behind the connector's back (drift), for the cases on a vanished account. */
  removeUser(fake: F, ref: RemoteRef): void | Promise<void>;
}

/**
 * Fault kinds the kit injects. Each harness produces them in its API's dialect: e.g. 'rate-limited' is a
 * 429 for SCIM, a 403 "secondary rate limit" for GitHub, a 400 Throttling XML for IAM (all with Retry-After
 * set to `retryAfterS`); 'unavailable' is a 503 without Retry-After; 'unauthorized' is what the API answers
 * to credentials it rejects; 'bad-request' is its answer to invalid data.
 */
export type FaultKind = 'rate-limited' | 'unavailable' | 'unauthorized' | 'bad-request';

export const KIT_CASES = [
  'definition-schema-compiles',
  'definition-invalid-configs',
  'check-healthy',
  'check-revoked-credentials',
  'user-lifecycle',
  'user-disable-enable',
  'user-rename',
  'user-clear-attributes',
  'user-bridge-id',
  'user-create-conflict',
  'user-delete-noop',
  'user-list-paging',
  'user-list-abort',
  'user-list-page-size',
  'user-write-abort',
  'error-rate-limited',
  'error-unavailable',
  'error-unauthorized',
  'error-bad-request',
  'error-update-not-found',
  'error-user-writes',
  'error-member-writes',
  'error-no-secrets',
  'group-lifecycle',
  'group-create-conflict',
  'group-update',
  'group-bridge-id',
  'group-members',
  'group-members-noop',
  'group-member-not-found',
  'group-list-paging',
] as const;

export type KitCaseName = (typeof KIT_CASES)[number];
