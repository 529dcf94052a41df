import type { Command } from 'commander';
import { SingleBar, Presets } from 'cli-progress';
import { connectors } from '../../connectors';
import { loadConfig } from '../config/load';
import { createLogger } from '../log';
import type { ReconcileProgress } from '../reconcile/reconciler';
import { DriftReports, type DriftReport } from '../reconcile/report-store';
import { ReconcileService } from '../reconcile/service';
import { resolveReconcileSettings } from '../reconcile/settings';
import { resolveTargets } from '../sync/target-config';
import { withDatabaseOptions, withStore, type DatabaseOptions } from './database';
import type { Store } from '../store';
import { CliError, EXIT_USAGE, writeLine, type CliIo } from './io';
import { reportLines } from './reconcile-report';
import { table } from './table';

interface ReconcileOptions extends DatabaseOptions {
  target?: string;
  list?: boolean;
  show?: string;
  fix?: boolean;
  dryRun?: boolean;
  json?: boolean;
}

/** Exit code when drift was found and only reported (0: in sync or fixed; 1: the run failed or was blocked). */
export const EXIT_DRIFT = 3;

/**
 * `reconcile --target NAME`: one run against the target, from the database file and the config's
 * connector. `reconcile --list` and `reconcile --show ID` read stored runs without touching any target.
 */
export function registerReconcileCommand(program: Command, io: CliIo): void {
  withDatabaseOptions(
    program
      .command('reconcile')
      .description('compare a target with desired state and report (or fix) drift; exit 0 in sync or fixed, 3 drift reported, 1 failed or blocked')
      .option('--target <name>', 'the target to reconcile, as named in the config (with --list: only its runs)')
      .option('--fix', 'enqueue the drifted subjects for the sync engine (a running serve delivers them)')
      .option('--dry-run', 'with --fix: plan the fixes and check the blast radius, change nothing')
      .option('--json', 'print the report and every finding as one JSON object (--list: one run per line)')
      .option('--list', 'list stored runs, newest first, instead of running one')
      .option('--show <id>', 'print a stored run and its findings instead of running one'),
  ).action((options: ReconcileOptions) =>
    withStore(options, io, true, async (store) => {
      if (options.list) return listRuns(new DriftReports(store.db), options, io);
      if (options.show) return showRun(new DriftReports(store.db), options.show, options, io);
      if (!options.target) throw new CliError('--target is required to run a reconciliation (or use --list / --show ID)', EXIT_USAGE);
      await runOnce(store, options as ReconcileOptions & { target: string }, io);
    }),
  );
}

async function runOnce(store: Store, options: ReconcileOptions & { target: string }, io: CliIo): Promise<void> {
  const config = loadConfig({ file: options.config, overrides: { dbFile: options.db }, env: io.env, connectors });
  const service = new ReconcileService({
    store,
    targets: resolveTargets(config.targets, connectors),
    settings: resolveReconcileSettings(config.targets),
    logger: createLogger({ stream: io.stderr, level: 'warn' }),
  });
  if (!service.targetNames.includes(options.target)) {
    const configFile = options.config ?? io.env.SCIM_BRIDGE_CONFIG;
    if (!configFile) throw new CliError(`no target named '${options.target}': targets come from the config file, and none was given (--config FILE or SCIM_BRIDGE_CONFIG)`);
    throw new CliError(`no target named '${options.target}' in ${configFile} (targets: ${service.targetNames.join(', ') || 'none'})`);
  }
  const progress = options.json ? undefined : progressReporter(io);
  try {
    const run = service.start(options.target, { mode: options.fix ? 'fix' : 'report', dryRun: options.dryRun, trigger: 'cli', actor: 'cli', onProgress: progress?.update });
    const report = await run.done;
    progress?.stop();
    printReport(service.reports, report, options, io);
    if (report.mode === 'fix' && !report.dryRun && report.summary?.fixes.applied) {
      writeLine(io.stderr, 'fixes are queued: a running `npx scim-bridge serve` on this database delivers them');
    }
    exitFor(report);
  } finally {
    await service.close();
  }
}

function listRuns(reports: DriftReports, options: ReconcileOptions, io: CliIo): void {
  const runs = reports.list({ target: options.target, limit: 1000 });
  if (options.json) return runs.forEach((run) => writeLine(io.stdout, JSON.stringify(run)));
  const count = (run: DriftReport) => String(Object.values(run.summary?.findings ?? {}).reduce((sum, n) => sum + (n ?? 0), 0));
  const rows = runs.map((run) => [run.id, run.target, `${run.mode}${run.dryRun ? ' (dry)' : ''}`, run.trigger, run.startedAt, run.status, run.verdict ?? '-', count(run)]);
  for (const line of table([['RUN', 'TARGET', 'MODE', 'TRIGGER', 'STARTED', 'STATUS', 'VERDICT', 'FINDINGS'], ...rows])) writeLine(io.stdout, line);
}

function showRun(reports: DriftReports, id: string, options: ReconcileOptions, io: CliIo): void {
  const report = reports.get(id);
  if (!report) throw new CliError(`no reconciliation run ${id} in this database`);
  printReport(reports, report, options, io);
}

function printReport(reports: DriftReports, report: DriftReport, options: ReconcileOptions, io: CliIo): void {
  if (options.json) writeJsonReport(reports, report, io);
  else for (const line of reportLines(reports, report)) writeLine(io.stdout, line);
}

const JSON_PAGE = 1000;

/** The report and all its findings as one JSON object on one line, written a page of findings at a time. */
function writeJsonReport(reports: DriftReports, report: DriftReport, io: CliIo): void {
  io.stdout.write(`${JSON.stringify(report).slice(0, -1)},"findings":[`);
  for (let after = 0; ;) {
    const page = reports.findings(report.id, { afterSeq: after, limit: JSON_PAGE });
    if (page.length === 0) break;
    io.stdout.write(`${after ? ',' : ''}${page.map((finding) => JSON.stringify(finding)).join(',')}`);
    after = page[page.length - 1].seq;
  }
  writeLine(io.stdout, ']}');
}

function exitFor(report: DriftReport): void {
  if (report.status === 'failed') throw new CliError(`reconcile ${report.target}: ${report.reason ?? 'failed'}`);
  if (report.verdict === 'drift') throw new CliError(`reconcile ${report.target}: drift found`, EXIT_DRIFT);
}

/** A progress bar on a terminal; on anything else one plain line per phase. */
function progressReporter(io: CliIo): { update(progress: ReconcileProgress): void; stop(): void } {
  const stream = io.stderr as NodeJS.WriteStream;
  if (stream.isTTY) {
    const bar = new SingleBar({ stream, format: '{phase} [{bar}] {value}/{total} | findings {findings}', hideCursor: true }, Presets.shades_classic);
    let started = false;
    return {
      update(progress) {
        if (progress.phase === 'done') return;
        const total = Math.max(progress.expected ?? progress.count, progress.count, 1);
        if (!started) bar.start(total, progress.count, { phase: progress.phase, findings: progress.findings });
        started = true;
        bar.setTotal(total);
        bar.update(progress.count, { phase: progress.phase.padEnd(7), findings: progress.findings });
      },
      stop: () => started && bar.stop(),
    };
  }
  let phase = '';
  let last = { count: 0, findings: 0 };
  return {
    update(progress) {
      if (progress.phase !== phase && phase) writeLine(io.stderr, `${phase}: ${last.count} done, ${last.findings} finding${last.findings === 1 ? '' : 's'} so far`);
      phase = progress.phase;
      last = progress;
    },
    stop: () => undefined,
  };
}
