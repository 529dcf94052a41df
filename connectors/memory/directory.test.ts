import { mkdtempSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { randomUUID } from 'node:crypto';
import {
  ConfigError,
  ConflictError,
  type ConnectorEnv,
  type OpContext,
  PermanentError,
  RateLimitedError,
  RetryableError,
} from '../sdk';
import { memory, memoryDirectory, type MemoryDirectory } from '.';

/** The hooks engine tests rely on: exact call counts, targeted failures, latency, sharing by name, persistence. */

const env: ConnectorEnv = { logger: { debug() {}, info() {}, warn() {}, error() {} }, now: () => new Date(), fetch };
const ctx = (signal = new AbortController().signal): OpContext => ({ idempotencyKey: randomUUID(), requestId: 'r', signal });
const alice = { scimId: 's1', key: 'alice@example.com', active: true, attributes: { displayName: 'Alice' } };

let directory: MemoryDirectory;
beforeEach(() => {
  directory = memoryDirectory(`test-${randomUUID()}`);
});
afterEach(() => directory.stop());

describe('memory directory hooks', () => {
  it('counts each operation exactly, and writes separately from reads', async () => {
    const connector = memory.create({ directory: directory.name }, env);
    const ref = await connector.users.create(alice, ctx());
    await connector.users.find(alice.key, ctx());
    await connector.users.update(ref, { attributes: { displayName: 'Alice B' } }, ctx());
    await connector.users.update(ref, { attributes: { displayName: 'Alice B' } }, ctx());
    expect(directory.callCounts()).toEqual({ 'users.create': 1, 'users.find': 1, 'users.update': 2 });
    expect(directory.writeCalls()).toBe(3);
    directory.resetCounts();
    expect(directory.requestCount()).toBe(0);
    expect(directory.allUsers()).toHaveLength(1);
  });

  it('reports a repeated update with nothing new as noop', async () => {
    const connector = memory.create({ directory: directory.name }, env);
    const ref = await connector.users.create(alice, ctx());
    expect(await connector.users.update(ref, { attributes: { displayName: 'Alice' } }, ctx())).toBe('noop');
    expect(await connector.users.update(ref, { attributes: { displayName: null } }, ctx())).toBe('applied');
    expect(directory.user(ref.id)?.attributes).toEqual({});
  });

  it('finds a renamed account by its new key only, and refuses a rename onto a taken key', async () => {
    const connector = memory.create({ directory: directory.name }, env);
    const ref = await connector.users.create(alice, ctx());
    const bob = await connector.users.create({ ...alice, key: 'bob@example.com' }, ctx());
    expect(await connector.users.update(ref, { key: 'Alice.L@example.com', attributes: {} }, ctx())).toBe('applied');
    expect(await connector.users.find('alice.l@example.com', ctx())).toMatchObject({ id: ref.id, key: 'Alice.L@example.com' });
    expect(await connector.users.find(alice.key, ctx())).toBeUndefined();
    await expect(connector.users.update(bob, { key: 'ALICE.L@example.com', attributes: {} }, ctx())).rejects.toMatchObject({
      constructor: ConflictError,
      existing: { id: ref.id },
    });
    expect(await connector.users.update(ref, { key: 'alice.l@example.com', attributes: {} }, ctx())).toBe('applied');
  });

  it('fails only the targeted operation, with each fault kind typed', async () => {
    const connector = memory.create({ directory: directory.name }, env);
    directory
      .failNext(1, { kind: 'retryable' }, 'users.create')
      .failNext(1, { kind: 'rate-limited', retryAfterMs: 1500 }, 'users.create')
      .failNext(1, { kind: 'permanent', message: 'bad email' }, 'users.create')
      .failNext(1, { kind: 'config' }, 'users.create');
    expect(await connector.users.find(alice.key, ctx())).toBeUndefined();
    await expect(connector.users.create(alice, ctx())).rejects.toBeInstanceOf(RetryableError);
    await expect(connector.users.create(alice, ctx())).rejects.toMatchObject({ constructor: RateLimitedError, retryAfterMs: 1500 });
    await expect(connector.users.create(alice, ctx())).rejects.toMatchObject({ constructor: PermanentError, message: 'bad email' });
    await expect(connector.users.create(alice, ctx())).rejects.toBeInstanceOf(ConfigError);
    await connector.users.create(alice, ctx());
    expect(directory.calls('users.create')).toBe(5);
    expect(directory.allUsers()).toHaveLength(1);
  });

  it('rate-limits every call after the first N until reset', async () => {
    const connector = memory.create({ directory: directory.name }, env);
    directory.rateLimitAfter(1, 2000);
    await connector.users.find('a', ctx());
    await expect(connector.users.find('a', ctx())).rejects.toMatchObject({ retryAfterMs: 2000 });
    directory.reset();
    expect(await connector.users.find('a', ctx())).toBeUndefined();
  });

  it('delays calls by the injected latency, and an abort during the wait stops the call', async () => {
    const connector = memory.create({ directory: directory.name }, env);
    directory.latency(10_000);
    const controller = new AbortController();
    const pending = connector.users.create(alice, ctx(controller.signal));
    controller.abort();
    await expect(pending).rejects.toBeInstanceOf(RetryableError);
    expect(directory.allUsers()).toEqual([]);
  });

  it('rejects a wrong token with ConfigError, and check() reports it without throwing', async () => {
    const guarded = memoryDirectory(`guarded-${randomUUID()}`, { credential: 'right-token-123' });
    const connector = memory.create({ directory: guarded.name, token: 'wrong-token-456' }, env);
    await expect(connector.users.find('a', ctx())).rejects.toBeInstanceOf(ConfigError);
    expect(await connector.check(ctx())).toEqual({ ok: false, message: expect.stringContaining('rejected the credential') });
    await guarded.stop();
  });

  it('shares state between connectors naming the same directory', async () => {
    const first = memory.create({ directory: directory.name }, env);
    const second = memory.create({ directory: directory.name }, env);
    const ref = await first.users.create(alice, ctx());
    expect(await second.users.find(alice.key, ctx())).toMatchObject({ id: ref.id });
  });

  it('keeps state and call counts in its file across a restart of the process', async () => {
    const folder = mkdtempSync(join(tmpdir(), 'memory-directory-'));
    const file = join(folder, 'state.json');
    try {
      const name = `file-${randomUUID()}`;
      const connector = memory.create({ directory: name, file }, env);
      const ref = await connector.users.create(alice, ctx());
      await memoryDirectory(name).stop(); // what a process restart does to the in-memory registry

      const restarted = memory.create({ directory: name, file }, env);
      expect(await restarted.users.find(alice.key, ctx())).toMatchObject({ id: ref.id });
      const second = await restarted.users.create({ ...alice, key: 'bob@example.com' }, ctx());
      expect(second.id).not.toBe(ref.id);
      expect(JSON.parse(readFileSync(file, 'utf8')).counts['users.create']).toBe(2);
      await memoryDirectory(name).stop();
    } finally {
      rmSync(folder, { recursive: true, force: true });
    }
  });
});
