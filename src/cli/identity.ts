import type { Command } from 'commander';
import type { IdentityChanges } from '../lifecycle/identity-admin';
import type { DatabaseOptions } from './database';
import { withDatabaseOptions } from './database';
import { cliContext, withLifecycle } from './grant';
import { CliError, writeLine, type CliIo } from './io';

interface SetOptions extends DatabaseOptions {
  type?: string;
  owner?: string;
  sponsor?: string;
  purpose?: string;
  expires?: string;
  unset?: string[];
}

const FIELDS = ['identityType', 'owner', 'sponsor', 'purpose', 'expiresAt'] as const;

/** `identity show | set`: the identity-lifecycle extension of a user, the same rules as PATCH /admin/identities. */
export function registerIdentityCommands(program: Command, io: CliIo): void {
  const identity = program.command('identity').description('identity type, owner, sponsor, purpose and expiry of a user (service accounts, contractors)');

  withDatabaseOptions(identity.command('show').description('print the identity as JSON').argument('<user>', 'user id or userName')).action(
    (user: string, options: DatabaseOptions) => withLifecycle(options, io, ({ identities }) => writeLine(io.stdout, JSON.stringify(identities.show(user)))),
  );

  withDatabaseOptions(
    identity
      .command('set')
      .description('set fields (contractors need --sponsor and --expires, services --owner and --purpose); prints the identity')
      .argument('<user>', 'user id or userName')
      .option('--type <type>', 'human, contractor or service')
      .option('--owner <user>', 'the active user who owns it (id or userName)')
      .option('--sponsor <user>', "the active user who sponsors a contractor (id or userName)")
      .option('--purpose <text>', 'what it is for')
      .option('--expires <date-time>', 'ISO 8601 date-time after which the sweeper disables it')
      .option('--unset <field...>', `fields to remove: ${FIELDS.join(', ')}`),
  ).action((user: string, options: SetOptions) =>
    withLifecycle(options, io, ({ identities }) => writeLine(io.stdout, JSON.stringify(identities.update(cliContext(io), user, changesFrom(options))))),
  );
}

function changesFrom(options: SetOptions): IdentityChanges {
  const changes: IdentityChanges = {};
  for (const field of options.unset ?? []) {
    if (!(FIELDS as readonly string[]).includes(field)) throw new CliError(`--unset takes ${FIELDS.join(', ')}; got '${field}'`, 2);
    changes[field as (typeof FIELDS)[number]] = null;
  }
  const set: Array<[keyof IdentityChanges, string | undefined]> = [
    ['identityType', options.type], ['owner', options.owner], ['sponsor', options.sponsor], ['purpose', options.purpose], ['expiresAt', options.expires],
  ];
  for (const [field, value] of set) if (value !== undefined) changes[field] = value;
  if (Object.keys(changes).length === 0) throw new CliError('nothing to set: give --type, --owner, --sponsor, --purpose, --expires or --unset', 2);
  if (options.expires !== undefined && Number.isNaN(Date.parse(options.expires))) throw new CliError('--expires must be an ISO 8601 date-time', 2);
  return changes;
}
