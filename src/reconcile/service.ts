import type { Connector } from '../../connectors/sdk/contract';
import type { Logger } from '../log';
import type { Store } from '../store';
import { connectorEnv } from '../sync/connector-env';
import { targetRedactor } from '../sync/target-runtime';
import type { TargetSettings } from '../sync/target-config';
import { Reconciler, type RunOptions, type StartedRun } from './reconciler';
import { DriftReports } from './report-store';
import type { ReconcileSettings } from './settings';

export class UnknownReconcileTargetError extends Error {
  readonly status = 404;
  constructor(readonly target: string) {
    super(`no target named '${target}'`);
    this.name = 'UnknownReconcileTargetError';
  }
}

export class RunInProgressError extends Error {
  readonly status = 409;
  constructor(readonly target: string, readonly runId: string) {
    super(`a reconciliation of '${target}' is already running (${runId})`);
    this.name = 'RunInProgressError';
  }
}

export interface ReconcileServiceOptions {
  store: Store;
  targets: readonly TargetSettings[];
  settings: ReadonlyMap<string, ReconcileSettings>;
  logger: Logger;
  fetch?: typeof fetch;
}

/**
 * Runs reconciliations for the configured targets, at most one per target at a time (a second start while
 * one runs is refused with RunInProgressError). Its connectors are its own instances, used for listing only.
 */
export class ReconcileService {
  readonly reports: DriftReports;
  private readonly connectors = new Map<string, Connector>();
  private readonly running = new Map<string, { id: string; abort: AbortController; done: Promise<unknown> }>();

  constructor(private readonly options: ReconcileServiceOptions) {
    this.reports = new DriftReports(options.store.db);
  }

  get targetNames(): string[] {
    return this.options.targets.map((target) => target.name);
  }

  settingsFor(target: string): ReconcileSettings {
    const settings = this.options.settings.get(target);
    if (!settings) throw new UnknownReconcileTargetError(target);
    return settings;
  }

  start(target: string, options: Omit<RunOptions, 'signal'>): StartedRun {
    const settings = this.target(target);
    const active = this.running.get(target);
    if (active) throw new RunInProgressError(target, active.id);
    const abort = new AbortController();
    const reconciler = new Reconciler(this.options.store, settings, this.connectorFor(settings), this.settingsFor(target));
    const started = reconciler.start({ ...options, signal: abort.signal });
    const done = started.done.finally(() => this.running.delete(target));
    this.running.set(target, { id: started.id, abort, done });
    done.then(
      (report) => this.options.logger.info('reconciliation finished', { target, runId: report.id, requestId: report.requestId, status: report.status, verdict: report.verdict, reason: report.reason ?? undefined }),
      () => undefined,
    );
    return { ...started, done };
  }

  /** Aborts runs in progress (they end as failed), waits for them, and closes the connectors. */
  async close(): Promise<void> {
    for (const run of this.running.values()) run.abort.abort(new Error('the bridge is shutting down'));
    await Promise.allSettled([...this.running.values()].map((run) => run.done));
    await Promise.allSettled([...this.connectors.values()].map((connector) => connector.close?.()));
    this.connectors.clear();
  }

  private target(name: string): TargetSettings {
    const settings = this.options.targets.find((target) => target.name === name);
    if (!settings) throw new UnknownReconcileTargetError(name);
    return settings;
  }

  private connectorFor(settings: TargetSettings): Connector {
    let connector = this.connectors.get(settings.name);
    if (!connector) {
      const env = connectorEnv(this.options.logger, settings.name, settings.definition.kind, () => this.options.store.now(), this.options.fetch, targetRedactor(settings));
      connector = settings.definition.create(settings.config, env);
      this.connectors.set(settings.name, connector);
    }
    return connector;
  }
}
