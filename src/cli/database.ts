import { statSync } from 'node:fs';
import type { Command } from 'commander';
import { loadConfig } from '../config/load';
import { Store } from '../store';
import { NotADatabaseError, openDatabaseReadOnly, type Db } from '../store/db';
import { CliError, type CliIo } from './io';

export interface DatabaseOptions {
  db?: string;
  config?: string;
}

/** Adds --db and --config to a command that works on the database. */
export function withDatabaseOptions(command: Command): Command {
  return command
    .option('--db <file>', 'SQLite database file (default: SCIM_BRIDGE_DB, then the config file, then ./data/scim-bridge.db)')
    .option('--config <file>', 'config file (default: SCIM_BRIDGE_CONFIG): the database path, and the targets for commands that act on them');
}

/** The database file: --db, then SCIM_BRIDGE_DB, then the config file's database.file, then the default. */
export function databaseFile(options: DatabaseOptions, io: CliIo): string {
  return loadConfig({ file: options.config, overrides: { dbFile: options.db }, env: io.env, resolveSecrets: false }).database.file;
}

/** A command's one write may wait this long for the server's lock (the server waits 1 s, then answers 503). */
const CLI_BUSY_TIMEOUT_MS = 10_000;

/**
 * Opens the store. `mustExist` is for commands that only read or change what is there: a mistyped path
 * must be an error, not a new empty database that verifies as intact.
 */
export function openStore(options: DatabaseOptions, io: CliIo, { mustExist }: { mustExist: boolean }): Store {
  const file = existingFile(options, io, mustExist);
  return Store.open(file, undefined, { busyTimeoutMs: CLI_BUSY_TIMEOUT_MS });
}

/**
 * Runs fn on the database exactly as it is: read-only, never migrated or created, so checking a file
 * cannot change it. An empty or foreign file is a clear error, not an intact ledger of 0 rows.
 */
export function withReadOnlyDatabase<T>(options: DatabaseOptions, io: CliIo, fn: (db: Db) => T): T {
  const file = existingFile(options, io, true);
  let db: Db;
  try {
    db = openDatabaseReadOnly(file);
  } catch (error) {
    if (error instanceof NotADatabaseError) throw new CliError(error.message);
    throw error;
  }
  try {
    return fn(db);
  } finally {
    db.close();
  }
}

function existingFile(options: DatabaseOptions, io: CliIo, mustExist: boolean): string {
  const file = databaseFile(options, io);
  checkDatabasePath(file, { mustExist });
  return file;
}

/** A path that cannot hold the database is named here; SQLite would only say "disk I/O error". */
export function checkDatabasePath(file: string, { mustExist }: { mustExist: boolean }): void {
  const stats = statSync(file, { throwIfNoEntry: false });
  if (stats?.isDirectory()) throw new CliError(`database ${file} is a directory, not a database file (use --db FILE or SCIM_BRIDGE_DB)`);
  if (mustExist && !stats) throw new CliError(`database ${file} does not exist (use --db or SCIM_BRIDGE_DB)`);
}

/** Runs fn with an open store and always closes it. */
export async function withStore<T>(options: DatabaseOptions, io: CliIo, mustExist: boolean, fn: (store: Store) => T | Promise<T>): Promise<T> {
  const store = openStore(options, io, { mustExist });
  try {
    return await fn(store);
  } finally {
    store.close();
  }
}
