import type { Db } from './db';
import { StatementCache } from './resource-query';
import type { SubjectKind, SubjectRef } from './queue';

export interface Link {
  target: string;
  subject_kind: SubjectKind;
  subject_id: string;
  remote_id: string;
  remote_key: string | null;
  /** JSON of what the engine last applied, in the target's shape: the base for the no-op check. */
  last_applied: string;
  synced_at: string;
}

/** Correlation between a bridge subject and its remote object, plus the state last applied there. */
export class Links {
  private readonly statements: StatementCache;

  constructor(private readonly db: Db, private readonly now: () => Date = () => new Date()) {
    this.statements = new StatementCache(db);
  }

  get(target: string, subject: SubjectRef): Link | undefined {
    return this.statements.get('SELECT * FROM links WHERE target = ? AND subject_kind = ? AND subject_id = ?')
      .get(target, subject.kind, subject.id) as Link | undefined;
  }

  byRemoteId(target: string, kind: SubjectKind, remoteId: string): Link | undefined {
    return this.statements.get('SELECT * FROM links WHERE target = ? AND subject_kind = ? AND remote_id = ?')
      .get(target, kind, remoteId) as Link | undefined;
  }

  /** Another subject's link to a remote object with this key (compared without case), if any. */
  holderOfKey(target: string, subject: SubjectRef, key: string): Link | undefined {
    return this.statements.get('SELECT * FROM links WHERE target = ? AND subject_kind = ? AND remote_key = ? COLLATE NOCASE AND subject_id <> ? LIMIT 1')
      .get(target, subject.kind, key, subject.id) as Link | undefined;
  }

  put(target: string, subject: SubjectRef, remote: { id: string; key?: string | null }, lastApplied: unknown): void {
    this.statements.get(`INSERT INTO links (target, subject_kind, subject_id, remote_id, remote_key, last_applied, synced_at)
                VALUES (?, ?, ?, ?, ?, ?, ?)
                ON CONFLICT (target, subject_kind, subject_id) DO UPDATE SET
                  remote_id = excluded.remote_id, remote_key = excluded.remote_key,
                  last_applied = excluded.last_applied, synced_at = excluded.synced_at`)
      .run(target, subject.kind, subject.id, remote.id, remote.key ?? null, JSON.stringify(lastApplied), this.now().toISOString());
  }

  remove(target: string, subject: SubjectRef): void {
    this.statements.get('DELETE FROM links WHERE target = ? AND subject_kind = ? AND subject_id = ?').run(target, subject.kind, subject.id);
  }

  /** Removes the subject's link only while it still points at `remoteId` (a later re-link is kept). */
  removeIfRemote(target: string, subject: SubjectRef, remoteId: string): void {
    this.statements.get('DELETE FROM links WHERE target = ? AND subject_kind = ? AND subject_id = ? AND remote_id = ?')
      .run(target, subject.kind, subject.id, remoteId);
  }

  /** Targets that still hold a link for the subject (a tombstone stays until this is empty). */
  targetsFor(subject: SubjectRef): string[] {
    return (this.statements.get('SELECT target FROM links WHERE subject_kind = ? AND subject_id = ?')
      .all(subject.kind, subject.id) as Array<{ target: string }>).map((row) => row.target);
  }

  iterate(target: string, kind: SubjectKind): IterableIterator<Link> {
    // A fresh statement: a cached one would be busy while the caller still iterates.
    return this.db.prepare('SELECT * FROM links WHERE target = ? AND subject_kind = ?').iterate(target, kind) as IterableIterator<Link>;
  }
}
