import type { ChangeContext, Store } from '../store';
import { removalsOf, subjectLabel, type Finding, type FindingKind, type FixAction, type FixStatus, type Removals } from './drift';
import type { DriftReports } from './report-store';

const BATCH = 250;

/**
 * Where a run's findings go as they are found: into drift_findings and the ledger, a batch per
 * transaction. Only counts stay in memory, so a target with 100k unmanaged accounts costs no more RAM
 * than one without.
 */
export class FindingSink {
  readonly kinds: Partial<Record<FindingKind, number>> = {};
  readonly actions: Partial<Record<FixAction, number>> = {};
  /** What the planned fixes would take away, for the blast-radius check. */
  readonly removals: Removals = { deletions: 0, membershipRemovals: 0 };
  private buffer: Finding[] = [];
  private seq = 0;

  constructor(
    private readonly store: Store,
    private readonly reports: DriftReports,
    private readonly reportId: string,
    private readonly target: string,
    private readonly ctx: ChangeContext,
  ) {}

  /** Findings emitted so far, stored or still waiting for their batch. */
  get count(): number {
    return this.seq + this.buffer.length;
  }

  /** Findings that ask for a change (everything but what is only listed: unmanaged accounts and groups). */
  get fixable(): number {
    return Object.entries(this.actions).reduce((sum, [action, count]) => sum + (action === 'none' ? 0 : count), 0);
  }

  emit(finding: Finding): void {
    this.kinds[finding.kind] = (this.kinds[finding.kind] ?? 0) + 1;
    this.actions[finding.action] = (this.actions[finding.action] ?? 0) + 1;
    const removals = removalsOf(finding);
    this.removals.deletions += removals.deletions;
    this.removals.membershipRemovals += removals.membershipRemovals;
    this.buffer.push(finding);
    if (this.buffer.length >= BATCH) this.flush();
  }

  flush(): void {
    if (this.buffer.length === 0) return;
    const batch = this.buffer;
    this.buffer = [];
    this.store.transaction(() => {
      for (const finding of batch) {
        const seq = ++this.seq;
        const status: FixStatus = finding.action === 'none' ? 'not-fixable' : 'planned';
        this.reports.addFinding(this.reportId, seq, finding, status);
        const { kind, subject, action, ...detail } = finding;
        this.store.ledger.append({
          actor: this.ctx.actor, source: this.ctx.source, requestId: this.ctx.requestId,
          kind: 'reconcile.finding', subject: subjectLabel(subject), target: this.target,
          after: { reportId: this.reportId, seq, finding: kind, action, ...detail },
        });
      }
    });
  }
}
