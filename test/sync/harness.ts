import { randomUUID } from 'node:crypto';
import { mkdtempSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { memory, memoryDirectory, type MemoryDirectory } from '../../connectors/memory';
import type { TargetConfig } from '../../src/config/types';
import { createLogger } from '../../src/log';
import { Store, type ChangeContext } from '../../src/store';
import type { UserResource } from '../../src/store/users';
import { SyncEngine, type SyncEngineOptions } from '../../src/sync/engine';
import type { DeliveryReport } from '../../src/sync/observer';

/** Real time plus an offset that tests move forward (days pass in a millisecond). */
export class TestClock {
  private offsetMs = 0;
  readonly now = (): Date => new Date(Date.now() + this.offsetMs);
  advance(ms: number): void {
    this.offsetMs += ms;
  }
}

export interface HarnessTarget extends Partial<Omit<TargetConfig, 'name' | 'connector' | 'config'>> {
  name?: string;
  /** Extra memory-connector settings (e.g. a token). */
  connectorConfig?: Record<string, unknown>;
}

export const ctx = (requestId = `req-${randomUUID()}`): ChangeContext => ({ actor: 'idp', requestId, source: 'scim' });

/**
 * A real Store on a temp file, the sync engine, and one memory directory per target. The directories
 * are the targets' own state: tests assert against them, not against the connector.
 */
export class Harness {
  readonly clock = new TestClock();
  readonly store: Store;
  readonly directories = new Map<string, MemoryDirectory>();
  readonly reports: DeliveryReport[] = [];
  engine!: SyncEngine;
  readonly dbFile: string;
  private targetConfigs: TargetConfig[];

  constructor(targets: HarnessTarget[] = [{}], dbFile?: string, private readonly extra: Partial<SyncEngineOptions> = {}) {
    this.dbFile = dbFile ?? join(mkdtempSync(join(tmpdir(), 'sync-test-')), 'bridge.db');
    this.store = Store.open(this.dbFile, this.clock.now);
    this.targetConfigs = targets.map((target, index) => {
      const name = target.name ?? (index === 0 ? 'app' : `app-${index}`);
      const directory = `dir-${randomUUID()}`;
      this.directories.set(name, memoryDirectory(directory));
      const { connectorConfig, ...settings } = target;
      return {
        ...settings,
        name,
        connector: 'memory',
        config: { directory, ...connectorConfig },
        delivery: { maxAttempts: 3, backoff: { baseMs: 5, maxMs: 20 }, ...(settings.delivery as object | undefined) },
      } as TargetConfig;
    });
  }

  static async start(targets?: HarnessTarget[], extra?: Partial<SyncEngineOptions>): Promise<Harness> {
    const harness = new Harness(targets, undefined, extra);
    await harness.startEngine();
    return harness;
  }

  async startEngine(extra: Partial<SyncEngineOptions> = {}): Promise<void> {
    this.engine = new SyncEngine({
      store: this.store,
      targets: this.targetConfigs,
      connectors: [memory],
      logger: createLogger({ silent: true }),
      pollMs: 20,
      random: () => 0.5,
      observer: { delivered: (report) => this.reports.push(report) },
      ...this.extra,
      ...extra,
    });
    await this.engine.start();
  }

  /** Stops the engine and starts it again with the targets' config changed (a config edit and a restart). */
  async restartWith(change: (targets: TargetConfig[]) => TargetConfig[]): Promise<void> {
    await this.engine.stop();
    this.targetConfigs = change(this.targetConfigs);
    await this.startEngine();
  }

  directory(target = 'app'): MemoryDirectory {
    return this.directories.get(target)!;
  }

  createUser(userName: string, extra: Partial<UserResource> = {}): string {
    const resource = { userName, name: { givenName: 'Ada', familyName: 'Lovelace' }, emails: [{ type: 'work', value: `${userName}@example.com` }], active: true, ...extra };
    return this.store.users.create(resource as UserResource, ctx()).id;
  }

  /** Replaces the user with `change` applied to its current resource (what a PATCH ends as). */
  patchUser(id: string, change: (resource: Record<string, unknown>) => void, requestId?: string): void {
    const resource = structuredClone(this.store.users.get(id)!.resource) as UserResource;
    change(resource);
    this.store.users.replace(id, resource, ctx(requestId));
  }

  createGroup(displayName: string, memberIds: string[] = []): string {
    return this.store.groups.create({ displayName }, memberIds, ctx()).id;
  }

  remoteUser(key: string, target = 'app') {
    return this.directory(target).allUsers().find((user) => user.key.toLowerCase() === key.toLowerCase());
  }

  /** Waits until nothing is in flight and nothing is due within `horizonMs` (scheduled deletes are far away). */
  async settle(horizonMs = 1000, timeoutMs = 10_000): Promise<void> {
    await waitFor(() => {
      const open = this.store.db
        .prepare(`SELECT COUNT(*) AS n FROM sync_queue q WHERE q.state = 'inflight'
                  OR (q.state = 'pending' AND q.due_at <= ? AND NOT EXISTS (SELECT 1 FROM targets_state t WHERE t.target = q.target AND t.paused = 1))`)
        .get(this.clock.now().getTime() + horizonMs) as { n: number };
      return open.n === 0;
    }, timeoutMs);
    await new Promise((resolve) => setTimeout(resolve, 5));
  }

  ledgerKinds(subject: string): string[] {
    return this.store.ledger.forSubject(subject).map((row) => row.kind);
  }

  async close(): Promise<void> {
    await this.engine?.stop();
    this.store.close();
    for (const directory of this.directories.values()) await directory.stop();
  }
}

export async function waitFor(condition: () => boolean, timeoutMs = 10_000): Promise<void> {
  const deadline = Date.now() + timeoutMs;
  while (!condition()) {
    if (Date.now() > deadline) throw new Error('condition not met in time');
    await new Promise((resolve) => setTimeout(resolve, 5));
  }
}
