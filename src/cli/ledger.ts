import type { Command } from 'commander';
import { withDatabaseOptions, withStore, type DatabaseOptions } from './database';
import { nonNegativeIntegerOption } from './option-parsers';
import { CliError, EXIT_FAILURE, writeLine, type CliIo } from './io';

/** `ledger verify | export`: prove the ledger was not altered, and hand it to auditors. */
export function registerLedgerCommands(program: Command, io: CliIo): void {
  const ledger = program.command('ledger').description('the append-only, hash-chained record of every change');

  withDatabaseOptions(ledger.command('verify').description('recompute the hash chain; exit 1 and name the first bad row if broken')).action(
    (options: DatabaseOptions) =>
      withStore(options, io, true, (store) => {
        const result = store.ledger.verify();
        if (!result.ok) throw new CliError(`ledger broken: first bad seq ${result.firstBadSeq}: ${result.problem}`, EXIT_FAILURE, 'stdout');
        writeLine(io.stdout, `ledger intact: ${result.rows} rows`);
      }),
  );

  withDatabaseOptions(
    ledger
      .command('export')
      .description('print ledger rows as JSON Lines, columns exactly as stored (so the chain can be re-verified)')
      .option('--since <seq>', 'only rows after this sequence number', nonNegativeIntegerOption, 0),
  ).action((options: DatabaseOptions & { since: number }) =>
    withStore(options, io, true, (store) => {
      for (const row of store.ledger.export(options.since)) writeLine(io.stdout, JSON.stringify(row));
    }),
  );
}
