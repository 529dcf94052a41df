import { createHash } from 'node:crypto';
import { setImmediate } from 'node:timers/promises';
import type { Attributes } from '../../connectors/sdk/contract';
import type { Db } from '../store';
import { type DesiredState, mappedGroupId } from '../sync/desired-state';
import { MappingError, type TargetMapping } from '../sync/mapping';
import { userInScope } from '../sync/scope';
import type { GroupMappingConfig, TargetSettings } from '../sync/target-config';
import { normalizedValue } from './drift';

/**
 * The compact form of "who should be on this target": per desired account only its id, key and a hash of
 * the mapped attributes (plus which fields the mapping yields). 100k accounts stay a few tens of MB; the
 * full desired resource is read again only for an account whose hash differs.
 */
export interface DesiredAccount {
  id: string;
  key: string;
  /** Bit i set: the mapping yields a value for fields[i]. */
  mask: number;
  hash: string;
  seen: boolean;
}

const PAGE = 1000;

export class DesiredAccounts {
  readonly fields: string[];
  /** Users the mapping cannot express on the target (no key value): the engine dead-letters them. */
  unmappable = 0;
  private readonly byId = new Map<string, DesiredAccount>();
  private readonly idByKey = new Map<string, string>();

  constructor(target: TargetSettings) {
    this.fields = Object.keys(target.userAttributes);
  }

  /**
   * Reads every live, active user in the target's scope, a page of ids at a time, yielding to the event
   * loop between pages so a large run inside `serve` never holds up SCIM requests for long.
   */
  static async build(db: Db, target: TargetSettings, desired: DesiredState, mapping: TargetMapping, onProgress?: (count: number) => void): Promise<DesiredAccounts> {
    const accounts = new DesiredAccounts(target);
    const page = db.prepare('SELECT id FROM users WHERE deleted_at IS NULL AND active = 1 AND id > ? ORDER BY id LIMIT ?').pluck();
    let after = '';
    for (;;) {
      const ids = page.all(after, PAGE) as string[];
      if (ids.length === 0) break;
      for (const id of ids) accounts.consider(id, target, desired, mapping);
      after = ids[ids.length - 1];
      onProgress?.(accounts.size);
      await setImmediate();
    }
    return accounts;
  }

  get size(): number {
    return this.byId.size;
  }

  byIdOf(id: string): DesiredAccount | undefined {
    return this.byId.get(id);
  }

  byKey(key: string): DesiredAccount | undefined {
    const id = this.idByKey.get(key.toLowerCase());
    return id === undefined ? undefined : this.byId.get(id);
  }

  values(): IterableIterator<DesiredAccount> {
    return this.byId.values();
  }

  /** The hash the remote's attributes have when they match the desired ones of an account with `mask`. */
  remoteHash(mask: number, actual: Attributes): string {
    return hashValues(this.fields.filter((_, index) => mask & (1 << index)).map((field) => normalizedValue(actual[field])));
  }

  private consider(id: string, target: TargetSettings, desired: DesiredState, mapping: TargetMapping): void {
    const user = desired.user(id);
    if (!user || !userInScope(target, user, desired)) return;
    try {
      const mapped = mapping.user(user);
      let mask = 0;
      const values: Array<string | null> = [];
      this.fields.forEach((field, index) => {
        if (!(field in mapped.attributes)) return;
        mask |= 1 << index;
        values.push(normalizedValue(mapped.attributes[field]));
      });
      this.byId.set(id, { id, key: mapped.key, mask, hash: hashValues(values), seen: false });
      this.idByKey.set(mapped.key.toLowerCase(), id);
    } catch (error) {
      if (!(error instanceof MappingError)) throw error;
      this.unmappable++;
    }
  }
}

function hashValues(values: Array<string | null>): string {
  return createHash('sha1').update(JSON.stringify(values)).digest('base64').slice(0, 16);
}

/** A SCIM group the target's group mapping pushes there (by id, externalId or displayName, as the engine matches). */
export interface DesiredGroupEntry {
  id: string;
  mapping: Required<GroupMappingConfig>;
  seen: boolean;
}

/** The mapped groups that exist (live) in desired state, by the target's key for them. */
export function desiredGroups(db: Db, target: TargetSettings): Map<string, DesiredGroupEntry> {
  const groups = new Map<string, DesiredGroupEntry>();
  for (const mapping of target.groups) {
    const id = mappedGroupId(db, mapping.scim);
    if (id) groups.set(mapping.target.toLowerCase(), { id, mapping, seen: false });
  }
  return groups;
}
