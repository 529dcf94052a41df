import type { Db } from '../store';

/** A span during which a target held a user's membership of a group (null: not known / still holds it). */
export interface DeliveredSpan {
  target: string;
  from: string | null;
  until: string | null;
}

/** The user's account on a target: as the engine last applied it, or removed (it was there, the link is gone). */
export interface AccountState {
  target: string;
  state: 'active' | 'suspended' | 'removed';
}

interface DeliveryRow {
  at: string;
  target: string;
  after: string | null;
}

interface LinkRow {
  target: string;
  last_applied: string;
  synced_at: string;
}

/**
 * What the targets really received, from the engine's own records: the delivery ledger rows of a group
 * (members added and removed, per target) and the group's links (members as last applied). Not what
 * config says should be there: a paused target, or a user dropped from a target's scope, holds nothing.
 * Reads each group and user once per report.
 */
export class DeliveredAccess {
  private readonly spans = new Map<string, Map<string, DeliveredSpan[]>>();
  private readonly accountStates = new Map<string, AccountState[]>();

  /** `onlyUser`: a report about one user reads only the delivery rows that name them (big groups have long histories). */
  constructor(private readonly db: Db, private readonly onlyUser?: string) {}

  /** The spans during which each target held `userId` in `groupId`. */
  membership(groupId: string, userId: string): DeliveredSpan[] {
    let byUser = this.spans.get(groupId);
    if (!byUser) this.spans.set(groupId, (byUser = this.readGroup(groupId)));
    return byUser.get(userId) ?? [];
  }

  accounts(userId: string): AccountState[] {
    let states = this.accountStates.get(userId);
    if (!states) this.accountStates.set(userId, (states = this.readAccounts(userId)));
    return states;
  }

  private readGroup(groupId: string): Map<string, DeliveredSpan[]> {
    const byUser = new Map<string, DeliveredSpan[]>();
    const open = new Map<string, { userId: string; span: DeliveredSpan }>();
    const lastSeen = new Map<string, string>();
    const key = (target: string, userId: string) => `${target}\u0000${userId}`;
    const naming = this.onlyUser ? 'AND instr(after, @user) > 0' : '';
    const deliveries = this.db
      .prepare(`SELECT at, target, after FROM ledger WHERE subject = @subject AND target IS NOT NULL AND kind LIKE 'delivery.%' ${naming} ORDER BY seq`)
      .all({ subject: `group:${groupId}`, ...(this.onlyUser ? { user: this.onlyUser } : {}) }) as DeliveryRow[];
    for (const row of deliveries) {
      lastSeen.set(row.target, row.at);
      const changes = (row.after ? JSON.parse(row.after) : {}).changes ?? {};
      for (const userId of (changes.membersAdded ?? []) as string[]) {
        if (open.has(key(row.target, userId))) continue;
        const span: DeliveredSpan = { target: row.target, from: row.at, until: null };
        open.set(key(row.target, userId), { userId, span });
        byUser.set(userId, [...(byUser.get(userId) ?? []), span]);
      }
      for (const userId of (changes.membersRemoved ?? []) as string[]) {
        const entry = open.get(key(row.target, userId));
        if (entry) entry.span.until = row.at;
        open.delete(key(row.target, userId));
      }
    }
    const links = this.db.prepare(`SELECT target, last_applied, synced_at FROM links WHERE subject_kind = 'group' AND subject_id = ?`).all(groupId) as LinkRow[];
    const held = new Map(links.map((link) => [link.target, new Set(Object.keys(JSON.parse(link.last_applied).members ?? {}))]));
    // The link is the truth about now: members it holds that no ledger row added (adopted by reconcile), and spans it no longer holds.
    for (const [target, members] of held) {
      for (const userId of members) {
        if (open.has(key(target, userId))) continue;
        byUser.set(userId, [...(byUser.get(userId) ?? []), { target, from: null, until: null }]);
      }
    }
    for (const { userId, span } of open.values()) {
      if (held.get(span.target)?.has(userId)) continue;
      span.until = links.find((link) => link.target === span.target)?.synced_at ?? lastSeen.get(span.target) ?? null;
    }
    return byUser;
  }

  private readAccounts(userId: string): AccountState[] {
    const links = this.db.prepare(`SELECT target, last_applied FROM links WHERE subject_kind = 'user' AND subject_id = ?`).all(userId) as LinkRow[];
    const states: AccountState[] = links.map((link) => ({ target: link.target, state: JSON.parse(link.last_applied).active === false ? 'suspended' : 'active' }));
    const delivered = this.db
      .prepare(`SELECT DISTINCT target FROM ledger WHERE subject = ? AND target IS NOT NULL AND kind = 'delivery.applied'`)
      .all(`user:${userId}`) as Array<{ target: string }>;
    for (const { target } of delivered) if (!states.some((s) => s.target === target)) states.push({ target, state: 'removed' });
    return states.sort((a, b) => a.target.localeCompare(b.target));
  }
}

/** The part of [since, until) during which the target held the membership, per target that held it at all. */
export function overlapping(spans: DeliveredSpan[], since: string, until: string | null): DeliveredSpan[] {
  return spans
    .filter((span) => (until === null || span.from === null || span.from < until) && (span.until === null || span.until > since))
    .map((span) => ({
      target: span.target,
      from: span.from === null ? null : span.from > since ? span.from : since,
      until: span.until === null ? until : until === null || span.until < until ? span.until : until,
    }));
}
