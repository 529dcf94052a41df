import type { AnyConnectorDefinition, Health } from '../../connectors/sdk/contract';
import type { TargetConfig } from '../config/types';
import type { Logger } from '../log';
import type { Store } from '../store';
import { checkConnector, connectorEnv } from './connector-env';
import { DeliveryOutcomes } from './delivery-outcome';
import { DesiredState } from './desired-state';
import type { DeliveryObserver } from './observer';
import { createTargetRouter } from './scope';
import { SyncContext } from './sync-context';
import { TargetBackfill, type BackfillResult } from './target-backfill';
import { resolveTargets, type TargetSettings } from './target-config';
import { TargetRuntime, targetRedactor } from './target-runtime';
import { CONFIGURATION_PAUSE, TargetStates } from './target-state';
import { TargetWorker } from './target-worker';
import { Tombstones } from './tombstones';

const TOMBSTONE_SWEEP_MS = 10 * 60_000;

export interface SyncEngineOptions {
  store: Store;
  targets: readonly TargetConfig[];
  connectors: readonly AnyConnectorDefinition[];
  logger: Logger;
  observer?: DeliveryObserver;
  fetch?: typeof fetch;
  /** Longest idle sleep of a target's worker. */
  pollMs?: number;
  /** Jitter source for backoff (tests make it deterministic). */
  random?: () => number;
}

export interface TargetStatus {
  name: string;
  connector: string;
  paused: boolean;
  pausedReason: string | null;
  health: Health;
  /** Operations in flight now. */
  busy: number;
}

/**
 * The sync engine service: routes changes to targets, and runs one worker per target over the sync
 * queue. The only code path that writes to targets. Time comes from the store's clock.
 */
export class SyncEngine {
  readonly name = 'sync-engine';
  readonly targets: TargetSettings[];
  private readonly store: Store;
  private readonly states: TargetStates;
  private readonly tombstones: Tombstones;
  private readonly backfill: TargetBackfill;
  private readonly sync: SyncContext;
  private readonly runtimes = new Map<string, TargetRuntime>();
  private readonly workers = new Map<string, TargetWorker>();
  private unsubscribe?: () => void;
  private purgeTimer?: NodeJS.Timeout;
  /** Rows found in flight at start (a crash or kill during delivery), told in announce(). */
  private resumed = 0;
  /** Targets whose settings were new or changed at start (target-backfill.ts), told in announce(). */
  private backfilled: BackfillResult[] = [];
  private announced = false;
  /** Lines that came up before announce() (a target resumed by its first check), logged by it. */
  private readonly pendingNotices: Array<() => void> = [];

  constructor(private readonly options: SyncEngineOptions) {
    this.store = options.store;
    this.targets = resolveTargets(options.targets, options.connectors);
    const now = () => this.store.now();
    const desired = new DesiredState(this.store.db, now);
    this.sync = new SyncContext(this.store, desired, now);
    this.states = new TargetStates(this.store.db, now);
    this.tombstones = new Tombstones(this.store.db);
    this.backfill = new TargetBackfill(this.store, desired);
    // Routing must be in place before the first SCIM write, whether or not workers run yet.
    this.store.changes.routeWith(createTargetRouter(this.targets, desired, (subject) => this.sync.trackedOn(subject)));
  }

  async start(): Promise<void> {
    this.resumed = this.store.queue.recoverInflight();
    this.tombstones.purgeAll();
    this.backfilled = this.backfill.run(this.targets);
    const outcomes = new DeliveryOutcomes(this.store, this.states, this.tombstones, this.options.observer ?? {}, this.options.random ?? Math.random);
    for (const settings of this.targets) this.startTarget(settings, outcomes);
    this.unsubscribe = this.store.queue.onEnqueue((target) => this.workers.get(target)?.wake());
    // Subjects deleted while no target had them in scope never pass through a worker: sweep them up.
    this.purgeTimer = setInterval(() => this.purgeTombstones(), TOMBSTONE_SWEEP_MS);
    this.purgeTimer.unref();
  }

  /** After the server's `listening` line, which must stay the first. */
  announce(): void {
    this.announced = true;
    for (const notice of this.pendingNotices.splice(0)) notice();
    for (const settings of this.targets) {
      const state = this.states.get(settings.name);
      if (state.paused) this.options.logger.warn('target is paused: nothing is delivered to it until it is resumed', { target: settings.name, reason: state.reason });
    }
    if (this.resumed) this.options.logger.info('resuming deliveries left in flight', { count: this.resumed });
    for (const result of this.backfilled) {
      this.options.logger.info('target settings are new or changed: queued the users and groups they put on the target', { ...result });
      const { users, groups } = result.notReapplied;
      if (users || groups) {
        this.options.logger.warn('linked accounts of inactive, deleted or out-of-scope users, or of groups no longer mapped, were not re-applied; run reconcile to review them', { target: result.target, users, groups });
      }
    }
  }

  private startTarget(settings: TargetSettings, outcomes: DeliveryOutcomes): void {
    const env = connectorEnv(this.options.logger, settings.name, settings.definition.kind, () => this.store.now(), this.options.fetch, targetRedactor(settings));
    const runtime = new TargetRuntime(settings, settings.definition.create(settings.config, env));
    this.runtimes.set(settings.name, runtime);
    const observer = this.options.observer ?? {};
    const worker = new TargetWorker(runtime, {
      sync: this.sync, outcomes, states: this.states, observer, logger: this.options.logger, pollMs: this.options.pollMs ?? 250,
    });
    this.workers.set(settings.name, worker);
    worker.start();
    void this.checkHealth(runtime).then(() => this.endFixedConfigurationPause(runtime));
  }

  /** A pause the engine made for a configuration error ends at a start whose check passes: the config was fixed. */
  private endFixedConfigurationPause(runtime: TargetRuntime): void {
    const state = this.states.get(runtime.name);
    if (!runtime.health.ok || !state.paused || !state.reason?.startsWith(CONFIGURATION_PAUSE)) return;
    this.store.transaction(() => {
      this.states.resume(runtime.name);
      this.store.ledger.append({
        actor: 'sync-engine', source: 'engine', kind: 'target.resumed', subject: `target:${runtime.name}`, target: runtime.name,
        reason: `its check passes at start, after a pause for ${state.reason}`,
      });
    });
    this.notice(() => this.options.logger.info('target resumed: its check passes now, after a pause for a configuration error', { target: runtime.name, pausedFor: state.reason }));
    this.workers.get(runtime.name)?.wake();
  }

  private notice(log: () => void): void {
    if (this.announced) log();
    else this.pendingNotices.push(log);
  }

  private purgeTombstones(): void {
    try {
      this.tombstones.purgeAll();
    } catch (error) {
      this.options.logger.warn('tombstone sweep failed', { error: String(error) });
    }
  }

  async stop(): Promise<void> {
    this.unsubscribe?.();
    clearInterval(this.purgeTimer);
    await Promise.all([...this.workers.values()].map((worker) => worker.stop()));
    this.workers.clear();
    await Promise.allSettled([...this.runtimes.values()].map((runtime) => runtime.connector.close?.()));
    this.runtimes.clear();
  }

  /** Stops deliveries to a target (persisted: survives restarts, visible to the CLI). */
  pause(target: string, reason = 'paused by an operator'): void {
    this.requireTarget(target);
    this.states.pause(target, reason);
  }

  resume(target: string): void {
    this.requireTarget(target);
    this.states.resume(target);
    this.refresh(target);
  }

  /** After a resume or retry made elsewhere (admin API, CLI): re-check the target's health and wake it. */
  refresh(target: string): void {
    const runtime = this.runtimes.get(target);
    if (runtime) void this.checkHealth(runtime);
    this.workers.get(target)?.wake();
  }

  /** Live state per target (queue depths come from DeliveryAdmin.targets(), which needs no running engine). */
  status(): TargetStatus[] {
    return this.targets.map((settings) => {
      const state = this.states.get(settings.name);
      return {
        name: settings.name,
        connector: settings.definition.kind,
        paused: state.paused,
        pausedReason: state.reason,
        health: this.runtimes.get(settings.name)?.health ?? { ok: false, message: 'engine not running' },
        busy: this.workers.get(settings.name)?.busy ?? 0,
      };
    });
  }

  private requireTarget(target: string): void {
    if (!this.targets.some((settings) => settings.name === target)) throw new UnknownTargetError(target);
  }

  private async checkHealth(runtime: TargetRuntime): Promise<void> {
    const health = await checkConnector(runtime.connector, runtime.name);
    runtime.health = { ok: health.ok, message: runtime.scrub(health.message) };
  }
}

export class UnknownTargetError extends Error {
  constructor(readonly target: string) {
    super(`no target named '${target}'`);
    this.name = 'UnknownTargetError';
  }
}
