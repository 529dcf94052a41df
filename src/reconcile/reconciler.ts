import { randomUUID } from 'node:crypto';
import { setImmediate } from 'node:timers/promises';
import type { Connector } from '../../connectors/sdk/contract';
import type { ChangeContext, Store } from '../store';
import { DesiredState } from '../sync/desired-state';
import { TargetRuntime } from '../sync/target-runtime';
import type { TargetSettings } from '../sync/target-config';
import { DesiredAccounts } from './desired-index';
import { exceededLimits, planRun, type Listed } from './blast-radius';
import type { FixStatus } from './drift';
import { FindingSink } from './finding-sink';
import { FixApplier } from './fixes';
import { DriftReports, type DriftReport, type RunPlan, type RunSummary, type RunTrigger, type Verdict } from './report-store';
import type { RunContext } from './run-context';
import { scanGroups } from './scan-groups';
import { scanUsers } from './scan-users';
import type { ReconcileMode, ReconcileSettings } from './settings';

export type ReconcilePhase = 'desired' | 'users' | 'groups' | 'fixing' | 'done';

export interface ReconcileProgress {
  phase: ReconcilePhase;
  /** Objects handled in this phase so far. */
  count: number;
  /** Desired users, for a progress bar's total while listing users. */
  expected?: number;
  findings: number;
}

export interface RunOptions {
  mode?: ReconcileMode;
  /** With mode fix: plan the fixes (and check the blast radius) without changing anything. */
  dryRun?: boolean;
  trigger: RunTrigger;
  actor: string;
  requestId?: string;
  pageSize?: number;
  signal?: AbortSignal;
  onProgress?(progress: ReconcileProgress): void;
}

export interface StartedRun {
  id: string;
  requestId: string;
  done: Promise<DriftReport>;
}

const FIX_PAGE = 500;

/**
 * One target's reconciliation: lists what the target holds, compares it with desired state and links,
 * stores the findings, and in fix mode enqueues the affected subjects for the sync engine - never a
 * connector write from here. Every ledger row of a run carries the run's request id.
 */
export class Reconciler {
  private readonly reports: DriftReports;

  constructor(
    private readonly store: Store,
    private readonly target: TargetSettings,
    private readonly connector: Connector,
    private readonly settings: ReconcileSettings,
  ) {
    this.reports = new DriftReports(store.db);
  }

  /** Records the run (status running) synchronously, then runs it; `done` settles with the stored report. */
  start(options: RunOptions): StartedRun {
    const id = randomUUID();
    const requestId = options.requestId ?? `reconcile-${id}`;
    const mode = options.mode ?? this.settings.mode;
    const ctx: ChangeContext = { actor: options.actor, requestId, source: 'reconciler' };
    const startedAt = this.store.now().toISOString();
    this.store.transaction(() => {
      this.reports.create({ id, target: this.target.name, mode, dryRun: options.dryRun === true, trigger: options.trigger, actor: options.actor, requestId, startedAt });
      this.ledger(ctx, 'reconcile.started', { reportId: id, mode, dryRun: options.dryRun === true, trigger: options.trigger });
    });
    const done = this.execute(id, startedAt, mode, ctx, options).then(() => this.reports.get(id)!);
    return { id, requestId, done };
  }

  run(options: RunOptions): Promise<DriftReport> {
    return this.start(options).done;
  }

  private async execute(id: string, startedAt: string, mode: ReconcileMode, ctx: ChangeContext, options: RunOptions): Promise<void> {
    const began = Date.now();
    const sink = new FindingSink(this.store, this.reports, id, this.target.name, ctx);
    const summary: RunSummary = { remoteUsers: 0, remoteGroups: 0, remoteMemberships: 0, desiredUsers: 0, desiredGroups: 0, findings: {}, fixes: {}, durationMs: 0 };
    const progress = (phase: ReconcilePhase, count: number, expected?: number) => options.onProgress?.({ phase, count, expected, findings: sink.count });
    let runtime: TargetRuntime | undefined;
    try {
      runtime = new TargetRuntime(this.target, this.connector); // the engine's mapping and its secret scrubbing
      const scrub = runtime.scrub.bind(runtime);
      const desired = new DesiredState(this.store.db, () => this.store.now());
      const { mapping } = runtime;
      progress('desired', 0);
      const accounts = await DesiredAccounts.build(this.store.db, this.target, desired, mapping, (count) => progress('desired', count));
      summary.desiredUsers = accounts.size;
      const run: RunContext = {
        store: this.store, target: this.target, connector: this.connector, desired, mapping, sink, pageSize: options.pageSize, scrub,
        op: { idempotencyKey: `reconcile:${id}`, requestId: ctx.requestId, signal: options.signal ?? new AbortController().signal },
        progress: (phase, count) => progress(phase, count, phase === 'users' ? accounts.size : undefined),
      };
      summary.remoteUsers = await scanUsers(run, accounts);
      if (this.connector.groups && (this.target.groups.length > 0 || this.hasGroupLinks())) {
        const groups = await scanGroups(run, this.connector.groups, accounts);
        summary.remoteGroups = groups.listed;
        summary.remoteMemberships = groups.memberships;
        summary.desiredGroups = groups.desired;
      }
      await this.conclude(id, startedAt, mode, ctx, options, { sink, summary, desired, began, progress });
    } catch (error) {
      sink.flush();
      summary.findings = sink.kinds;
      const failure = `run failed: ${(error as Error).message}`;
      const reason = runtime?.scrub(failure) ?? failure;
      this.finish(id, ctx, { status: 'failed', verdict: 'error', reason, summary: { ...summary, durationMs: Date.now() - began } });
    } finally {
      progress('done', sink.count);
    }
  }

  /** After the listing: check the plan against the blast radius, apply the fixes (fix mode), record the verdict. */
  private async conclude(
    id: string, startedAt: string, mode: ReconcileMode, ctx: ChangeContext, options: RunOptions,
    run: { sink: FindingSink; summary: RunSummary; desired: DesiredState; began: number; progress: (phase: ReconcilePhase, count: number) => void },
  ): Promise<void> {
    const { sink, summary, began } = run;
    sink.flush();
    summary.findings = sink.kinds;
    const listed: Listed = { objects: summary.remoteUsers + summary.remoteGroups, memberships: summary.remoteMemberships };
    const plan = planRun(sink.actions, sink.removals, listed, this.settings);
    const exceeded = exceededLimits(plan, listed);
    if (mode === 'fix' && exceeded.length) return this.block(id, ctx, summary, plan, exceeded, began, options.dryRun === true);
    const fixing = mode === 'fix' && !options.dryRun;
    const listedOnly = sink.actions.none ? { 'not-fixable': sink.actions.none } : {};
    const fixes = fixing ? await this.applyFixes(id, startedAt, ctx, run.desired, (count) => run.progress('fixing', count)) : sink.fixable ? { planned: sink.fixable } : {};
    summary.fixes = { ...fixes, ...listedOnly };
    const verdict: Verdict = sink.fixable === 0 ? 'in-sync' : fixing ? 'fixed' : 'drift';
    const warning = exceeded.length ? `a fix run would be stopped by the blast radius: it would plan ${exceeded.join(' and ')}` : undefined;
    this.finish(id, ctx, { status: 'succeeded', verdict, reason: warning, summary: { ...summary, durationMs: Date.now() - began }, plan });
  }

  /** Groups the engine pushed before the mapping lost them are orphans to withdraw: list groups then too. */
  private hasGroupLinks(): boolean {
    return this.store.db.prepare(`SELECT 1 FROM links WHERE target = ? AND subject_kind = 'group' LIMIT 1`).get(this.target.name) !== undefined;
  }

  /** Too many deletions or membership removals: nothing is changed, every planned fix is marked blocked. */
  private block(id: string, ctx: ChangeContext, summary: RunSummary, plan: RunPlan, exceeded: string[], began: number, dryRun: boolean): void {
    this.store.transaction(() => this.reports.setPlannedFixes(id, 'blocked'));
    const reason = `blast radius: the run plans ${exceeded.join(' and ')}; nothing was changed${dryRun ? ' (dry run)' : ''}`;
    const blocked = Object.values(plan.actions).reduce((sum, count) => sum + (count ?? 0), 0) - (plan.actions.none ?? 0);
    this.finish(id, ctx, { status: 'failed', verdict: 'blocked', reason, summary: { ...summary, fixes: { blocked }, durationMs: Date.now() - began }, plan });
  }

  /** Reads the planned fixes back a page at a time; each page is one transaction. */
  private async applyFixes(id: string, startedAt: string, ctx: ChangeContext, desired: DesiredState, progress: (count: number) => void): Promise<Partial<Record<FixStatus, number>>> {
    const applier = new FixApplier(this.store, this.target, desired, ctx, id, startedAt);
    const counts: Partial<Record<FixStatus, number>> = {};
    let after = 0;
    let done = 0;
    for (;;) {
      const page = this.reports.findings(id, { fix: 'planned', afterSeq: after, limit: FIX_PAGE });
      if (page.length === 0) break;
      this.store.transaction(() => {
        for (const finding of page) {
          const status = applier.apply(finding);
          this.reports.setFix(id, finding.seq, status);
          counts[status] = (counts[status] ?? 0) + 1;
        }
      });
      after = page[page.length - 1].seq;
      progress((done += page.length));
      await setImmediate(); // let SCIM requests in between pages
    }
    return counts;
  }

  private finish(id: string, ctx: ChangeContext, outcome: { status: 'succeeded' | 'failed'; verdict: Verdict; reason?: string; summary: RunSummary; plan?: RunPlan }): void {
    this.store.transaction(() => {
      this.reports.finish(id, { ...outcome, finishedAt: this.store.now().toISOString() });
      this.ledger(ctx, 'reconcile.verdict', { reportId: id, status: outcome.status, verdict: outcome.verdict, findings: outcome.summary.findings, fixes: outcome.summary.fixes, plan: outcome.plan }, outcome.reason);
    });
  }

  private ledger(ctx: ChangeContext, kind: string, after: unknown, reason?: string): void {
    this.store.ledger.append({ actor: ctx.actor, source: ctx.source, requestId: ctx.requestId, kind, subject: `target:${this.target.name}`, target: this.target.name, after, reason });
  }
}
