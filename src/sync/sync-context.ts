import type { Store, SubjectRef } from '../store';
import type { Ledger } from '../store/ledger';
import type { Links } from '../store/links';
import type { SyncQueue } from '../store/queue';
import type { DesiredState } from './desired-state';
import { USERS_NAMING_SQL } from './user-references';

/** What the per-subject sync functions read besides the job itself. */
export class SyncContext {
  private readonly groupsListingStmt;
  private readonly usersNamingStmt;
  private readonly trackedOnStmt;

  readonly links: Links;
  readonly queue: SyncQueue;
  readonly ledger: Ledger;

  constructor(private readonly store: Store, readonly desired: DesiredState, readonly now: () => Date) {
    this.links = store.links;
    this.queue = store.queue;
    this.ledger = store.ledger;
    this.groupsListingStmt = store.db.prepare(`
      SELECT subject_id AS id FROM links
      WHERE target = ? AND subject_kind = 'group' AND json_type(last_applied, '$.members."' || ? || '"') IS NOT NULL`);
    this.usersNamingStmt = store.db.prepare(USERS_NAMING_SQL).pluck();
    this.trackedOnStmt = store.db.prepare(`
      SELECT target FROM links WHERE subject_kind = @kind AND subject_id = @id
      UNION SELECT target FROM sync_queue WHERE subject_kind = @kind AND subject_id = @id`).pluck();
  }

  /** Targets holding a link or a queue row (pending, in flight or dead) for the subject. */
  trackedOn(subject: SubjectRef): string[] {
    return this.trackedOnStmt.all({ kind: subject.kind, id: subject.id }) as string[];
  }

  /** Runs fn in one immediate transaction (for the few writes that cannot wait for the job's outcome). */
  transaction<T>(fn: () => T): T {
    return this.store.transaction(fn);
  }

  /** Live users naming `userId` as their manager that are on `target` or queued for it. */
  usersNaming(target: string, userId: string): string[] {
    return this.usersNamingStmt.all({ target, user: userId }) as string[];
  }

  /** Groups whose applied state on `target` lists the user as a member. */
  groupsListing(target: string, userId: string): SubjectRef[] {
    return (this.groupsListingStmt.all(target, userId) as Array<{ id: string }>).map((row) => ({ kind: 'group', id: row.id }));
  }
}
