import type { JsonValue } from '../../connectors/sdk/contract';
import { table } from '../cli/delivery-admin-cli';
import type { DriftReport, StoredFinding } from './report-store';

const MAX_ROWS = 50;

/** A report as text for people: the verdict, counts, and the first findings as a table. */
export function renderReport(report: DriftReport, findings: StoredFinding[]): string[] {
  const summary = report.summary;
  const lines = [
    `reconcile ${report.target}: ${report.verdict ?? report.status} (${report.mode}${report.dryRun ? ', dry run' : ''}) run ${report.id}`,
  ];
  if (report.reason) lines.push(report.reason);
  if (summary) {
    lines.push(`target holds ${summary.remoteUsers} accounts, ${summary.remoteGroups} groups; desired ${summary.desiredUsers} accounts, ${summary.desiredGroups} groups; ${(summary.durationMs / 1000).toFixed(1)} s`);
    const counts = Object.entries(summary.findings).map(([kind, count]) => [kind, String(count)]);
    if (counts.length) lines.push('', ...table([['FINDING', 'COUNT'], ...counts]));
    const fixes = Object.entries(summary.fixes).map(([status, count]) => `${status} ${count}`).join(', ');
    if (fixes) lines.push('', `fixes: ${fixes}`);
  }
  if (findings.length) {
    lines.push('', ...table([['KIND', 'SUBJECT', 'TARGET KEY', 'DETAIL', 'ACTION', 'FIX'], ...findings.slice(0, MAX_ROWS).map(findingRow)]));
    if (findings.length > MAX_ROWS) lines.push(`… ${findings.length - MAX_ROWS} more (--json for all)`);
  }
  lines.push('', `ledger trail: scim-bridge evidence request:${report.requestId}`);
  return lines;
}

function findingRow(finding: StoredFinding): string[] {
  const subject = finding.subject ? `${finding.subject.kind}:${finding.subject.id}` : '-';
  return [finding.kind, subject, finding.remote?.key ?? finding.key ?? '-', detailOf(finding), finding.action, finding.fix];
}

function detailOf(finding: StoredFinding): string {
  if (finding.fields?.length) return finding.fields.map((drift) => `${drift.field}: ${show(drift.actual)} → ${show(drift.desired)}`).join('; ');
  if (finding.member) return `member ${finding.member.remote.key || finding.member.remote.id}`;
  return finding.note ?? '';
}

function show(value: JsonValue | null): string {
  const text = value === null ? '(none)' : typeof value === 'string' ? value : JSON.stringify(value);
  return text.length > 40 ? `${text.slice(0, 39)}…` : text;
}
