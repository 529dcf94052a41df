import { connectors } from '../../connectors';
import type { AnyConnectorDefinition } from '../../connectors/sdk/contract';
import type { ConfigCheck, ConfigCheckResult } from '../cli/config-checks';
import { InvalidConfigError } from '../config/errors';
import { checkConnector, connectorEnv } from './connector-env';
import { resolveTargets, type TargetSettings } from './target-config';
import { targetRedactor } from './target-runtime';

/**
 * `config check` for targets: attribute paths, templates and scope filters compile (errors name the
 * path), then each target's connector runs its check() - credentials and permissions, no writes.
 */
export const checkTargets: ConfigCheck = (config, logger) => checkTargetsAgainst(connectors, config, logger);

export async function checkTargetsAgainst(registry: readonly AnyConnectorDefinition[], ...[config, logger]: Parameters<ConfigCheck>): Promise<ConfigCheckResult[]> {
  let targets: TargetSettings[];
  try {
    targets = resolveTargets(config.targets, registry);
  } catch (error) {
    const problems = error instanceof InvalidConfigError ? error.problems : [String((error as Error).message)];
    return problems.map((message) => ({ subject: 'targets', ok: false, message }));
  }
  return Promise.all(targets.map((target) => checkTarget(target, logger)));
}

async function checkTarget(target: TargetSettings, logger: Parameters<ConfigCheck>[1]): Promise<ConfigCheckResult> {
  const subject = `target ${target.name}`;
  try {
    const redactor = targetRedactor(target);
    const connector = target.definition.create(target.config, connectorEnv(logger, target.name, target.definition.kind, () => new Date(), fetch, redactor));
    try {
      if (target.groups.length > 0 && !connector.groups) {
        return { subject, ok: false, message: `groups are mapped but connector ${target.definition.kind} has no groups` };
      }
      const health = await checkConnector(connector, target.name);
      return { subject, ok: health.ok, message: redactor.scrub(health.message) };
    } finally {
      await connector.close?.();
    }
  } catch (error) {
    return { subject, ok: false, message: `cannot create the connector: ${(error as Error).message}` };
  }
}
