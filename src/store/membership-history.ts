import type { Statement } from 'better-sqlite3';
import type { Db } from './db';

/**
 * When each IdP membership began and ended (membership_history, source 'idp'), stamped with the store's
 * clock like the ledger row written in the same transaction, so the access report's `since` and the
 * ledger's `at` agree (and follow an injected clock). Grant memberships are still stamped by triggers
 * (migration 11): their report times come from the grants table.
 */
export class IdpMembershipHistory {
  private readonly added: Statement;
  private readonly removed: Statement;
  private readonly userRemoved: Statement;

  constructor(db: Db) {
    this.added = db.prepare(`INSERT INTO membership_history (group_id, user_id, source, added_at) VALUES (?, ?, 'idp', ?)`);
    this.removed = db.prepare(
      `UPDATE membership_history SET removed_at = ? WHERE group_id = ? AND user_id = ? AND source = 'idp' AND removed_at IS NULL`,
    );
    this.userRemoved = db.prepare(`UPDATE membership_history SET removed_at = ? WHERE user_id = ? AND source = 'idp' AND removed_at IS NULL`);
  }

  joined(groupId: string, userId: string, at: string): void {
    this.added.run(groupId, userId, at);
  }

  left(groupId: string, userId: string, at: string): void {
    this.removed.run(at, groupId, userId);
  }

  /** The user left every group (deleted). */
  leftAll(userId: string, at: string): void {
    this.userRemoved.run(at, userId);
  }
}
