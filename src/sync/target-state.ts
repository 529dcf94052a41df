import type { Db } from '../store';

export interface TargetStateRow {
  target: string;
  paused: boolean;
  reason: string | null;
  updated_at: string | null;
}

/**
 * Pause flags per target (targets_state). The engine re-reads them on every poll, so a pause written by
 * the CLI straight into the database file takes effect in a running server too.
 */
/** How a pause the engine makes for a ConfigError starts its reason; a start whose check passes ends it. */
export const CONFIGURATION_PAUSE = 'configuration error: ';

export class TargetStates {
  private readonly getStmt;
  private readonly setStmt;

  constructor(db: Db, private readonly now: () => Date) {
    this.getStmt = db.prepare('SELECT target, paused, reason, updated_at FROM targets_state WHERE target = ?');
    this.setStmt = db.prepare(`
      INSERT INTO targets_state (target, paused, reason, updated_at) VALUES (?, ?, ?, ?)
      ON CONFLICT (target) DO UPDATE SET paused = excluded.paused, reason = excluded.reason, updated_at = excluded.updated_at`);
  }

  get(target: string): TargetStateRow {
    const row = this.getStmt.get(target) as { target: string; paused: number; reason: string | null; updated_at: string } | undefined;
    return row ? { ...row, paused: row.paused === 1 } : { target, paused: false, reason: null, updated_at: null };
  }

  isPaused(target: string): boolean {
    return this.get(target).paused;
  }

  pause(target: string, reason: string): void {
    this.setStmt.run(target, 1, reason, this.now().toISOString());
  }

  resume(target: string): void {
    this.setStmt.run(target, 0, null, this.now().toISOString());
  }
}
