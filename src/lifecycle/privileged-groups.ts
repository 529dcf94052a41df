import type { Db } from '../store';
import type { GroupPolicy, PrivilegePolicy } from '../store/grants';
import type { LifecycleConfig } from './config';
import { parseDurationMs } from './duration';

/**
 * The privileged-group policy from config, matched on stable identity: a config entry names a group
 * by id, by externalId, or by any displayName the group has ever had (group_names, kept by a trigger).
 * So renaming "Admins" to "Admins (prod)" does not make its grants unprivileged; a group that takes
 * over the name "Admins" is privileged too. Several matching entries: the shortest maximum wins.
 */
export class PrivilegedGroups implements PrivilegePolicy {
  constructor(
    private readonly db: Db,
    private readonly entries: LifecycleConfig['privilegedGroups'],
  ) {}

  policyFor(groupId: string): GroupPolicy | undefined {
    if (this.entries.length === 0) return undefined;
    const matches = this.db.prepare(
      `SELECT 1 FROM groups g WHERE g.id = @groupId AND (g.id = @name OR g.external_id = @name
         OR EXISTS (SELECT 1 FROM group_names n WHERE n.group_id = g.id AND n.display_name = @name))`,
    );
    const limits = this.entries
      .filter((entry) => matches.get({ groupId, name: entry.group }) !== undefined)
      .map((entry) => parseDurationMs(entry.maxDuration) ?? 0);
    return limits.length ? { maxDurationMs: Math.min(...limits) } : undefined;
  }
}
