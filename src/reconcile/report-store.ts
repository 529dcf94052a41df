import type { Db } from '../store';
import type { Finding, FindingKind, FixAction, FixStatus } from './drift';
import { subjectLabel } from './drift';
import type { ReconcileMode } from './settings';

export type RunStatus = 'running' | 'succeeded' | 'failed';
/** in-sync: nothing differs; drift: reported (or planned in a dry run); fixed: fixes enqueued; blocked: blast radius; error: the run failed. */
export type Verdict = 'in-sync' | 'drift' | 'fixed' | 'blocked' | 'error';
export type RunTrigger = 'schedule' | 'admin' | 'cli' | 'api';

export interface RunSummary {
  remoteUsers: number;
  remoteGroups: number;
  /** Memberships listed in the groups compared with desired membership. */
  remoteMemberships: number;
  desiredUsers: number;
  desiredGroups: number;
  findings: Partial<Record<FindingKind, number>>;
  fixes: Partial<Record<FixStatus, number>>;
  durationMs: number;
}

/**
 * What a fix run would take away, checked before anything changes: deletions (accounts suspended or
 * deleted, groups deleted) against maxDeletes, membership removals against maxMembershipRemovals.
 */
export interface RunPlan {
  actions: Partial<Record<FixAction, number>>;
  deletions: number;
  allowed: number;
  maxDeletes: string;
  membershipRemovals: number;
  membershipRemovalsAllowed: number;
  maxMembershipRemovals: string;
}

export interface DriftReport {
  id: string;
  target: string;
  mode: ReconcileMode;
  dryRun: boolean;
  trigger: RunTrigger;
  actor: string;
  requestId: string;
  status: RunStatus;
  verdict: Verdict | null;
  reason: string | null;
  startedAt: string;
  finishedAt: string | null;
  summary: RunSummary | null;
  plan: RunPlan | null;
}

export interface StoredFinding extends Finding {
  seq: number;
  fix: FixStatus;
}

interface ReportRow {
  id: string; target: string; mode: ReconcileMode; dry_run: number; trigger: RunTrigger; actor: string; request_id: string;
  status: RunStatus; verdict: Verdict | null; reason: string | null; started_at: string; finished_at: string | null;
  summary: string | null; plan: string | null;
}

interface FindingRow {
  seq: number; kind: FindingKind; subject: string | null; remote_id: string | null; remote_key: string | null;
  action: FixAction; fix: FixStatus; detail: string;
}

/** drift_reports and drift_findings: one row per run, one per finding. */
export class DriftReports {
  constructor(private readonly db: Db) {}

  create(report: Pick<DriftReport, 'id' | 'target' | 'mode' | 'dryRun' | 'trigger' | 'actor' | 'requestId' | 'startedAt'>): void {
    this.db.prepare(`INSERT INTO drift_reports (id, target, mode, dry_run, trigger, actor, request_id, status, started_at)
                     VALUES (?, ?, ?, ?, ?, ?, ?, 'running', ?)`)
      .run(report.id, report.target, report.mode, report.dryRun ? 1 : 0, report.trigger, report.actor, report.requestId, report.startedAt);
  }

  addFinding(reportId: string, seq: number, finding: Finding, fix: FixStatus): void {
    const { kind, subject, remote, action, ...rest } = finding;
    const key = remote?.key ?? finding.key ?? null;
    this.db.prepare(`INSERT INTO drift_findings (report_id, seq, kind, subject, remote_id, remote_key, action, fix, detail)
                     VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?)`)
      .run(reportId, seq, kind, subjectLabel(subject), remote?.id ?? null, key, action, fix, JSON.stringify({ remote, ...rest }));
  }

  setFix(reportId: string, seq: number, fix: FixStatus): void {
    this.db.prepare('UPDATE drift_findings SET fix = ? WHERE report_id = ? AND seq = ?').run(fix, reportId, seq);
  }

  /** Marks every finding of the run whose fix is still `planned` with `fix` (blocked runs). */
  setPlannedFixes(reportId: string, fix: FixStatus): void {
    this.db.prepare(`UPDATE drift_findings SET fix = ? WHERE report_id = ? AND fix = 'planned'`).run(fix, reportId);
  }

  finish(id: string, outcome: { status: RunStatus; verdict: Verdict; reason?: string; finishedAt: string; summary: RunSummary; plan?: RunPlan }): void {
    this.db.prepare('UPDATE drift_reports SET status = ?, verdict = ?, reason = ?, finished_at = ?, summary = ?, plan = ? WHERE id = ?')
      .run(outcome.status, outcome.verdict, outcome.reason ?? null, outcome.finishedAt, JSON.stringify(outcome.summary), outcome.plan ? JSON.stringify(outcome.plan) : null, id);
  }

  /** Runs left `running` by a process that died: failed, so nobody waits for them. */
  failInterrupted(finishedAt: string): number {
    return this.db.prepare(`UPDATE drift_reports SET status = 'failed', verdict = 'error', reason = 'interrupted: the process stopped during the run', finished_at = ?
                            WHERE status = 'running'`).run(finishedAt).changes;
  }

  get(id: string): DriftReport | undefined {
    const row = this.db.prepare('SELECT * FROM drift_reports WHERE id = ?').get(id) as ReportRow | undefined;
    return row && toReport(row);
  }

  list(filter: { target?: string; limit?: number } = {}): DriftReport[] {
    const rows = this.db.prepare(`SELECT * FROM drift_reports WHERE (@target IS NULL OR target = @target) ORDER BY started_at DESC, rowid DESC LIMIT @limit`)
      .all({ target: filter.target ?? null, limit: filter.limit ?? 50 }) as ReportRow[];
    return rows.map(toReport);
  }

  countFindings(reportId: string): number {
    return this.db.prepare('SELECT COUNT(*) FROM drift_findings WHERE report_id = ?').pluck().get(reportId) as number;
  }

  findings(reportId: string, page: { afterSeq?: number; limit?: number; fix?: FixStatus } = {}): StoredFinding[] {
    const rows = this.db.prepare(`SELECT seq, kind, subject, remote_id, remote_key, action, fix, detail FROM drift_findings
                                  WHERE report_id = @reportId AND (@fix IS NULL OR fix = @fix) AND seq > @after ORDER BY seq LIMIT @limit`)
      .all({ reportId, fix: page.fix ?? null, after: page.afterSeq ?? 0, limit: page.limit ?? 1000 }) as FindingRow[];
    return rows.map(toFinding);
  }
}

function toReport(row: ReportRow): DriftReport {
  return {
    id: row.id,
    target: row.target,
    mode: row.mode,
    dryRun: row.dry_run === 1,
    trigger: row.trigger,
    actor: row.actor,
    requestId: row.request_id,
    status: row.status,
    verdict: row.verdict,
    reason: row.reason,
    startedAt: row.started_at,
    finishedAt: row.finished_at,
    summary: row.summary ? (JSON.parse(row.summary) as RunSummary) : null,
    plan: row.plan ? (JSON.parse(row.plan) as RunPlan) : null,
  };
}

function toFinding(row: FindingRow): StoredFinding {
  const detail = JSON.parse(row.detail) as Omit<Finding, 'kind' | 'subject' | 'action'>;
  const [kind, id] = row.subject ? (row.subject.split(/:(.*)/s) as ['user' | 'group', string]) : [];
  return { seq: row.seq, kind: row.kind, action: row.action, fix: row.fix, ...(kind && id ? { subject: { kind, id } } : {}), ...detail };
}
