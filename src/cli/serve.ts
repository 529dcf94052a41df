import type { Command } from 'commander';
import { connectors } from '../../connectors';
import { loadConfig } from '../config/load';
import { createLogger } from '../log';
import { DatabaseInUseError } from '../serve-lock';
import { startServer } from '../server';
import { serverModules } from '../server-modules';
import { checkDatabasePath } from './database';
import { CliError, type CliIo } from './io';
import { portOption } from './option-parsers';

interface ServeOptions {
  config?: string;
  port?: number;
  db?: string;
}

/** `serve`: the SCIM endpoint, admin API and every module in src/server-modules.ts, until SIGTERM. */
export function registerServeCommand(program: Command, io: CliIo): void {
  program
    .command('serve')
    .description('run the bridge: SCIM 2.0 at /scim/v2; JSON logs on stdout')
    .option('--config <file>', 'config file, YAML or JSON (default: SCIM_BRIDGE_CONFIG; none: built-in defaults)')
    .option('--port <n>', 'TCP port, 0 for any free one (default: SCIM_BRIDGE_PORT, then the config file, then 8080)', portOption)
    .option('--db <file>', 'SQLite database file (default: SCIM_BRIDGE_DB, then the config file, then ./data/scim-bridge.db)')
    .action(async (options: ServeOptions) => {
      const config = loadConfig({ file: options.config, overrides: { port: options.port, dbFile: options.db }, env: io.env, connectors });
      checkDatabasePath(config.database.file, { mustExist: false });
      const logger = createLogger({ stream: io.stdout });
      try {
        await startServer({ config, logger, modules: serverModules, exitOnSignals: true });
      } catch (error) {
        throw explainStartFailure(error, config.server.host, config.server.port);
      }
    });
}

function explainStartFailure(error: unknown, host: string, port: number): unknown {
  if (error instanceof DatabaseInUseError) return new CliError(error.message);
  const code = (error as NodeJS.ErrnoException).code;
  if (code === 'EADDRINUSE') return new CliError(`cannot listen on ${host}:${port}: the address is already in use (use --port)`);
  if (code === 'EACCES') return new CliError(`cannot listen on ${host}:${port}: permission denied (use a port above 1023)`);
  return error;
}
