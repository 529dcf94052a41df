import type { Db } from './db';

/**
 * The form caseExact=false text is compared in (RFC 7643 §2.2): Unicode case folding, approximated by
 * lower → upper → lower so "ÄNNE" = "änne" and "STRASSE" = "straße" = "STRAẞE". SQLite's NOCASE folds
 * only ASCII letters, so values that need this are stored folded in their own column and compared there.
 */
export function caseFold(text: string): string {
  return text.toLowerCase().toUpperCase().toLowerCase();
}

/** `scim_fold(text)` in SQL, for migrations and queries that fold a value SQLite holds. */
export function registerCaseFold(db: Db): void {
  db.function('scim_fold', { deterministic: true }, (value: unknown) => (typeof value === 'string' ? caseFold(value) : value));
}
