import type { Command } from 'commander';
import { connectors } from '../../connectors';
import { InvalidConfigError } from '../config/errors';
import { inspectConfig } from '../config/load';
import { configurationReference } from '../config/reference';
import { createLogger } from '../log';
import { configChecks, offlineProblems, type ConfigCheckResult } from './config-checks';
import { CliError, EXIT_FAILURE, EXIT_USAGE, writeLine, type CliIo } from './io';

/** `config check`: validate a config file (schema, secrets, connectors) and run the live checks. */
export function registerConfigCommands(program: Command, io: CliIo): void {
  const config = program.command('config').description('configuration');
  config
    .command('check')
    .description('validate a config file and run each registered check; exit 1 on any problem')
    .option('--config <file>', 'the config file (default: SCIM_BRIDGE_CONFIG)')
    .action(async (options: { config?: string }) => {
      const file = options.config ?? (io.env.SCIM_BRIDGE_CONFIG || undefined);
      if (!file) throw new CliError('no config file: pass --config FILE or set SCIM_BRIDGE_CONFIG', EXIT_USAGE);
      const { config: loaded, problems, source } = inspectConfig({ file, env: io.env, connectors });
      if (!loaded || problems.length) {
        throw new InvalidConfigError([...new Set([...problems, ...(loaded ? offlineProblems(loaded) : [])])], source);
      }
      const logger = createLogger({ stream: io.stderr });
      const results: ConfigCheckResult[] = [];
      for (const check of configChecks) results.push(...(await check(loaded, logger)));
      for (const result of results) writeLine(io.stdout, `${result.ok ? 'ok  ' : 'FAIL'} ${result.subject}: ${result.message}`);
      const failed = results.filter((result) => !result.ok).length;
      // The verdict comes last, and says valid only when every check passed.
      if (failed) throw new CliError(`${file}: invalid: ${failed} check${failed === 1 ? '' : 's'} failed`, EXIT_FAILURE);
      writeLine(io.stdout, `${file}: valid (${loaded.targets.length} target${loaded.targets.length === 1 ? '' : 's'}${targetList(loaded.targets)})`);
    });
  config
    .command('reference')
    .description('print every configuration key with its type, default and meaning (Markdown)')
    .action(() => {
      io.stdout.write(configurationReference());
    });
}

function targetList(targets: Array<{ name: string; connector: string }>): string {
  return targets.length ? `: ${targets.map((t) => `${t.name} (${t.connector})`).join(', ')}` : '';
}
