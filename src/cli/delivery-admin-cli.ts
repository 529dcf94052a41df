import { randomUUID } from 'node:crypto';
import { loadConfig } from '../config/load';
import type { ChangeContext, Store } from '../store';
import { DeliveryAdmin } from '../sync/delivery-admin';
import type { DatabaseOptions } from './database';
import type { CliIo } from './io';

/** The delivery admin over the database file; targets are the config's plus any the database mentions. */
export function deliveryAdmin(store: Store, options: DatabaseOptions, io: CliIo): DeliveryAdmin {
  const configured = loadConfig({ file: options.config, env: io.env, resolveSecrets: false }).targets.map((target) => target.name);
  const known = store.db
    .prepare('SELECT target FROM sync_queue UNION SELECT target FROM targets_state UNION SELECT target FROM links')
    .all() as Array<{ target: string }>;
  return new DeliveryAdmin(store, [...new Set([...configured, ...known.map((row) => row.target)])].sort());
}

export function cliContext(): ChangeContext {
  return { actor: 'cli', requestId: `cli-${randomUUID()}`, source: 'cli' };
}

/** Moved to ./table (shared by every command's output); kept here for the commands that import it from here. */
export { table } from './table';
