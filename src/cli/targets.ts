import type { Command } from 'commander';
import { withDatabaseOptions, withStore, type DatabaseOptions } from './database';
import { writeLine, type CliIo } from './io';
import { cliContext, deliveryAdmin, table } from './delivery-admin-cli';

/** `targets list | pause | resume`: a pause written here stops a running server's deliveries within a poll. */
export function registerTargetCommands(program: Command, io: CliIo): void {
  const targets = program.command('targets').description('target queue depth and pause state (works on the database file)');

  withDatabaseOptions(targets.command('list').description('queue depth and pause state per target').option('--json', 'one JSON object per line')).action(
    (options: DatabaseOptions & { json?: boolean }) =>
      withStore(options, io, true, (store) => {
        const rows = deliveryAdmin(store, options, io).targets();
        const lines = options.json
          ? rows.map((row) => JSON.stringify(row))
          : table([
            ['TARGET', 'PAUSED', 'PENDING', 'IN FLIGHT', 'DEAD', 'OLDEST PENDING', 'REASON'],
            ...rows.map((row) => [row.target, row.paused ? 'yes' : 'no', String(row.queue.pending), String(row.queue.inflight), String(row.queue.dead), row.oldestPending ?? '-', row.reason ?? '-']),
          ]);
        for (const line of lines) writeLine(io.stdout, line);
      }),
  );

  withDatabaseOptions(targets.command('pause').description('stop deliveries to a target').argument('<name>', 'the target').option('--reason <text>', 'why (kept in the ledger)')).action(
    (name: string, options: DatabaseOptions & { reason?: string }) =>
      withStore(options, io, true, (store) => {
        deliveryAdmin(store, options, io).pause(name, options.reason ?? 'paused from the CLI', cliContext());
        writeLine(io.stderr, `paused target '${name}'`);
      }),
  );

  withDatabaseOptions(targets.command('resume').description('resume deliveries to a target').argument('<name>', 'the target')).action(
    (name: string, options: DatabaseOptions) =>
      withStore(options, io, true, (store) => {
        deliveryAdmin(store, options, io).resume(name, cliContext());
        writeLine(io.stderr, `resumed target '${name}'`);
      }),
  );
}
