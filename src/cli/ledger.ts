import { InvalidArgumentError, type Command } from 'commander';
import { Ledger, type LedgerHead } from '../store/ledger';
import { withDatabaseOptions, withReadOnlyDatabase, type DatabaseOptions } from './database';
import { nonNegativeIntegerOption } from './option-parsers';
import { CliError, EXIT_FAILURE, writeLine, type CliIo } from './io';

/** `ledger verify | export`: prove the ledger was not altered, and hand it to auditors. Both only read the file. */
export function registerLedgerCommands(program: Command, io: CliIo): void {
  const ledger = program.command('ledger').description('the append-only, hash-chained record of every change');

  withDatabaseOptions(
    ledger
      .command('verify')
      .description('recompute the hash chain and check it against the users and groups; exit 1 and say what is wrong if broken')
      .option('--expect-head <seq:hash>', 'a head printed by an earlier verify: fail unless the chain still holds that row', headOption),
  ).action((options: DatabaseOptions & { expectHead?: LedgerHead }) =>
    withReadOnlyDatabase(options, io, (db) => writeLine(io.stdout, verify(new Ledger(db), options.expectHead))),
  );

  withDatabaseOptions(
    ledger
      .command('export')
      .description('print ledger rows as JSON Lines, columns exactly as stored (so the chain can be re-verified)')
      .option('--since <seq>', 'only rows after this sequence number', nonNegativeIntegerOption, 0),
  ).action((options: DatabaseOptions & { since: number }) =>
    withReadOnlyDatabase(options, io, (db) => {
      for (const row of new Ledger(db).export(options.since)) writeLine(io.stdout, JSON.stringify(row));
    }),
  );
}

/** The verdict line; the head it prints is what an auditor keeps and passes back as --expect-head. */
function verify(ledger: Ledger, expectHead: LedgerHead | undefined): string {
  const result = ledger.verify();
  if (!result.ok) {
    const where = result.firstBadSeq === undefined ? '' : `first bad seq ${result.firstBadSeq}: `;
    throw new CliError(`ledger broken: ${where}${result.problem}`, EXIT_FAILURE, 'stdout');
  }
  if (expectHead && !ledger.holds(expectHead)) {
    throw new CliError(`ledger broken: it no longer holds the expected head ${formatHead(expectHead)} (rows were removed or rewritten)`, EXIT_FAILURE, 'stdout');
  }
  const head = ledger.head();
  return `ledger intact: ${result.rows} rows${head ? `, head ${formatHead(head)}` : ''}`;
}

function formatHead(head: LedgerHead): string {
  return `${head.seq}:${head.hash}`;
}

function headOption(text: string): LedgerHead {
  const match = /^(\d+):([0-9a-f]{64})$/.exec(text.trim());
  if (!match || Number(match[1]) < 1) throw new InvalidArgumentError('must be SEQ:HASH as printed by ledger verify (e.g. 42:3f9a…, 64 hex digits).');
  return { seq: Number(match[1]), hash: match[2] };
}
