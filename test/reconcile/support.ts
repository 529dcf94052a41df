import { memory } from '../../connectors/memory';
import type { TargetConfig } from '../../src/config/types';
import { createLogger } from '../../src/log';
import { ReconcileService } from '../../src/reconcile/service';
import { resolveReconcileSettings } from '../../src/reconcile/settings';
import type { DriftReport, StoredFinding } from '../../src/reconcile/report-store';
import type { Store } from '../../src/store';
import { resolveTargets } from '../../src/sync/target-config';
import type { AnyConnectorDefinition } from '../../connectors/sdk/contract';

/** A reconcile service over `store` for the given targets (resolved like serve resolves them). */
export function reconcileService(store: Store, targets: TargetConfig[], connectors: AnyConnectorDefinition[] = [memory]): ReconcileService {
  return new ReconcileService({
    store,
    targets: resolveTargets(targets, connectors),
    settings: resolveReconcileSettings(targets),
    logger: createLogger({ silent: true }),
  });
}

/** The findings of a run, as `kind subject/key detail` lines sorted, for exact comparisons. */
export function findingLines(service: ReconcileService, report: DriftReport, describe: (finding: StoredFinding) => string = defaultLine): string[] {
  return service.reports.findings(report.id, { limit: 10_000 }).map(describe).sort();
}

function defaultLine(finding: StoredFinding): string {
  const fields = finding.fields?.map((field) => `${field.field}:${String(field.actual)}→${String(field.desired)}`).join(',');
  const who = finding.member ? ` member=${finding.member.remote.key}` : '';
  return `${finding.kind} ${finding.remote?.key ?? finding.key ?? '-'}${who}${fields ? ` ${fields}` : ''} [${finding.action}]`;
}

/** Endpoints of a fake whose call count grew between two callCounts() snapshots. */
export function callsSince(before: Record<string, number>, after: Record<string, number>): Record<string, number> {
  return Object.fromEntries(Object.entries(after).filter(([endpoint, count]) => count > (before[endpoint] ?? 0)).map(([endpoint, count]) => [endpoint, count - (before[endpoint] ?? 0)]));
}
