import type { MemberChanges } from '../store/groups';
import { scimFailure } from './errors';
import { isPlainObject } from './normalize';
import type { PatchOperation } from './patch-ops';

const MEMBER_FILTER_PATH = /^members\[\s*value\s+eq\s+"([^"]+)"\s*\]$/i;

/**
 * Splits a Group PatchOp into member changes, applied in SQL one membership row each, and the other
 * operations, which scimmy applies to the group body. Operations are folded in order, so "add X"
 * then "remove X" leaves X out, as RFC 7644 3.5.2 asks.
 */
export function splitMemberOperations(operations: PatchOperation[]): { members: MemberChanges; others: PatchOperation[] } {
  const net = new MemberFold();
  const others: PatchOperation[] = [];
  operations.forEach((operation, index) => {
    const path = typeof operation.path === 'string' ? operation.path.trim() : undefined;
    if (path === undefined && isPlainObject(operation.value)) {
      const { members, rest } = takeMembersKey(operation.value);
      if (members !== undefined) net.apply(operation.op, memberIds(members, index), false);
      if (rest) others.push({ ...operation, value: rest });
      return;
    }
    if (path?.toLowerCase() === 'members') {
      net.apply(operation.op, operation.value === undefined ? undefined : memberIds(operation.value, index), true);
      return;
    }
    const filtered = path ? MEMBER_FILTER_PATH.exec(path) : null;
    if (filtered) {
      if (operation.op !== 'remove') throw scimFailure(400, 'invalidPath', `operation ${index + 1}: only 'remove' may target '${path}'`);
      net.apply('remove', [filtered[1]], true);
      return;
    }
    others.push(operation);
  });
  return { members: net.changes(), others };
}

class MemberFold {
  private replaceAll?: Set<string>;
  private readonly add = new Set<string>();
  private readonly remove = new Set<string>();

  /** `ids` undefined on remove means "remove every member". */
  apply(op: string, ids: string[] | undefined, withPath: boolean): void {
    if (op === 'replace' || (op === 'remove' && ids === undefined)) {
      this.replaceAll = new Set(op === 'replace' ? ids ?? [] : []);
      this.add.clear();
      this.remove.clear();
      return;
    }
    for (const id of ids ?? []) {
      if (op === 'add') this.include(id);
      else if (op === 'remove' && withPath) this.exclude(id);
    }
  }

  changes(): MemberChanges {
    if (this.replaceAll) return { replaceAll: [...this.replaceAll] };
    return { add: [...this.add], remove: [...this.remove] };
  }

  private include(id: string): void {
    if (this.replaceAll) this.replaceAll.add(id);
    else {
      this.remove.delete(id);
      this.add.add(id);
    }
  }

  private exclude(id: string): void {
    if (this.replaceAll) this.replaceAll.delete(id);
    else {
      this.add.delete(id);
      this.remove.add(id);
    }
  }
}

function takeMembersKey(value: Record<string, unknown>): { members?: unknown; rest?: Record<string, unknown> } {
  const rest: Record<string, unknown> = {};
  let members: unknown;
  for (const [key, inner] of Object.entries(value)) {
    if (key.toLowerCase() === 'members') members = inner;
    else rest[key] = inner;
  }
  return { members, rest: Object.keys(rest).length ? rest : undefined };
}

/** Member ids from `[{value}]`, `{value}` or bare id strings; anything else is 400 invalidValue. */
export function memberIds(value: unknown, index: number): string[] {
  refuseNestedGroups(value);
  const items = Array.isArray(value) ? value : [value];
  return items.map((item) => {
    const id = typeof item === 'string' ? item : isPlainObject(item) ? item.value : undefined;
    if (typeof id !== 'string' || !id) throw scimFailure(400, 'invalidValue', `operation ${index + 1}: each member needs a string 'value'`);
    return id;
  });
}

/** Groups hold users only (see usersOnlyAsGroupMembers): a member typed Group is refused by name. */
export function refuseNestedGroups(members: unknown): void {
  for (const item of Array.isArray(members) ? members : [members]) {
    if (isPlainObject(item) && typeof item.type === 'string' && item.type.toLowerCase() === 'group') {
      throw scimFailure(400, 'invalidValue', `member '${String(item.value).slice(0, 100)}' has type Group: nested groups are not supported`);
    }
  }
}
