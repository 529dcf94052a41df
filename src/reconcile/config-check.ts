import type { ConfigCheck } from '../cli/config-checks';
import { InvalidConfigError } from '../config/errors';
import { describeLimit, resolveReconcileSettings } from './settings';

/** `config check` for reconcile blocks: cron expression, time zone and blast-radius limits, per target. */
export const checkReconcileSettings: ConfigCheck = async (config) => {
  try {
    const settings = resolveReconcileSettings(config.targets);
    return [...settings].filter(([, target]) => target.schedule).map(([name, target]) => ({
      subject: `reconcile ${name}`,
      ok: true,
      message: `${target.mode} on "${target.schedule}"${target.timezone ? ` (${target.timezone})` : ''}, maxDeletes ${describeLimit(target.maxDeletes)}, maxMembershipRemovals ${describeLimit(target.maxMembershipRemovals)}`,
    }));
  } catch (error) {
    const problems = error instanceof InvalidConfigError ? error.problems : [String((error as Error).message)];
    return problems.map((message) => ({ subject: 'reconcile', ok: false, message }));
  }
};
