import type { ChangeContext, Db } from '../store';
import { GrantError, Grants, type Grant } from '../store/grants';
import type { LifecycleConfig } from './config';
import { parseDurationMs } from './duration';

/** A grant as a person or an admin API client asks for it: names or ids, and a duration or an expiry. */
export interface GrantInput {
  user: string;
  group: string;
  reason: string;
  requester: string;
  startsAt?: string;
  duration?: string;
  expiresAt?: string;
}

/**
 * The one place grant requests are interpreted (admin API and CLI both call it): resolves names,
 * applies the privileged-group policy from config, and turns a duration into an expiry.
 */
export class GrantService {
  constructor(
    private readonly db: Db,
    private readonly grants: Grants,
    private readonly config: LifecycleConfig,
    private readonly now: () => Date,
  ) {}

  request(ctx: ChangeContext, input: GrantInput): Grant {
    const userId = this.resolve('users', 'user_name', input.user);
    const group = this.resolveGroup(input.group);
    const startsAt = input.startsAt ? new Date(input.startsAt) : this.now();
    const expiresAt = this.expiry(startsAt, input);
    const policy = this.config.privilegedGroups.find((p) => p.group === group.id || p.group.toLowerCase() === group.displayName.toLowerCase());
    return this.grants.request(ctx, {
      userId,
      groupId: group.id,
      reason: input.reason,
      requester: input.requester,
      startsAt,
      expiresAt,
      privileged: policy !== undefined,
      maxDurationMs: policy ? parseDurationMs(policy.maxDuration) : undefined,
    });
  }

  private expiry(startsAt: Date, input: GrantInput): Date {
    if (Number.isNaN(startsAt.getTime())) throw new GrantError('startsAt must be an ISO 8601 date-time');
    if (input.expiresAt) {
      const expiresAt = new Date(input.expiresAt);
      if (Number.isNaN(expiresAt.getTime())) throw new GrantError('expiresAt must be an ISO 8601 date-time');
      return expiresAt;
    }
    const ms = input.duration ? parseDurationMs(input.duration) : undefined;
    if (ms === undefined) throw new GrantError('duration must be an ISO 8601 duration in weeks, days, hours, minutes or seconds (e.g. PT2H, P30D)');
    return new Date(startsAt.getTime() + ms);
  }

  private resolveGroup(key: string): { id: string; displayName: string } {
    const id = this.resolve('groups', 'display_name', key);
    const row = this.db.prepare('SELECT display_name FROM groups WHERE id = ?').get(id) as { display_name: string };
    return { id, displayName: row.display_name };
  }

  /** The live row whose id or name is `key`; a name that matches several rows is refused as ambiguous. */
  private resolve(table: 'users' | 'groups', nameColumn: 'user_name' | 'display_name', key: string): string {
    const byId = this.db.prepare(`SELECT id FROM ${table} WHERE id = ? AND deleted_at IS NULL`).get(key) as { id: string } | undefined;
    if (byId) return byId.id;
    const byName = this.db
      .prepare(`SELECT id FROM ${table} WHERE ${nameColumn} = ? COLLATE NOCASE AND deleted_at IS NULL LIMIT 2`)
      .all(key) as Array<{ id: string }>;
    const noun = table === 'users' ? 'user' : 'group';
    if (byName.length === 0) throw new GrantError(`${noun} '${key}' not found`, 404);
    if (byName.length > 1) throw new GrantError(`${noun} name '${key}' is ambiguous; use the id`);
    return byName[0].id;
  }
}
