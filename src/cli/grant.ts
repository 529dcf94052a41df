import { randomUUID } from 'node:crypto';
import { Option, type Command } from 'commander';
import { loadConfig } from '../config/load';
import { lifecycleParts, counts } from '../lifecycle/module';
import type { ChangeContext, Store } from '../store';
import { GrantError, GRANT_STATES, type Grant, type GrantState } from '../store/grants';
import { IdentityError } from '../lifecycle/identity-admin';
import { UnknownTargetError } from '../lifecycle/access-report';
import { withDatabaseOptions, withStore, type DatabaseOptions } from './database';
import { table } from './delivery-admin-cli';
import { CliError, writeLine, type CliIo } from './io';

interface CreateOptions extends DatabaseOptions {
  user: string;
  group: string;
  reason: string;
  requester: string;
  duration?: string;
  expires?: string;
  starts?: string;
}

interface ListOptions extends DatabaseOptions {
  user?: string;
  group?: string;
  state?: GrantState;
  json?: boolean;
}

/** `grant create | approve | list | revoke | sweep`: time-bound access, the same rules as /admin/grants. */
export function registerGrantCommands(program: Command, io: CliIo): void {
  const grant = program.command('grant').description('time-bound access to a group: requested, approved when privileged, removed at expiry');

  withDatabaseOptions(
    grant
      .command('create')
      .description('request access; prints the grant as JSON (state pending-approval for privileged groups)')
      .requiredOption('--user <user>', 'SCIM user id or userName')
      .requiredOption('--group <group>', 'SCIM group id or displayName')
      .requiredOption('--reason <text>', 'why the access is needed')
      .requiredOption('--requester <user>', 'who asks for it: an active user (id or userName)')
      .option('--duration <iso>', 'ISO 8601 duration in weeks, days, hours, minutes or seconds, e.g. PT2H or P30D')
      .option('--expires <date-time>', 'ISO 8601 expiry instead of a duration')
      .option('--starts <date-time>', 'ISO 8601 start (default now)'),
  ).action((options: CreateOptions) =>
    withLifecycle(options, io, ({ grantService }) => {
      if (!options.duration === !options.expires) throw new CliError('give exactly one of --duration and --expires');
      const input = { user: options.user, group: options.group, reason: options.reason, requester: options.requester, duration: options.duration, expiresAt: options.expires, startsAt: options.starts };
      const created = grantService.request(cliContext(io), input);
      for (const warning of created.warnings ?? []) writeLine(io.stderr, `warning: ${warning}`);
      writeLine(io.stdout, JSON.stringify(created));
    }),
  );

  withDatabaseOptions(
    grant
      .command('approve')
      .description('approve a pending grant (the approver is an active user, neither the requester nor the grantee)')
      .argument('<id>')
      .requiredOption('--approver <user>', 'who approves (id or userName)'),
  ).action((id: string, options: DatabaseOptions & { approver: string }) =>
    withLifecycle(options, io, ({ grantService }) => writeLine(io.stdout, JSON.stringify(grantService.approve(cliContext(io), id, options.approver)))),
  );

  withDatabaseOptions(grant.command('revoke').description('end a grant now').argument('<id>').requiredOption('--reason <text>', 'why')).action(
    (id: string, options: DatabaseOptions & { reason: string }) =>
      withLifecycle(options, io, ({ grants }) => writeLine(io.stdout, JSON.stringify(grants.revoke(cliContext(io), id, options.reason)))),
  );

  withDatabaseOptions(
    grant
      .command('list')
      .description('list grants')
      .option('--user <user>', 'only this user (id or userName)')
      .option('--group <group>', 'only this group (id or displayName)')
      .addOption(new Option('--state <state>', 'only grants in this state').choices([...GRANT_STATES]))
      .option('--json', 'one JSON object per line'),
  ).action((options: ListOptions) =>
    withLifecycle(options, io, ({ grants, grantService }, store) => {
      const list = grants.list({
        userId: options.user && grantService.userId(options.user),
        groupId: options.group && grantService.groupId(options.group),
        state: options.state,
      });
      for (const line of options.json ? list.map((g) => JSON.stringify(g)) : grantTable(store, list)) writeLine(io.stdout, line);
    }),
  );

  withDatabaseOptions(
    grant.command('sweep').description('run the expiry sweeper now (grants, identity expiry, leaver cascade); prints what it changed as JSON'),
  ).action((options: DatabaseOptions) =>
    withLifecycle(options, io, ({ sweeper }) => {
      const result = sweeper.run(`cli-sweep-${randomUUID()}`);
      writeLine(io.stderr, Object.entries(counts(result)).map(([key, n]) => `${key}: ${n}`).join(', '));
      writeLine(io.stdout, JSON.stringify(result));
    }),
  );
}

type LifecycleParts = ReturnType<typeof lifecycleParts>;

/** Runs fn over the lifecycle parts built from the config and the database; a refused request becomes a CLI error. */
export function withLifecycle(options: DatabaseOptions, io: CliIo, fn: (parts: LifecycleParts, store: Store) => void): Promise<void> {
  const config = loadConfig({ file: options.config, overrides: { dbFile: options.db }, env: io.env, resolveSecrets: false });
  return withStore(options, io, true, (store) => {
    try {
      fn(lifecycleParts(store, config), store);
    } catch (error) {
      if (error instanceof GrantError || error instanceof IdentityError || error instanceof UnknownTargetError) throw new CliError(error.message);
      throw error;
    }
  });
}

export function cliContext(io: CliIo): ChangeContext {
  return { actor: `cli:${io.env.USER ?? 'operator'}`, requestId: `cli-${randomUUID()}`, source: 'cli' };
}

function grantTable(store: Store, grants: Grant[]): string[] {
  const name = (table: 'users' | 'groups', column: 'user_name' | 'display_name', id: string) =>
    (store.db.prepare(`SELECT ${column} AS name FROM ${table} WHERE id = ?`).get(id) as { name: string } | undefined)?.name ?? id;
  const header = ['ID', 'USER', 'GROUP', 'STATE', 'REQUESTER', 'APPROVER', 'EXPIRES', 'FLAG'];
  const rows = grants.map((g) => [
    g.id, name('users', 'user_name', g.user_id), name('groups', 'display_name', g.group_id), g.state, g.requester, g.approver ?? '-', g.expires_at, g.flag_reason ?? '-',
  ]);
  return table([header, ...rows]);
}
