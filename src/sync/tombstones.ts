import type { Db, SubjectRef } from '../store';

/**
 * Purges a deleted user or group once no target holds a link or a queue row for it: every target has
 * acknowledged the deprovision, so the tombstone has nothing left to say (the ledger keeps the history).
 */
export class Tombstones {
  private readonly stillReferenced;
  private readonly purgeUser;
  private readonly purgeGroup;
  private readonly orphans;
  private readonly isTombstone;

  constructor(private readonly db: Db) {
    this.isTombstone = {
      user: db.prepare('SELECT 1 FROM users WHERE id = ? AND deleted_at IS NOT NULL'),
      group: db.prepare('SELECT 1 FROM groups WHERE id = ? AND deleted_at IS NOT NULL'),
    };
    this.stillReferenced = db.prepare(`
      SELECT 1 FROM links WHERE subject_kind = @kind AND subject_id = @id
      UNION ALL SELECT 1 FROM sync_queue WHERE subject_kind = @kind AND subject_id = @id LIMIT 1`);
    this.purgeUser = [
      db.prepare('DELETE FROM memberships WHERE user_id = ?'),
      db.prepare('DELETE FROM users WHERE id = ? AND deleted_at IS NOT NULL'),
    ];
    this.purgeGroup = [
      db.prepare('DELETE FROM memberships WHERE group_id = ?'),
      db.prepare('DELETE FROM groups WHERE id = ? AND deleted_at IS NOT NULL'),
    ];
    this.orphans = db.prepare(`
      SELECT 'user' AS kind, id FROM users u WHERE deleted_at IS NOT NULL
        AND NOT EXISTS (SELECT 1 FROM links WHERE subject_kind = 'user' AND subject_id = u.id)
        AND NOT EXISTS (SELECT 1 FROM sync_queue WHERE subject_kind = 'user' AND subject_id = u.id)
      UNION ALL
      SELECT 'group' AS kind, id FROM groups g WHERE deleted_at IS NOT NULL
        AND NOT EXISTS (SELECT 1 FROM links WHERE subject_kind = 'group' AND subject_id = g.id)
        AND NOT EXISTS (SELECT 1 FROM sync_queue WHERE subject_kind = 'group' AND subject_id = g.id)`);
  }

  /** Purges the subject if it is an unreferenced tombstone; call inside the transaction that released it. */
  purgeIfAcknowledged(subject: SubjectRef): boolean {
    if (!this.isTombstone[subject.kind].get(subject.id)) return false;
    if (this.stillReferenced.get({ kind: subject.kind, id: subject.id })) return false;
    const [memberships, row] = subject.kind === 'user' ? this.purgeUser : this.purgeGroup;
    memberships.run(subject.id);
    return row.run(subject.id).changes > 0;
  }

  /** Purges every unreferenced tombstone (e.g. subjects deleted while no target had them in scope). */
  purgeAll(): number {
    const orphans = this.orphans.all() as SubjectRef[];
    return this.db.transaction(() => orphans.filter((subject) => this.purgeIfAcknowledged(subject)).length).immediate();
  }
}
