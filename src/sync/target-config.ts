import type { AnyConnectorDefinition } from '../../connectors/sdk/contract';
import { formatPath } from '../config/config-path';
import { InvalidConfigError } from '../config/errors';
import type { TargetConfig } from '../config/types';
import { filterToSql } from '../store/filter';
import type { SqlFragment } from '../store/filter/sql-value';
import { compileExpression } from './scim-path';
import { userReferenceFields } from './user-references';

/** The `scope`, `groups`, `deprovision` and `delivery` blocks as written (schemas/target.schema.json). */
export interface ScopeConfig {
  all?: true;
  groups?: string[];
  filter?: string;
}
export interface GroupMappingConfig {
  scim: string;
  target: string;
  create?: boolean;
}
export type DeprovisionMode = 'suspend' | 'delete' | 'suspend-then-delete';
export interface DeprovisionConfig {
  mode?: DeprovisionMode;
  deleteAfterDays?: number;
  scopeLeaveGraceSeconds?: number;
}
export interface DeliveryConfig {
  concurrency?: number;
  requestsPerSecond?: number;
  maxAttempts?: number;
  backoff?: { baseMs?: number; maxMs?: number };
}

/** A target after defaults (connector mapping and limits) are applied and expressions are checked. */
export interface TargetSettings {
  name: string;
  definition: AnyConnectorDefinition;
  config: Record<string, unknown>;
  /** undefined groups = every user; otherwise members of these SCIM groups (lower-cased displayNames). */
  scope: { groups?: string[]; filter?: SqlFragment };
  userKey: string;
  userAttributes: Record<string, string>;
  /** Fields of userAttributes that name another user (a manager): that user is a dependency. */
  userReferences: string[];
  groupKeyAttributes: Record<string, string>;
  groups: Array<Required<GroupMappingConfig>>;
  /** scopeLeaveGraceMs: how long a user who only left the scope keeps the account (scope-leave.ts). */
  deprovision: { mode: DeprovisionMode; deleteAfterMs: number; scopeLeaveGraceMs: number };
  delivery: { concurrency: number; requestsPerSecond?: number; maxAttempts: number; backoff: { baseMs: number; maxMs: number } };
}

const DAY_MS = 86_400_000;
export const DEFAULT_CONCURRENCY = 4;
/** As schemas/target.schema.json says: long enough for an IdP's separate remove and add requests of a mover. */
export const DEFAULT_SCOPE_LEAVE_GRACE_SECONDS = 300;

/** Resolves every target or throws InvalidConfigError naming each bad path (`targets[1].attributes.email`). */
export function resolveTargets(targets: readonly TargetConfig[], connectors: readonly AnyConnectorDefinition[]): TargetSettings[] {
  const problems: string[] = [];
  const resolved = targets.map((target, index) => resolveTarget(target, connectors, problems, ['targets', index]));
  if (problems.length) throw new InvalidConfigError(problems);
  return resolved as TargetSettings[];
}

function resolveTarget(
  raw: TargetConfig,
  connectors: readonly AnyConnectorDefinition[],
  problems: string[],
  path: Array<string | number>,
): TargetSettings | undefined {
  const definition = connectors.find((candidate) => candidate.kind === raw.connector);
  if (!definition) {
    problems.push(`${formatPath([...path, 'connector'])}: must be one of ${connectors.map((c) => c.kind).join(', ') || '(none registered)'}`);
    return undefined;
  }
  const scope = (raw.scope ?? { all: true }) as ScopeConfig;
  const deprovision = (raw.deprovision ?? {}) as DeprovisionConfig;
  const delivery = (raw.delivery ?? {}) as DeliveryConfig;
  const userAttributes = mergeAttributes(definition.mapping.user.attributes, raw.attributes);
  const userKey = raw.userKey ?? definition.mapping.user.key;
  checkExpressions(problems, [...path, 'attributes'], userAttributes);
  checkExpressions(problems, path, { userKey });
  return {
    name: raw.name,
    definition,
    config: raw.config,
    scope: { groups: scope.groups?.map((name) => name.toLowerCase()), filter: scope.filter ? checkedFilter(scope.filter, problems, [...path, 'scope', 'filter']) : undefined },
    userKey,
    userAttributes,
    userReferences: userReferenceFields(userAttributes),
    groupKeyAttributes: definition.mapping.group?.attributes ?? {},
    groups: ((raw.groups ?? []) as GroupMappingConfig[]).map((group) => ({ create: false, ...group })),
    deprovision: {
      mode: deprovision.mode ?? 'suspend',
      deleteAfterMs: (deprovision.deleteAfterDays ?? 30) * DAY_MS,
      scopeLeaveGraceMs: (deprovision.scopeLeaveGraceSeconds ?? DEFAULT_SCOPE_LEAVE_GRACE_SECONDS) * 1000,
    },
    delivery: {
      concurrency: delivery.concurrency ?? definition.limits?.concurrency ?? DEFAULT_CONCURRENCY,
      requestsPerSecond: delivery.requestsPerSecond ?? definition.limits?.requestsPerSecond,
      maxAttempts: delivery.maxAttempts ?? 8,
      backoff: { baseMs: delivery.backoff?.baseMs ?? 1000, maxMs: delivery.backoff?.maxMs ?? 300_000 },
    },
  };
}

/** Config attributes override the connector's defaults; null removes a default. */
function mergeAttributes(defaults: Record<string, string>, overrides: Record<string, string | null> = {}): Record<string, string> {
  const merged: Record<string, string | null> = { ...defaults, ...overrides };
  return Object.fromEntries(Object.entries(merged).filter((entry): entry is [string, string] => typeof entry[1] === 'string'));
}

function checkExpressions(problems: string[], path: Array<string | number>, expressions: Record<string, string>): void {
  for (const [field, expression] of Object.entries(expressions)) {
    try {
      compileExpression(expression);
    } catch (error) {
      problems.push(`${formatPath([...path, field])}: ${(error as Error).message}`);
    }
  }
}

/** The scope filter runs in SQL against the users table, with the same semantics as SCIM list filters. */
function checkedFilter(filter: string, problems: string[], path: Array<string | number>): SqlFragment | undefined {
  try {
    return filterToSql(filter, 'user');
  } catch (error) {
    problems.push(`${formatPath(path)}: ${(error as Error).message}`);
    return undefined;
  }
}
