import type { Db, SubjectRef } from '../store';
import type { Links } from '../store/links';
import type { SyncQueue } from '../store/queue';
import type { DesiredState } from './desired-state';

/** What the per-subject sync functions read besides the job itself. */
export class SyncContext {
  private readonly groupsListingStmt;

  constructor(
    db: Db,
    readonly desired: DesiredState,
    readonly links: Links,
    readonly queue: SyncQueue,
    readonly now: () => Date,
  ) {
    this.groupsListingStmt = db.prepare(`
      SELECT subject_id AS id FROM links
      WHERE target = ? AND subject_kind = 'group' AND json_type(last_applied, '$.members."' || ? || '"') IS NOT NULL`);
  }

  /** Groups whose applied state on `target` lists the user as a member. */
  groupsListing(target: string, userId: string): SubjectRef[] {
    return (this.groupsListingStmt.all(target, userId) as Array<{ id: string }>).map((row) => ({ kind: 'group', id: row.id }));
  }
}
