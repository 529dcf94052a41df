import { Option, type Command } from 'commander';
import { accessReport, renderAccess, requireKnownTarget, UnknownTargetError } from '../lifecycle/access-report';
import { hygieneFindings } from '../lifecycle/hygiene';
import { loadConfig } from '../config/load';
import { evidenceTrail } from '../lifecycle/evidence';
import type { Store } from '../store';
import { withDatabaseOptions, withStore, type DatabaseOptions } from './database';
import { CliError, writeLine, type CliIo } from './io';

/** `access report`, `access hygiene` and `evidence SUBJECT`: what auditors ask for. */
export function registerAccessCommands(program: Command, io: CliIo): void {
  const access = program.command('access').description('who has (and had) access to what, and why');

  withDatabaseOptions(
    access
      .command('report')
      .description('every access path: group or grant, approver, since, expiry, removal, targets')
      .option('--user <user>', 'only this user (id or userName)')
      .option('--target <name>', 'only access delivered to this target')
      .addOption(new Option('--format <format>', 'output format').choices(['json', 'csv', 'md']).default('md')),
  ).action((options: DatabaseOptions & { user?: string; target?: string; format: 'json' | 'csv' | 'md' }) =>
    withStore(options, io, true, (store) => {
      if (options.target) knownTarget(store, options, io, options.target);
      const rows = accessReport(store.db, { user: options.user, target: options.target });
      io.stdout.write(options.format === 'json' ? `${JSON.stringify(rows, null, 2)}\n` : renderAccess(rows, options.format));
    }),
  );

  withDatabaseOptions(access.command('hygiene').description('ownerless service identities, owners who left, stale grants, never-active accounts')).action(
    (options: DatabaseOptions) =>
      withStore(options, io, true, (store) => {
        for (const finding of hygieneFindings(store.db, store.now())) writeLine(io.stdout, JSON.stringify(finding));
      }),
  );

  withDatabaseOptions(
    program
      .command('evidence')
      .description('the full ledger trail of one subject, from the IdP request to each target response, as JSON Lines')
      .argument('<subject>', 'user:<id|userName>, group:<id|name>, grant:<id> or request:<id>'),
  ).action((subject: string, options: DatabaseOptions) =>
    withStore(options, io, true, (store) => {
      const trail = evidenceTrail(store.db, subject);
      if (!trail) throw new CliError('subject must be user:<id|userName>, group:<id|name>, grant:<id> or request:<id>');
      // Every subject that exists or existed has ledger rows (its creation at least), so none means a wrong name or id.
      if (trail.length === 0) throw new CliError(`unknown subject ${subject}: the ledger has no rows about it`);
      for (const row of trail) writeLine(io.stdout, JSON.stringify(row));
    }),
  );
}

function knownTarget(store: Store, options: DatabaseOptions, io: CliIo, target: string): void {
  const configured = loadConfig({ file: options.config, env: io.env, resolveSecrets: false }).targets.map((t) => t.name);
  try {
    requireKnownTarget(store.db, configured, target);
  } catch (error) {
    if (error instanceof UnknownTargetError) throw new CliError(error.message);
    throw error;
  }
}
