import type { ChangeContext, Link, Store, SubjectRef } from '../store';
import type { DesiredState } from '../sync/desired-state';
import type { AppliedGroup, AppliedUser } from '../sync/diff';
import { groupMappingFor } from '../sync/scope';
import type { TargetSettings } from '../sync/target-config';
import { subjectLabel, type FixStatus } from './drift';
import type { StoredFinding } from './report-store';
import { userDesiredOn } from './run-context';

/**
 * Applies one finding's fix on the sync path: it corrects the link the engine diffs against (so the
 * engine acts on reality, not on what it last applied) and enqueues the subject. It never calls the
 * connector. Must run inside a transaction, so link, queue row and ledger row commit together.
 *
 * The premise is checked again first: desired state may have changed since the listing (a SCIM write
 * meanwhile), and the newer desired state wins - the fix is then `superseded` and left to the delivery
 * that write queued. A subject the engine is delivering right now is `deferred` to the next run.
 */
export class FixApplier {
  constructor(
    private readonly store: Store,
    private readonly target: TargetSettings,
    private readonly desired: DesiredState,
    private readonly ctx: ChangeContext,
    private readonly reportId: string,
    private readonly runStartedAt: string,
  ) {}

  apply(finding: StoredFinding): FixStatus {
    const subject = finding.subject;
    if (!subject || finding.action === 'none') return 'not-fixable';
    if (!this.premiseHolds(finding, subject)) return this.record(finding, 'superseded');
    const queued = this.store.queue.get(this.target.name, subject)?.state;
    if (queued === 'inflight') return this.record(finding, 'deferred');
    this.correctLink(finding, subject);
    // A delivery already waiting (a paused target, a backoff) settles this; re-enqueueing would credit the IdP's change to this run.
    this.store.queue.enqueueUnlessPending(this.target.name, subject, this.ctx.requestId);
    return this.record(finding, 'applied');
  }

  private premiseHolds(finding: StoredFinding, subject: SubjectRef): boolean {
    const desiredHere = subject.kind === 'user' ? userDesiredOn(this.target, this.desired, subject.id) : this.groupPushed(subject.id);
    return finding.kind.startsWith('orphaned-') ? !desiredHere : desiredHere;
  }

  private groupPushed(id: string): boolean {
    const group = this.desired.group(id);
    return !!group && groupMappingFor(this.target, group) !== undefined;
  }

  private correctLink(finding: StoredFinding, subject: SubjectRef): void {
    const link = this.store.links.get(this.target.name, subject);
    switch (finding.action) {
      case 'create':
        // A link the engine wrote after this run started is newer than what the listing saw: keep it.
        if (link && link.synced_at < this.runStartedAt) this.store.links.remove(this.target.name, subject);
        return;
      case 'link':
        if (!link && finding.remote) this.putLink(subject, finding.remote, adoptedState(subject, finding.remote));
        return;
      case 'update':
        if (link) this.putLink(subject, linkRef(link), withActualValues(JSON.parse(link.last_applied) as AppliedUser | AppliedGroup, finding));
        return;
      case 'suspend':
      case 'delete':
        if (finding.remote) {
          const applied = link ? (JSON.parse(link.last_applied) as AppliedUser) : { key: finding.remote.key, attributes: {}, active: true };
          this.putLink(subject, link ? linkRef(link) : finding.remote, { ...applied, active: finding.remote.active ?? true });
        }
        return;
      case 'add-member':
      case 'remove-member':
        if (link && finding.member?.subjectId) this.putLink(subject, linkRef(link), withMember(JSON.parse(link.last_applied) as AppliedGroup, finding));
        return;
      default:
        return; // withdraw: the engine's own state already says what to take back
    }
  }

  private putLink(subject: SubjectRef, remote: { id: string; key: string }, applied: AppliedUser | AppliedGroup): void {
    this.store.links.put(this.target.name, subject, remote, applied);
  }

  private record(finding: StoredFinding, status: FixStatus): FixStatus {
    this.store.ledger.append({
      actor: this.ctx.actor, source: this.ctx.source, requestId: this.ctx.requestId,
      kind: 'reconcile.fix', subject: subjectLabel(finding.subject), target: this.target.name,
      after: { reportId: this.reportId, seq: finding.seq, finding: finding.kind, action: finding.action, status },
    });
    return status;
  }
}

function linkRef(link: Link): { id: string; key: string } {
  return { id: link.remote_id, key: link.remote_key ?? '' };
}

/** What the engine's own adoption records for an account it finds already there. */
function adoptedState(subject: SubjectRef, remote: NonNullable<StoredFinding['remote']>): AppliedUser | AppliedGroup {
  const attributes = remote.attributes ?? {};
  return subject.kind === 'user'
    ? { key: remote.key, attributes, active: remote.active ?? true }
    : { key: remote.key, attributes, members: {}, created: false };
}

/** The link's last-applied state with each drifted field set to what the target actually holds. */
function withActualValues<T extends AppliedUser | AppliedGroup>(applied: T, finding: StoredFinding): T {
  const next = structuredClone(applied);
  for (const drift of finding.fields ?? []) {
    if (drift.field === 'key') next.key = String(drift.actual);
    else if (drift.field === 'active' && 'active' in next) next.active = drift.actual === true;
    else next.attributes[drift.field] = drift.actual;
  }
  return next;
}

/** The group's applied members as the target really has them for this one member. */
function withMember(applied: AppliedGroup, finding: StoredFinding): AppliedGroup {
  const members = { ...applied.members };
  const userId = finding.member!.subjectId!;
  if (finding.action === 'add-member') delete members[userId];
  else members[userId] = finding.member!.remote;
  return { ...applied, members };
}
