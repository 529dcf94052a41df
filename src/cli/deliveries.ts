import { Option, type Command } from 'commander';
import type { QueueItem, QueueState, SubjectRef } from '../store';
import { withDatabaseOptions, withStore, type DatabaseOptions } from './database';
import { CliError, writeLine, type CliIo } from './io';
import { cliContext, deliveryAdmin, table } from './delivery-admin-cli';
import { positiveIntegerOption } from './option-parsers';

interface ListOptions extends DatabaseOptions {
  target?: string;
  state?: QueueState;
  limit: number;
  json?: boolean;
}

/** `deliveries list | dead | retry`: the sync queue, straight from the database file. */
export function registerDeliveryCommands(program: Command, io: CliIo): void {
  const deliveries = program.command('deliveries').description('inspect and retry deliveries to targets (works on the database file)');

  listCommand(deliveries.command('list').description('queued deliveries, oldest due first')
    .addOption(new Option('--state <state>', 'only this state').choices(['pending', 'inflight', 'dead'])), io, undefined);
  listCommand(deliveries.command('dead').description('dead-lettered deliveries with the target\'s error'), io, 'dead');

  withDatabaseOptions(
    deliveries
      .command('retry')
      .description('put dead deliveries back in the queue: one subject (--user/--group) or all of the target')
      .requiredOption('--target <name>', 'the target')
      .option('--user <id>', 'only this user')
      .option('--group <id>', 'only this group'),
  ).action((options: DatabaseOptions & { target: string; user?: string; group?: string }) =>
    withStore(options, io, true, (store) => {
      if (options.user && options.group) throw new CliError('give --user or --group, not both');
      const subject: SubjectRef | undefined = options.user ? { kind: 'user', id: options.user } : options.group ? { kind: 'group', id: options.group } : undefined;
      const retried = deliveryAdmin(store, options, io).retry(options.target, subject, cliContext());
      writeLine(io.stdout, String(retried));
      writeLine(io.stderr, retried ? `${retried} dead deliveries queued again; a running server picks them up within a second` : 'nothing dead to retry');
    }),
  );
}

function listCommand(command: Command, io: CliIo, state: QueueState | undefined): void {
  withDatabaseOptions(
    command
      .option('--target <name>', 'only this target')
      .option('--limit <n>', 'at most this many rows', positiveIntegerOption, 100)
      .option('--json', 'one JSON object per line'),
  ).action((options: ListOptions) =>
    withStore(options, io, true, (store) => {
      const items = deliveryAdmin(store, options, io).deliveries({ target: options.target, state: state ?? options.state, limit: options.limit });
      const lines = options.json ? items.map((item) => JSON.stringify(item)) : deliveryTable(items);
      for (const line of lines) writeLine(io.stdout, line);
    }),
  );
}

function deliveryTable(items: QueueItem[]): string[] {
  return table([
    ['TARGET', 'SUBJECT', 'STATE', 'ATTEMPTS', 'DUE', 'ERROR'],
    ...items.map((item) => [item.target, `${item.subject_kind}:${item.subject_id}`, item.state, String(item.attempts), new Date(item.due_at).toISOString(), item.last_error ?? '-']),
  ]);
}
