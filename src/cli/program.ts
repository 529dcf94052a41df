import { existsSync, readFileSync } from 'node:fs';
import { dirname, join } from 'node:path';
import { Command, CommanderError } from 'commander';
import { InvalidConfigError } from '../config/errors';
import { commandRegistrations } from './index';
import { CliError, EXIT_FAILURE, EXIT_USAGE, writeLine, type CliIo } from './io';

export function createProgram(io: CliIo): Command {
  const program = new Command('scim-bridge')
    .description('SCIM 2.0 provisioning bridge: stores what your IdP sends, records it in a tamper-evident ledger, syncs it to targets')
    .version(packageVersion(), '-V, --version', 'print the version')
    .exitOverride()
    .configureOutput({ writeOut: (text) => io.stdout.write(text), writeErr: (text) => io.stderr.write(text) })
    .showHelpAfterError('(run with --help for usage)');
  for (const register of commandRegistrations) register(program, io);
  return program;
}

/** The version in the bridge's package.json, found upwards from this file (src/cli under ts-jest, dist/src/cli when built). */
function packageVersion(from = __dirname): string {
  const file = join(from, 'package.json');
  if (existsSync(file)) {
    const pkg = JSON.parse(readFileSync(file, 'utf8')) as { name?: string; version?: string };
    if (pkg.name === 'scim-bridge' && pkg.version) return pkg.version;
  }
  const parent = dirname(from);
  return parent === from ? 'unknown' : packageVersion(parent);
}

/** Runs one command line and returns the exit code; long-running commands (serve) resolve once started. */
export async function runCli(argv: readonly string[], io: CliIo): Promise<number> {
  try {
    await createProgram(io).parseAsync([...argv], { from: 'user' });
    return 0;
  } catch (error) {
    return reportFailure(error, io);
  }
}

function reportFailure(error: unknown, io: CliIo): number {
  if (error instanceof CommanderError) {
    // Commander has already printed its message (or the help).
    return error.exitCode === 0 ? 0 : EXIT_USAGE;
  }
  if (error instanceof CliError) {
    writeLine(error.stream === 'stdout' ? io.stdout : io.stderr, error.message);
    return error.exitCode;
  }
  if (error instanceof InvalidConfigError) {
    writeLine(io.stderr, error.message);
    return EXIT_FAILURE;
  }
  writeLine(io.stderr, `error: ${error instanceof Error ? error.message : String(error)}`);
  return EXIT_FAILURE;
}
