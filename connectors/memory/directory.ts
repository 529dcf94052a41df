import { setTimeout as sleep } from 'node:timers/promises';
import {
  type Attributes,
  type Changes,
  ConfigError,
  ConflictError,
  type ConnectorError,
  NotFoundError,
  type Outcome,
  PermanentError,
  RateLimitedError,
  type RemoteGroup,
  type RemoteUser,
  RetryableError,
} from '../sdk';
import type { FakeTarget } from '../kit/fake';
import { KeyedStore } from './keyed-store';
import { loadSnapshot, saveSnapshot, type DirectorySnapshot } from './snapshot-file';

/**
 * An in-process "target": the state a real API would hold, plus the hooks tests need (call counts per
 * operation, injected failures, latency, revoked credentials). The memory connector reaches it only
 * through `call()`, the way an HTTP connector reaches a server, so every operation is counted and can fail.
 */

export type MemoryOperation =
  | 'check'
  | 'users.find'
  | 'users.create'
  | 'users.update'
  | 'users.disable'
  | 'users.enable'
  | 'users.delete'
  | 'users.list'
  | 'groups.find'
  | 'groups.create'
  | 'groups.update'
  | 'groups.delete'
  | 'groups.addMember'
  | 'groups.removeMember'
  | 'groups.list'
  | 'groups.listMembers';

export type MemoryFault =
  | { kind: 'retryable'; message?: string }
  | { kind: 'rate-limited'; retryAfterMs: number }
  | { kind: 'permanent'; message?: string }
  | { kind: 'config'; message?: string };

export interface DirectoryUser {
  id: string;
  key: string;
  active: boolean;
  attributes: Attributes;
  scimId?: string;
}

export interface DirectoryGroup {
  id: string;
  key: string;
  attributes: Attributes;
  scimId?: string;
  memberIds: string[];
}

export interface DirectoryOptions {
  /** The token the directory accepts; when unset it accepts any caller. */
  credential?: string;
  /** Persist state (and call counts) to this JSON file after every write, so it survives a crash of the process. */
  file?: string;
}

interface ArmedFault {
  fault: MemoryFault;
  remaining: number;
  operation?: MemoryOperation;
}

const WRITES = new Set<MemoryOperation>([
  'users.create', 'users.update', 'users.disable', 'users.enable', 'users.delete',
  'groups.create', 'groups.update', 'groups.delete', 'groups.addMember', 'groups.removeMember',
]);

export class MemoryDirectory implements FakeTarget {
  private readonly users = new KeyedStore<DirectoryUser>();
  private readonly groups = new KeyedStore<StoredGroup>();
  private counts = new Map<MemoryOperation, number>();
  private faults: ArmedFault[] = [];
  private rateLimit?: { allowed: number; retryAfterMs: number };
  private latencyMs = 0;
  private revoked = false;
  private nextId = 1;

  constructor(readonly name: string, private readonly options: DirectoryOptions = {}) {
    if (options.file) this.restore(loadSnapshot(options.file));
  }

  // ---- the API the connector calls --------------------------------------------------------------

  /** Every connector operation goes through here: count → latency → faults → credential → work (→ persist). */
  async call<T>(operation: MemoryOperation, credential: string | undefined, signal: AbortSignal, work: () => T): Promise<T> {
    this.counts.set(operation, (this.counts.get(operation) ?? 0) + 1);
    if (this.latencyMs > 0) await this.wait(signal);
    signal.throwIfAborted();
    const fault = this.takeFault(operation);
    if (fault) throw faultError(fault);
    if (this.revoked || (this.options.credential !== undefined && credential !== this.options.credential)) {
      throw new ConfigError(`directory ${this.name} rejected the credential`);
    }
    const result = work();
    if (WRITES.has(operation)) this.persist();
    return result;
  }

  findUser(key: string): DirectoryUser | undefined {
    return this.users.byKey(key);
  }

  createUser(input: Omit<DirectoryUser, 'id'>): DirectoryUser {
    const existing = this.findUser(input.key);
    if (existing) throw new ConflictError<RemoteUser>(`user ${input.key} already exists`, toRemoteUser(existing));
    const user: DirectoryUser = { ...structuredClone(input), id: this.newId('u') };
    this.users.add(user);
    return user;
  }

  updateUser(id: string, changes: Changes): Outcome {
    const user = this.requireUser(id);
    const holder = changes.key === undefined ? undefined : this.findUser(changes.key);
    if (holder && holder.id !== id) throw new ConflictError<RemoteUser>(`user ${changes.key} already exists`, toRemoteUser(holder));
    const keyChanged = changes.key !== undefined && changes.key !== user.key;
    if (keyChanged) this.users.rekey(user, changes.key!);
    const stamped = stampScimId(user, changes.scimId);
    return applyAttributes(user.attributes, changes.attributes) || keyChanged || stamped ? 'applied' : 'noop';
  }

  setActive(id: string, active: boolean): Outcome {
    const user = this.requireUser(id);
    if (user.active === active) return 'noop';
    user.active = active;
    return 'applied';
  }

  deleteUser(id: string): Outcome {
    if (!this.users.delete(id)) return 'noop';
    for (const group of this.groups.values()) group.members.delete(id);
    return 'applied';
  }

  findGroup(key: string): DirectoryGroup | undefined {
    const group = this.groups.byKey(key);
    return group && withMemberIds(group);
  }

  createGroup(input: Omit<DirectoryGroup, 'id' | 'memberIds'>): DirectoryGroup {
    const existing = this.findGroup(input.key);
    if (existing) throw new ConflictError<RemoteGroup>(`group ${input.key} already exists`, toRemoteGroup(existing));
    const group: StoredGroup = { ...structuredClone(input), id: this.newId('g'), members: new Set() };
    this.groups.add(group);
    return withMemberIds(group);
  }

  updateGroup(id: string, changes: Changes): Outcome {
    const group = this.groups.get(id);
    if (!group) throw new NotFoundError(`group ${id} not found`);
    const holder = changes.key === undefined ? undefined : this.findGroup(changes.key);
    if (holder && holder.id !== id) throw new ConflictError<RemoteGroup>(`group ${changes.key} already exists`, toRemoteGroup(holder));
    const keyChanged = changes.key !== undefined && changes.key !== group.key;
    if (keyChanged) this.groups.rekey(group, changes.key!);
    const stamped = stampScimId(group, changes.scimId);
    return applyAttributes(group.attributes, changes.attributes) || keyChanged || stamped ? 'applied' : 'noop';
  }

  deleteGroup(id: string): Outcome {
    return this.groups.delete(id) ? 'applied' : 'noop';
  }

  addMember(groupId: string, userId: string): Outcome {
    const group = this.groups.get(groupId);
    if (!group) throw new NotFoundError(`group ${groupId} not found`, { subject: 'group' });
    if (!this.users.get(userId)) throw new NotFoundError(`user ${userId} not found`, { subject: 'user' });
    if (group.members.has(userId)) return 'noop';
    group.members.add(userId);
    return 'applied';
  }

  removeMember(groupId: string, userId: string): Outcome {
    const group = this.groups.get(groupId);
    return group?.members.delete(userId) ? 'applied' : 'noop';
  }

  /** One page in insertion order; `next` is the offset of the following page. */
  userPage(offset: number, size: number): { items: DirectoryUser[]; next?: number } {
    return page(this.users.values(), offset, size, (user) => structuredClone(user));
  }

  groupPage(offset: number, size: number): { items: DirectoryGroup[]; next?: number } {
    return page(this.groups.values(), offset, size, withMemberIds);
  }

  memberPage(groupId: string, offset: number, size: number): { items: DirectoryUser[]; next?: number } {
    const group = this.groups.get(groupId);
    if (!group) throw new NotFoundError(`group ${groupId} not found`);
    return page([...group.members], offset, size, (id) => structuredClone(this.requireUser(id)));
  }

  // ---- test hooks -------------------------------------------------------------------------------

  /** The next `count` calls (of `operation`, if given) fail with `fault`. */
  failNext(count: number, fault: MemoryFault, operation?: MemoryOperation): this {
    this.faults.push({ fault, remaining: count, operation });
    return this;
  }

  /** The next `count` calls succeed; every call after them is rate-limited until reset(). */
  rateLimitAfter(count: number, retryAfterMs: number): this {
    this.rateLimit = { allowed: count, retryAfterMs };
    return this;
  }

  latency(ms: number): this {
    this.latencyMs = ms;
    return this;
  }

  revokeCredentials(): void {
    this.revoked = true;
  }

  calls(operation: MemoryOperation): number {
    return this.counts.get(operation) ?? 0;
  }

  callCounts(): Partial<Record<MemoryOperation, number>> {
    return Object.fromEntries(this.counts);
  }

  /** Calls to operations that change state (successful or not): what "target writes" means in engine tests. */
  writeCalls(): number {
    return [...this.counts].reduce((sum, [operation, count]) => sum + (WRITES.has(operation) ? count : 0), 0);
  }

  requestCount(): number {
    return [...this.counts.values()].reduce((sum, count) => sum + count, 0);
  }

  /** Only the call counters back to zero; data and faults stay. */
  resetCounts(): void {
    this.counts.clear();
  }

  reset(): void {
    this.users.clear();
    this.groups.clear();
    this.counts.clear();
    this.faults = [];
    this.rateLimit = undefined;
    this.latencyMs = 0;
    this.revoked = false;
    this.persist();
  }

  async stop(): Promise<void> {
    forgetDirectory(this);
  }

  /** Read-only copies of what the target holds. */
  allUsers(): DirectoryUser[] {
    return structuredClone(this.users.values());
  }

  allGroups(): DirectoryGroup[] {
    return this.groups.values().map(withMemberIds);
  }

  userCount(): number {
    return this.users.size;
  }

  user(id: string): DirectoryUser | undefined {
    const user = this.users.get(id);
    return user && structuredClone(user);
  }

  group(id: string): DirectoryGroup | undefined {
    const group = this.groups.get(id);
    return group && withMemberIds(group);
  }

  /** Removes an account behind the connector's back, as an admin of the target would. */
  removeUserDirectly(id: string): void {
    this.deleteUser(id);
    this.persist();
  }

  // ---- internals --------------------------------------------------------------------------------

  private requireUser(id: string): DirectoryUser {
    const user = this.users.get(id);
    if (!user) throw new NotFoundError(`user ${id} not found`);
    return user;
  }

  private newId(prefix: string): string {
    return `${prefix}-${this.nextId++}`;
  }

  private async wait(signal: AbortSignal): Promise<void> {
    try {
      await sleep(this.latencyMs, undefined, { signal });
    } catch (error) {
      throw new RetryableError('operation aborted while waiting for the directory', { cause: error });
    }
  }

  private takeFault(operation: MemoryOperation): MemoryFault | undefined {
    const armed = this.faults.find((entry) => entry.remaining > 0 && (!entry.operation || entry.operation === operation));
    if (armed) {
      armed.remaining -= 1;
      this.faults = this.faults.filter((entry) => entry.remaining > 0);
      return armed.fault;
    }
    if (!this.rateLimit) return undefined;
    if (this.rateLimit.allowed > 0) {
      this.rateLimit.allowed -= 1;
      return undefined;
    }
    return { kind: 'rate-limited', retryAfterMs: this.rateLimit.retryAfterMs };
  }

  private persist(): void {
    if (!this.options.file) return;
    saveSnapshot(this.options.file, {
      nextId: this.nextId,
      users: this.users.values(),
      groups: this.groups.values().map(withMemberIds),
      counts: Object.fromEntries(this.counts),
    });
  }

  private restore(snapshot: DirectorySnapshot | undefined): void {
    if (!snapshot) return;
    this.nextId = snapshot.nextId;
    for (const user of snapshot.users) this.users.add(user);
    for (const { memberIds, ...group } of snapshot.groups) this.groups.add({ ...group, members: new Set(memberIds) });
    this.counts = new Map(Object.entries(snapshot.counts) as Array<[MemoryOperation, number]>);
  }
}

export function toRemoteUser(user: DirectoryUser): RemoteUser {
  const { id, key, active, attributes, scimId } = structuredClone(user);
  return { id, key, active, attributes, ...(scimId ? { scimId } : {}) };
}

export function toRemoteGroup(group: DirectoryGroup): RemoteGroup {
  const { id, key, attributes, scimId } = structuredClone(group);
  return { id, key, attributes, ...(scimId ? { scimId } : {}) };
}

// ---- process-global named directories, so a config file can say `{ directory: "demo" }` ------------

const directories = new Map<string, MemoryDirectory>();

/** The directory called `name`, created on first use with `options` (later callers share it as it is). */
export function memoryDirectory(name: string, options: DirectoryOptions = {}): MemoryDirectory {
  let directory = directories.get(name);
  if (!directory) {
    directory = new MemoryDirectory(name, options);
    directories.set(name, directory);
  }
  return directory;
}

function forgetDirectory(directory: MemoryDirectory): void {
  if (directories.get(directory.name) === directory) directories.delete(directory.name);
}

function faultError(fault: MemoryFault): ConnectorError {
  switch (fault.kind) {
    case 'retryable':
      return new RetryableError(fault.message ?? 'directory temporarily unavailable');
    case 'rate-limited':
      return new RateLimitedError(fault.retryAfterMs);
    case 'permanent':
      return new PermanentError(fault.message ?? 'directory refused the data');
    case 'config':
      return new ConfigError(fault.message ?? 'directory rejected the credential');
  }
}

/** Members as a set inside (membership checks stay O(1) in large groups), as an array outside. */
type StoredGroup = Omit<DirectoryGroup, 'memberIds'> & { members: Set<string> };

function withMemberIds({ members, ...group }: StoredGroup): DirectoryGroup {
  return { ...structuredClone(group), memberIds: [...members] };
}

/** Replaces the bridge id a record carries (Changes.scimId, on adopt); true when it changed. */
function stampScimId(record: { scimId?: string }, scimId: string | undefined): boolean {
  if (scimId === undefined || record.scimId === scimId) return false;
  record.scimId = scimId;
  return true;
}

/** Sets each attribute (null removes it); true when anything changed. */
function applyAttributes(target: Attributes, changes: Attributes): boolean {
  let changed = false;
  for (const [name, value] of Object.entries(changes)) {
    if (value === null) {
      if (name in target) changed = delete target[name];
    } else if (JSON.stringify(target[name]) !== JSON.stringify(value)) {
      target[name] = structuredClone(value);
      changed = true;
    }
  }
  return changed;
}

/** Copies only the page it returns: listing n records costs O(n), not O(n²). */
function page<T, R>(items: T[], offset: number, size: number, copy: (item: T) => R): { items: R[]; next?: number } {
  const end = offset + size;
  return { items: items.slice(offset, end).map(copy), next: end < items.length ? end : undefined };
}
