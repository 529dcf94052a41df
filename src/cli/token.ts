import { Option, type Command } from 'commander';
import { TokenExistsError, Tokens, type TokenInfo, type TokenScope } from '../store/tokens';
import type { Store } from '../store';
import { withDatabaseOptions, withStore, type DatabaseOptions } from './database';
import { CliError, writeLine, type CliIo } from './io';

const TOKEN_NAME = /^[A-Za-z0-9][A-Za-z0-9._-]{0,63}$/;

/** `token create | list | revoke`: bearer tokens for IdPs (scope scim) and operators (scope admin). */
export function registerTokenCommands(program: Command, io: CliIo): void {
  const token = program.command('token').description('manage bearer tokens (stored hashed; shown once at creation)');

  withDatabaseOptions(
    token
      .command('create')
      .description('create a token and print it (only it) on stdout')
      .requiredOption('--name <name>', 'who uses it, e.g. entra or okta; becomes the actor in the ledger')
      .addOption(new Option('--scope <scope>', 'what it may call').choices(['scim', 'admin']).default('scim')),
  ).action((options: DatabaseOptions & { name: string; scope: TokenScope }) =>
    withStore(options, io, false, (store) => writeLine(io.stdout, createToken(store, options.name, options.scope))),
  );

  withDatabaseOptions(token.command('list').description('list tokens (revoked ones too) without their secrets; last use is to the minute').option('--json', 'one JSON object per line')).action(
    (options: DatabaseOptions & { json?: boolean }) =>
      withStore(options, io, true, (store) => {
        const tokens = new Tokens(store.db).list();
        for (const line of options.json ? tokens.map((t) => JSON.stringify(t)) : tokenTable(tokens)) writeLine(io.stdout, line);
      }),
  );

  withDatabaseOptions(token.command('revoke').description('revoke a token at once').argument('<name>', 'the token name')).action(
    (name: string, options: DatabaseOptions) =>
      withStore(options, io, true, (store) => {
        revokeToken(store, name);
        writeLine(io.stderr, `revoked token '${name}'`);
      }),
  );
}

/** Creates the token and records who may now call the bridge in the ledger (name and scope, never the secret). */
function createToken(store: Store, name: string, scope: TokenScope): string {
  if (!TOKEN_NAME.test(name)) throw new CliError('--name must be 1-64 letters, digits, ".", "_" or "-", starting with a letter or digit');
  try {
    return store.transaction(() => {
      const secret = new Tokens(store.db).create(name, scope);
      store.ledger.append({ actor: 'cli', source: 'cli', kind: 'token.created', subject: `token:${name}`, after: { name, scope } });
      return secret;
    });
  } catch (error) {
    if (error instanceof TokenExistsError) throw new CliError(`${error.message}; revoke it first or choose another name`);
    throw error;
  }
}

function revokeToken(store: Store, name: string): void {
  store.transaction(() => {
    if (!new Tokens(store.db).revoke(name)) throw new CliError(`no active token named '${name}'`);
    store.ledger.append({ actor: 'cli', source: 'cli', kind: 'token.revoked', subject: `token:${name}` });
  });
}

function tokenTable(tokens: TokenInfo[]): string[] {
  const rows = [
    ['NAME', 'SCOPE', 'CREATED', 'LAST USED', 'STATUS'],
    ...tokens.map((t) => [t.name, t.scope, t.created_at, t.last_used_at ?? 'never', t.revoked_at ? `revoked ${t.revoked_at}` : 'active']),
  ];
  const widths = rows[0].map((_, column) => Math.max(...rows.map((row) => row[column].length)));
  return rows.map((row) => row.map((cell, column) => cell.padEnd(widths[column])).join('  ').trimEnd());
}
