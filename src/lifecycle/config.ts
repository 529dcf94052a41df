export interface LifecycleConfig {
  sweepSchedule: string;
  timezone?: string;
  leaverPolicy: 'disable' | 'reassign-to-manager';
  privilegedGroups: Array<{ group: string; maxDuration: string }>;
}

export function defaultLifecycleConfig(): LifecycleConfig {
  return { sweepSchedule: '* * * * *', leaverPolicy: 'disable', privilegedGroups: [] };
}
