import type { SubjectRef, TargetRouter } from '../store';
import type { DesiredGroup, DesiredState, DesiredUser, GroupHandle } from './desired-state';
import type { GroupMappingConfig, TargetSettings } from './target-config';

/** Whether the user belongs on the target now: live, in the scoped groups (if any) and matching the filter. */
export function userInScope(target: TargetSettings, user: DesiredUser, desired: DesiredState): boolean {
  if (user.deleted) return false;
  const groups = target.scope.groups;
  if (groups && !user.groupHandles.some((handle) => groups.includes(handle))) return false;
  return !target.scope.filter || desired.userMatches(user.id, target.scope.filter);
}

/**
 * The target's mapping for a live SCIM group, or undefined when the group is not pushed there. `scim`
 * names the group by id, externalId or displayName, case-insensitively (DesiredState's group handles).
 */
export function groupMappingFor(target: TargetSettings, group: GroupHandle & { deleted?: boolean }): Required<GroupMappingConfig> | undefined {
  if (group.deleted) return undefined;
  return target.groups.find((mapping) => group.handles.includes(mapping.scim.toLowerCase()));
}

/** The targets where a subject is tracked: a link (it is there) or a queue row (a delivery is pending, in flight or dead). */
export type TrackedOn = (subject: SubjectRef) => string[];

/**
 * Routes a changed subject to every target it is in scope for now OR where it is tracked: leaving the
 * scope must reach the target as a deprovision, also when the delivery that creates it there is still in
 * flight (no link yet) - the queue row's new generation makes that delivery come back for the change.
 */
export function createTargetRouter(targets: readonly TargetSettings[], desired: DesiredState, trackedOn: TrackedOn): TargetRouter {
  if (targets.length === 0) return () => [];
  return (subject: SubjectRef) => {
    const wanted = subject.kind === 'user' ? userTargets(targets, desired.user(subject.id), desired) : groupTargets(targets, desired.group(subject.id));
    const tracked = trackedOn(subject);
    return targets
      .filter((target) => wanted.includes(target.name) || tracked.includes(target.name))
      .map((target) => target.name);
  };
}

function userTargets(targets: readonly TargetSettings[], user: DesiredUser | undefined, desired: DesiredState): string[] {
  return user ? targets.filter((target) => userInScope(target, user, desired)).map((target) => target.name) : [];
}

function groupTargets(targets: readonly TargetSettings[], group: DesiredGroup | undefined): string[] {
  return group ? targets.filter((target) => groupMappingFor(target, group)).map((target) => target.name) : [];
}
