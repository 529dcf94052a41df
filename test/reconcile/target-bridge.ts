import { randomUUID } from 'node:crypto';
import { mkdtempSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import type { AnyConnectorDefinition } from '../../connectors/sdk/contract';
import type { TargetConfig } from '../../src/config/types';
import { createLogger } from '../../src/log';
import type { DriftReport } from '../../src/reconcile/report-store';
import type { ReconcileService } from '../../src/reconcile/service';
import { Store, type ChangeContext } from '../../src/store';
import type { UserResource } from '../../src/store/users';
import { SyncEngine } from '../../src/sync/engine';
import { waitFor } from '../sync/harness';
import { findingLines, reconcileService } from './support';

const ctx = (): ChangeContext => ({ actor: 'idp', requestId: `req-${randomUUID()}`, source: 'scim' });

/** The store, the sync engine and the reconciler over one target served by a connector's fake. */
export class TargetBridge {
  readonly store = Store.open(join(mkdtempSync(join(tmpdir(), 'reconcile-target-')), 'bridge.db'));
  readonly engine: SyncEngine;
  readonly reconciler: ReconcileService;

  constructor(readonly target: TargetConfig, connector: AnyConnectorDefinition) {
    const logger = createLogger({ silent: true });
    const delivered = { ...target, delivery: { requestsPerSecond: 500, maxAttempts: 10, backoff: { baseMs: 5, maxMs: 50 } } };
    this.engine = new SyncEngine({ store: this.store, targets: [delivered], connectors: [connector], logger, pollMs: 10 });
    this.reconciler = reconcileService(this.store, [target], [connector]);
  }

  createUser(resource: UserResource): string {
    return this.store.users.create({ active: true, ...resource }, ctx()).id;
  }

  createGroup(displayName: string, memberIds: string[]): string {
    return this.store.groups.create({ displayName }, memberIds, ctx()).id;
  }

  async settle(): Promise<void> {
    const open = this.store.db.prepare(`SELECT COUNT(*) AS n FROM sync_queue q WHERE q.state = 'inflight'
      OR (q.state = 'pending' AND NOT EXISTS (SELECT 1 FROM targets_state t WHERE t.target = q.target AND t.paused = 1))`).pluck();
    await waitFor(() => open.get() === 0, 20_000);
  }

  async reconcile(mode: 'report' | 'fix' = 'report'): Promise<{ report: DriftReport; lines: string[] }> {
    const report = await this.reconciler.start(this.target.name, { trigger: 'cli', actor: 'test', mode }).done;
    if (report.status !== 'succeeded') throw new Error(`run failed: ${report.reason}`);
    return { report, lines: findingLines(this.reconciler, report) };
  }

  deadLetters(): unknown[] {
    return this.store.db.prepare(`SELECT subject_kind, subject_id, last_error FROM sync_queue WHERE state = 'dead'`).all();
  }

  async close(): Promise<void> {
    await this.reconciler.close();
    await this.engine.stop();
    this.store.close();
  }
}
