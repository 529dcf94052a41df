import type { BridgeConfig } from '../config/types';
import type { Logger } from '../log';
import { checkTargets } from '../sync/config-check';
import { checkReconcileSettings } from '../reconcile/config-check';

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
