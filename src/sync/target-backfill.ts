import { createHash } from 'node:crypto';
import type { Store, SubjectRef } from '../store';
import type { DesiredState } from './desired-state';
import { groupMappingFor, userInScope } from './scope';
import type { TargetSettings } from './target-config';

export interface BackfillResult {
  target: string;
  queued: number;
  /**
   * Linked accounts whose delivery now would take something away (the user is outside the new scope,
   * inactive under a changed deprovision policy, or deleted; the group is no longer mapped): not queued,
   * left for reconcile and its maxDeletes guard.
   */
  notReapplied: { users: number; groups: number };
}

/**
 * Changes reach a target when the IdP writes a subject; settings that decide what belongs there (scope,
 * group and attribute mapping, deprovision policy) change only with the config. So each start compares a
 * fingerprint of those settings per target with the one of the last start, and when it is new or
 * different queues every user and group the settings now put on the target: adding a target or a group
 * mapping provisions what the store already holds, and a mapping change reaches every linked account.
 * The engine diffs each against what it last applied, so a subject that needs nothing costs no call.
 *
 * Only what adds or updates is queued: active users in scope and mapped groups. A delivery that would take
 * something away (a mistyped scope, a deprovision policy changed to delete, a user deleted while the target
 * was out of the config, a group mapping removed) must not run wholesale at a start. Such linked accounts
 * are counted in the log and ledger row; reconcile, with its maxDeletes guard, acts on them, as does the
 * subject's next change.
 */
export class TargetBackfill {
  constructor(private readonly store: Store, private readonly desired: DesiredState) {}

  /** The targets where it queued something or left linked accounts alone. */
  run(targets: readonly TargetSettings[]): BackfillResult[] {
    const results: BackfillResult[] = [];
    this.store.transaction(() => {
      this.forgetRemovedTargets(targets);
      for (const target of targets) {
        const fingerprint = settingsFingerprint(target);
        const stored = this.store.db.prepare('SELECT fingerprint FROM target_settings WHERE target = ?').pluck().get(target.name);
        if (stored === fingerprint) continue;
        results.push(this.queueFor(target, stored === undefined ? 'new' : 'changed'));
        this.store.db.prepare(`
          INSERT INTO target_settings (target, fingerprint, changed_at) VALUES (?, ?, ?)
          ON CONFLICT (target) DO UPDATE SET fingerprint = excluded.fingerprint, changed_at = excluded.changed_at`)
          .run(target.name, fingerprint, this.store.now().toISOString());
      }
    });
    return results.filter(worthTelling);
  }

  /** A target taken out of the config misses the changes made meanwhile: putting it back queues everything. */
  private forgetRemovedTargets(targets: readonly TargetSettings[]): void {
    const names = targets.map((target) => target.name);
    this.store.db.prepare(`DELETE FROM target_settings WHERE target NOT IN (SELECT value FROM json_each(?))`).run(JSON.stringify(names));
  }

  private queueFor(target: TargetSettings, settings: 'new' | 'changed'): BackfillResult {
    const subjects = [...this.usersOn(target), ...this.groupsOn(target)];
    for (const subject of subjects) this.store.queue.enqueueUnlessPending(target.name, subject);
    const notReapplied = { users: this.linkedNotQueued(target, 'user', subjects), groups: this.linkedNotQueued(target, 'group', subjects) };
    const result = { target: target.name, queued: subjects.length, notReapplied };
    if (worthTelling(result)) {
      this.store.ledger.append({
        actor: 'sync-engine', source: 'engine', kind: 'target.settings-applied', subject: `target:${target.name}`, target: target.name,
        after: { settings, queued: result.queued, notReapplied },
        reason: `the target's ${settings} scope, mapping or deprovision settings were applied to the subjects already stored`,
      });
    }
    return result;
  }

  private usersOn(target: TargetSettings): SubjectRef[] {
    const ids = this.store.db.prepare('SELECT id FROM users WHERE deleted_at IS NULL ORDER BY id').pluck().all() as string[];
    return ids.filter((id) => this.userBelongs(target, id)).map((id) => ({ kind: 'user', id }));
  }

  private groupsOn(target: TargetSettings): SubjectRef[] {
    if (!target.groups.length) return [];
    const ids = this.store.db.prepare('SELECT id FROM groups WHERE deleted_at IS NULL ORDER BY id').pluck().all() as string[];
    return ids.filter((id) => {
      const group = this.desired.group(id);
      return group !== undefined && groupMappingFor(target, group) !== undefined;
    }).map((id) => ({ kind: 'group', id }));
  }

  private linkedNotQueued(target: TargetSettings, kind: 'user' | 'group', queued: SubjectRef[]): number {
    const linked = this.store.db.prepare('SELECT subject_id FROM links WHERE target = ? AND subject_kind = ?').pluck().all(target.name, kind) as string[];
    const queuedIds = new Set(queued.filter((subject) => subject.kind === kind).map((subject) => subject.id));
    return linked.filter((id) => !queuedIds.has(id)).length;
  }

  /** In scope and active: what a delivery provisions or updates, never deprovisions. */
  private userBelongs(target: TargetSettings, id: string): boolean {
    const user = this.desired.user(id);
    return user !== undefined && user.active && userInScope(target, user, this.desired);
  }
}

function worthTelling({ queued, notReapplied }: BackfillResult): boolean {
  return queued > 0 || notReapplied.users > 0 || notReapplied.groups > 0;
}

/** What decides the target's desired content; connection details and delivery pacing do not. */
function settingsFingerprint(target: TargetSettings): string {
  const { definition, scope, userKey, userAttributes, groupKeyAttributes, groups, deprovision } = target;
  const decisive = { connector: definition.kind, scope, userKey, userAttributes, groupKeyAttributes, groups, deprovision };
  return createHash('sha256').update(JSON.stringify(decisive)).digest('hex');
}
