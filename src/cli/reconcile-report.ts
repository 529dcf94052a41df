import type { JsonValue } from '../../connectors/sdk/contract';
import type { DriftReport, DriftReports, StoredFinding } from '../reconcile/report-store';
import { table } from './table';

/** Findings a report shows as rows; the rest are counted (--json or the admin API page through all). */
export const REPORT_ROWS = 50;

/** A stored run as text for people; reads only the rows it prints, so a run with 100k findings costs no more. */
export function reportLines(reports: DriftReports, report: DriftReport): string[] {
  return renderReport(report, reports.findings(report.id, { limit: REPORT_ROWS }), reports.countFindings(report.id));
}

/** A report as text for people: the verdict, counts, and the first findings (of `total`) as a table. */
export function renderReport(report: DriftReport, findings: StoredFinding[], total: number): string[] {
  const summary = report.summary;
  const lines = [
    `reconcile ${report.target}: ${report.verdict ?? report.status} (${report.mode}${report.dryRun ? ', dry run' : ''}) run ${report.id}`,
  ];
  if (report.reason) lines.push(report.reason);
  if (summary) {
    lines.push(`target holds ${summary.remoteUsers} accounts, ${summary.remoteGroups} groups, ${summary.remoteMemberships ?? 0} memberships in compared groups; desired ${summary.desiredUsers} accounts, ${summary.desiredGroups} groups; ${(summary.durationMs / 1000).toFixed(1)} s`);
    const counts = Object.entries(summary.findings).map(([kind, count]) => [kind, String(count)]);
    if (counts.length) lines.push('', ...table([['FINDING', 'COUNT'], ...counts]));
    const fixes = Object.entries(summary.fixes).map(([status, count]) => `${status} ${count}`).join(', ');
    if (fixes) lines.push('', `fixes: ${fixes}`);
  }
  if (findings.length) {
    lines.push('', ...table([['KIND', 'SUBJECT', 'TARGET KEY', 'DETAIL', 'ACTION', 'FIX'], ...findings.map(findingRow)]));
    if (total > findings.length) lines.push(`… ${total - findings.length} more (npx scim-bridge reconcile --show ${report.id} --json for all)`);
  }
  lines.push('', `ledger trail: npx scim-bridge evidence request:${report.requestId}`);
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
