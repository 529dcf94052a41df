import cron from 'node-cron';
import { formatPath } from '../config/config-path';
import { InvalidConfigError } from '../config/errors';
import type { TargetConfig } from '../config/types';

export type ReconcileMode = 'report' | 'fix';

/** The most removals of one kind a run may plan: an absolute count or a share of what the target holds. */
export type RemovalLimit = { count: number } | { percent: number };

/** A target's `reconcile` block after defaults (schemas/target.schema.json says what may be written). */
export interface ReconcileSettings {
  schedule?: string;
  mode: ReconcileMode;
  /** Accounts suspended or deleted plus groups deleted; a share is of the accounts and groups listed. */
  maxDeletes: RemovalLimit;
  /** Members taken out of groups; a share is of the memberships listed in the groups compared. */
  maxMembershipRemovals: RemovalLimit;
  timezone?: string;
}

interface ReconcileBlock {
  schedule?: string;
  mode?: ReconcileMode;
  maxDeletes?: number | string;
  maxMembershipRemovals?: number | string;
  timezone?: string;
}

/** Like Entra's accidental-deletions threshold: a run planning more than this stops before changing anything. */
export const DEFAULT_MAX_DELETES: RemovalLimit = { count: 500 };
export const DEFAULT_MAX_MEMBERSHIP_REMOVALS: RemovalLimit = { count: 500 };

/** Settings for every target; throws InvalidConfigError naming each bad path (`targets[1].reconcile.schedule`). */
export function resolveReconcileSettings(targets: readonly TargetConfig[]): Map<string, ReconcileSettings> {
  const problems: string[] = [];
  const settings = new Map<string, ReconcileSettings>();
  targets.forEach((target, index) => {
    settings.set(target.name, reconcileSettingsOf((target.reconcile ?? {}) as ReconcileBlock, problems, ['targets', index, 'reconcile']));
  });
  if (problems.length) throw new InvalidConfigError(problems);
  return settings;
}

function reconcileSettingsOf(block: ReconcileBlock, problems: string[], path: Array<string | number>): ReconcileSettings {
  if (block.schedule !== undefined && !cron.validate(block.schedule)) {
    problems.push(`${formatPath([...path, 'schedule'])}: '${block.schedule}' is not a cron expression (e.g. "0 3 * * *")`);
  }
  if (block.timezone !== undefined && !isTimeZone(block.timezone)) {
    problems.push(`${formatPath([...path, 'timezone'])}: '${block.timezone}' is not an IANA time zone (e.g. "Europe/Berlin")`);
  }
  return {
    schedule: block.schedule,
    mode: block.mode ?? 'report',
    maxDeletes: limitSetting(block.maxDeletes, DEFAULT_MAX_DELETES, problems, [...path, 'maxDeletes']),
    maxMembershipRemovals: limitSetting(block.maxMembershipRemovals, DEFAULT_MAX_MEMBERSHIP_REMOVALS, problems, [...path, 'maxMembershipRemovals']),
    timezone: block.timezone,
  };
}

function limitSetting(value: number | string | undefined, fallback: RemovalLimit, problems: string[], path: Array<string | number>): RemovalLimit {
  if (value === undefined) return fallback;
  const limit = parseRemovalLimit(value);
  if (!limit) problems.push(`${formatPath(path)}: must be a count (e.g. 50) or a percentage from 0% to 100% (e.g. "10%")`);
  return limit ?? fallback;
}

export function parseRemovalLimit(value: number | string): RemovalLimit | undefined {
  if (typeof value === 'number') return Number.isInteger(value) && value >= 0 ? { count: value } : undefined;
  const match = /^(\d{1,3}(?:\.\d+)?)%$/.exec(value.trim());
  const percent = match ? Number(match[1]) : NaN;
  return percent >= 0 && percent <= 100 ? { percent } : undefined;
}

/** The limit as a number, for a target that holds `listed` of the things it counts. */
export function allowance(limit: RemovalLimit, listed: number): number {
  return 'count' in limit ? limit.count : Math.floor((limit.percent * listed) / 100);
}

export function describeLimit(limit: RemovalLimit): string {
  return 'count' in limit ? String(limit.count) : `${limit.percent}%`;
}

function isTimeZone(zone: string): boolean {
  try {
    new Intl.DateTimeFormat('en-US', { timeZone: zone });
    return true;
  } catch {
    return false;
  }
}
