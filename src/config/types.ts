import type { LifecycleConfig } from '../lifecycle/config';

/**
 * The validated bridge configuration. schemas/config.schema.json is the source of truth for what a
 * file may contain; these types describe the object after loading, defaults and secret resolution.
 */
export interface BridgeConfig {
  server: { port: number; host: string; baseUrl?: string };
  database: { file: string };
  scim: { maxBulkOperations: number; maxPayloadBytes: number; maxResults: number };
  targets: TargetConfig[];
  lifecycle: LifecycleConfig;
}

/** One provisioning target. The sync engine owns the meaning of scope, mapping and deprovision. */
export interface TargetConfig {
  name: string;
  connector: string;
  /** Connector-specific, validated against the connector's own schema; secrets already resolved. */
  config: Record<string, unknown>;
  scope?: unknown;
  /** SCIM path or template for the target's correlation key (default: the connector's). */
  userKey?: string;
  /** Target field ← SCIM path or template; null removes a connector default. */
  attributes?: Record<string, string | null>;
  groups?: unknown;
  deprovision?: unknown;
  delivery?: unknown;
  reconcile?: unknown;
}
