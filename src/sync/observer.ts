import type { SubjectKind } from '../store';

export type DeliveryOutcome = 'applied' | 'noop' | 'retry' | 'dead' | 'deferred';

export interface DeliveryReport {
  target: string;
  subjectKind: SubjectKind;
  subjectId: string;
  outcome: DeliveryOutcome;
  /** From the oldest change waiting in the queue row to this outcome. */
  latencyMs: number;
}

/** What the engine reports as it works; metrics and the benchmark listen to it. */
export interface DeliveryObserver {
  delivered?(report: DeliveryReport): void;
  targetCall?(call: { target: string; connector: string; operation: string; ok: boolean }): void;
}
