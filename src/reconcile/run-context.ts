import type { Connector, OpContext } from '../../connectors/sdk/contract';
import type { Store } from '../store';
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
}

/** Whether the engine would keep the user present on the target right now (the same rule as syncUser). */
export function userDesiredOn(target: TargetSettings, desired: DesiredState, userId: string): boolean {
  const user = desired.user(userId);
  return !!user && user.active && userInScope(target, user, desired);
}
