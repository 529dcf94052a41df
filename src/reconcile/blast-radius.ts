import type { FixAction, Removals } from './drift';
import type { RunPlan } from './report-store';
import { allowance, describeLimit, type ReconcileSettings } from './settings';

/** What the target holds of what each limit counts: the base of a percentage limit. */
export interface Listed {
  /** Accounts and groups listed (maxDeletes). */
  objects: number;
  /** Memberships listed in the groups compared (maxMembershipRemovals). */
  memberships: number;
}

/** The plan a fix run is checked against before anything changes. */
export function planRun(actions: Partial<Record<FixAction, number>>, removals: Removals, listed: Listed, settings: ReconcileSettings): RunPlan {
  return {
    actions,
    deletions: removals.deletions,
    allowed: allowance(settings.maxDeletes, listed.objects),
    maxDeletes: describeLimit(settings.maxDeletes),
    membershipRemovals: removals.membershipRemovals,
    membershipRemovalsAllowed: allowance(settings.maxMembershipRemovals, listed.memberships),
    maxMembershipRemovals: describeLimit(settings.maxMembershipRemovals),
  };
}

/** Each limit the plan goes beyond, as a phrase for the run's reason; empty when the plan is within both. */
export function exceededLimits(plan: RunPlan, listed: Listed): string[] {
  const exceeded: string[] = [];
  if (plan.deletions > plan.allowed) {
    exceeded.push(`${plan.deletions} deletions/suspensions, more than maxDeletes ${plan.maxDeletes} allows (${plan.allowed} of ${listed.objects} accounts and groups)`);
  }
  if (plan.membershipRemovals > plan.membershipRemovalsAllowed) {
    exceeded.push(`${plan.membershipRemovals} membership removals, more than maxMembershipRemovals ${plan.maxMembershipRemovals} allows (${plan.membershipRemovalsAllowed} of ${listed.memberships} memberships)`);
  }
  return exceeded;
}
