import { Option, type Command } from 'commander';
import { loadConfig } from '../config/load';
import { GrantError, Grants, type Grant, type GrantState } from '../store/grants';
import { GrantService } from '../lifecycle/grant-service';
import type { Store } from '../store';
import { withDatabaseOptions, withStore, type DatabaseOptions } from './database';
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

/** `grant create | approve | list | revoke`: time-bound access, the same rules as /admin/grants. */
export function registerGrantCommands(program: Command, io: CliIo): void {
  const grant = program.command('grant').description('time-bound access to a group: requested, approved when privileged, removed at expiry');
  const ctx = { actor: `cli:${io.env.USER ?? 'operator'}`, requestId: `cli-${Date.now()}`, source: 'cli' as const };

  withDatabaseOptions(
    grant
      .command('create')
      .description('request access; prints the grant as JSON (state pending-approval for privileged groups)')
      .requiredOption('--user <user>', 'SCIM user id or userName')
      .requiredOption('--group <group>', 'SCIM group id or displayName')
      .requiredOption('--reason <text>', 'why the access is needed')
      .requiredOption('--requester <name>', 'who asks for it')
      .option('--duration <iso>', 'ISO 8601 duration, e.g. PT2H or P30D')
      .option('--expires <date-time>', 'ISO 8601 expiry instead of a duration')
      .option('--starts <date-time>', 'ISO 8601 start (default now)'),
  ).action((options: CreateOptions) =>
    withGrants(options, io, (service) => {
      if (!options.duration === !options.expires) throw new CliError('give exactly one of --duration and --expires');
      const input = { user: options.user, group: options.group, reason: options.reason, requester: options.requester, duration: options.duration, expiresAt: options.expires, startsAt: options.starts };
      writeLine(io.stdout, JSON.stringify(service.request(ctx, input)));
    }),
  );

  withDatabaseOptions(
    grant.command('approve').description('approve a pending grant (the approver must not be the requester)').argument('<id>').requiredOption('--approver <name>', 'who approves'),
  ).action((id: string, options: DatabaseOptions & { approver: string }) =>
    withGrants(options, io, (_service, grants) => writeLine(io.stdout, JSON.stringify(grants.approve(ctx, id, options.approver)))),
  );

  withDatabaseOptions(grant.command('revoke').description('end a grant now').argument('<id>').requiredOption('--reason <text>', 'why')).action(
    (id: string, options: DatabaseOptions & { reason: string }) =>
      withGrants(options, io, (_service, grants) => writeLine(io.stdout, JSON.stringify(grants.revoke(ctx, id, options.reason)))),
  );

  withDatabaseOptions(
    grant
      .command('list')
      .description('list grants')
      .option('--user <id>', 'only this user id')
      .addOption(new Option('--state <state>', 'only grants in this state').choices(['pending-approval', 'scheduled', 'active', 'expired', 'revoked']))
      .option('--json', 'one JSON object per line'),
  ).action((options: DatabaseOptions & { user?: string; state?: GrantState; json?: boolean }) =>
    withGrants(options, io, (_service, grants) => {
      const list = grants.list({ userId: options.user, state: options.state });
      for (const line of options.json ? list.map((g) => JSON.stringify(g)) : grantTable(list)) writeLine(io.stdout, line);
    }),
  );
}

function withGrants(options: DatabaseOptions, io: CliIo, fn: (service: GrantService, grants: Grants, store: Store) => void): Promise<void> {
  const lifecycle = loadConfig({ file: options.config, overrides: { dbFile: options.db }, env: io.env, resolveSecrets: false }).lifecycle;
  return withStore(options, io, true, (store) => {
    const grants = new Grants(store.db, store.changes, store.now);
    try {
      fn(new GrantService(store.db, grants, lifecycle, store.now), grants, store);
    } catch (error) {
      if (error instanceof GrantError) throw new CliError(error.message);
      throw error;
    }
  });
}

function grantTable(grants: Grant[]): string[] {
  const rows = [['ID', 'USER', 'GROUP', 'STATE', 'APPROVER', 'EXPIRES'], ...grants.map((g) => [g.id, g.user_id, g.group_id, g.state, g.approver ?? '-', g.expires_at])];
  const widths = rows[0].map((_, column) => Math.max(...rows.map((row) => row[column].length)));
  return rows.map((row) => row.map((cell, column) => cell.padEnd(widths[column])).join('  ').trimEnd());
}
