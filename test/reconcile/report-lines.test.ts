import { reportLines, REPORT_ROWS } from '../../src/cli/reconcile-report';
import { DriftReports } from '../../src/reconcile/report-store';
import { Store } from '../../src/store';
import { openDatabase } from '../../src/store/db';

describe('the human report', () => {
  it('reads only the findings it prints, and takes the total from a count', () => {
    const store = new Store(openDatabase(':memory:'));
    const reports = new DriftReports(store.db);
    reports.create({ id: 'run-1', target: 'app', mode: 'report', dryRun: false, trigger: 'cli', actor: 'test', requestId: 'req-1', startedAt: '2025-01-01T00:00:00Z' });
    for (let seq = 1; seq <= 120; seq++) reports.addFinding('run-1', seq, { kind: 'unmanaged-account', remote: { id: `r${seq}`, key: `k${seq}` }, action: 'none' }, 'not-fixable');
    const reads = jest.spyOn(reports, 'findings');

    const lines = reportLines(reports, reports.get('run-1')!);

    expect(reads.mock.calls.map(([, page]) => page?.limit)).toEqual([REPORT_ROWS]);
    expect(lines.filter((line) => line.startsWith('unmanaged-account'))).toHaveLength(REPORT_ROWS);
    expect(lines).toContain('… 70 more (npx scim-bridge reconcile --show run-1 --json for all)');
    store.close();
  });
});
