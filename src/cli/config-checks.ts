import { connectors } from '../../connectors';
import { InvalidConfigError } from '../config/errors';
import type { BridgeConfig } from '../config/types';
import type { Logger } from '../log';
import { checkTargets } from '../sync/config-check';
import { checkReconcileSettings } from '../reconcile/config-check';
import { resolveReconcileSettings } from '../reconcile/settings';
import { resolveTargets } from '../sync/target-config';

export interface ConfigCheckResult {
  /** What was checked, e.g. `target github`. */
  subject: string;
  ok: boolean;
  /** Secret-free: what works or what is missing. */
  message: string;
}

/** A check `config check` runs on a configuration that already passed validation; it must never throw. */
export type ConfigCheck = (config: BridgeConfig, logger: Logger) => Promise<ConfigCheckResult[]>;

/**
 * The hook for live checks (e.g. each target's connector check(): credentials and permissions, no writes).
 * Add one line per check; `config check` fails when any result is not ok.
 */
export const configChecks: ConfigCheck[] = [checkTargets, checkReconcileSettings];

/**
 * The checks that need neither secrets nor the network (expressions, scope filters, cron schedules, limits):
 * `config check` runs them beside the loader's problems too, so a missing secret does not hide them.
 * Each throws InvalidConfigError naming every bad path.
 */
export const offlineConfigChecks: Array<(config: BridgeConfig) => unknown> = [
  (config) => resolveTargets(config.targets, connectors),
  (config) => resolveReconcileSettings(config.targets),
];

export function offlineProblems(config: BridgeConfig): string[] {
  return offlineConfigChecks.flatMap((check) => {
    try {
      check(config);
      return [];
    } catch (error) {
      if (error instanceof InvalidConfigError) return error.problems;
      throw error;
    }
  });
}
