import type { Connector, OpContext } from '../../connectors/sdk/contract';
import type { Store, SubjectRef } from '../store';
import type { DesiredState } from '../sync/desired-state';
import type { TargetMapping } from '../sync/mapping';
import { userInScope } from '../sync/scope';
import type { TargetSettings } from '../sync/target-config';
import type { FindingSink } from './finding-sink';

/** What the scans of one run share: the target, its connector, desired state and where findings go. */
export interface RunContext {
  store: Store;
  target: TargetSettings;
  connector: Connector;
  desired: DesiredState;
  mapping: TargetMapping;
  sink: FindingSink;
  /** For list calls: the run's request id and a signal that aborts the run. */
  op: OpContext;
  pageSize?: number;
  /** Called every few hundred listed objects. */
  progress(phase: 'users' | 'groups', count: number): void;
  /** Takes the target's secret values out of a message before it is stored (defence in depth). */
  scrub(message: string): string;
}

/** Why a subject the target lacks is not there yet, from its delivery in the queue (undefined: none queued). */
export function deliveryState(run: RunContext, subject: SubjectRef): string | undefined {
  const queued = run.store.queue.get(run.target.name, subject);
  if (!queued) return undefined;
  if (queued.state === 'pending') return 'a delivery is queued';
  if (queued.state === 'inflight') return 'a delivery is in progress';
  const error = queued.last_error ? `: ${run.scrub(queued.last_error)}` : '';
  return `its delivery is dead after ${queued.attempts} attempt${queued.attempts === 1 ? '' : 's'}${error}; fixing retries it`;
}

/** Whether the engine would keep the user present on the target right now (the same rule as syncUser). */
export function userDesiredOn(target: TargetSettings, desired: DesiredState, userId: string): boolean {
  const user = desired.user(userId);
  return !!user && user.active && userInScope(target, user, desired);
}
