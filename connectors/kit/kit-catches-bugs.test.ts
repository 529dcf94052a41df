import { spawnSync } from 'node:child_process';
import { join } from 'node:path';
import { KIT_CASES } from './harness';

/**
 * The kit is only worth something if it fails broken connectors. This runs the kit, in a child jest, against
 * the reference connector with one deliberate bug each (fixtures/broken-connectors.kit.ts) and checks that
 * the case meant to catch that bug fails, and that the unbroken control passes everything.
 */

interface AssertionResult {
  ancestorTitles: string[];
  title: string;
  status: string;
}

const expectedFailures: Record<string, string> = {
  'update reports applied but changes nothing': 'user-lifecycle',
  'list returns only the first page': 'user-list-paging',
  'list keeps fetching after abort': 'user-list-abort',
  'list ignores ListOptions.pageSize': 'user-list-page-size',
  'create ignores the abort signal': 'user-write-abort',
  'second delete throws NotFoundError': 'user-delete-noop',
  'conflict without the existing account': 'user-create-conflict',
  'rate limit reported as a plain retryable error': 'error-rate-limited',
  'error messages carry the token': 'error-no-secrets',
  'check throws on bad credentials': 'check-revoked-credentials',
  'disable is not idempotent': 'user-disable-enable',
  'addMember always applied': 'group-members-noop',
  'removeMember does nothing': 'group-members',
  'non-connector error thrown on 503': 'error-unavailable',
  'update ignores a rename (changes.key)': 'user-rename',
  'update ignores null (clearing a field)': 'user-clear-attributes',
  'enable of a vanished user reports applied': 'error-update-not-found',
  'update reports a rate limit as a plain retryable error': 'error-user-writes',
  'delete swallows every error as noop': 'error-user-writes',
  'groups.update does nothing': 'group-update',
  'update ignores the bridge id (Changes.scimId)': 'user-bridge-id',
  'addMember says the group is gone when the user is': 'group-member-not-found',
  'addMember of a vanished user reports applied': 'group-member-not-found',
  'addMember throws a non-connector error on 503': 'error-member-writes',
  'listMembers returns only the first page': 'group-members',
};

let results: AssertionResult[];

beforeAll(() => {
  const root = join(__dirname, '..', '..');
  const child = spawnSync(
    process.execPath,
    [require.resolve('jest/bin/jest'), '--ci', '--json', '--maxWorkers=1', '--testMatch', '**/connectors/kit/fixtures/broken-connectors.kit.ts'],
    { cwd: root, encoding: 'utf8', timeout: 120_000, maxBuffer: 64 * 1024 * 1024 },
  );
  const report = JSON.parse(child.stdout) as { testResults: Array<{ assertionResults: AssertionResult[] }> };
  results = report.testResults.flatMap((file) => file.assertionResults);
}, 150_000);

function outcomes(label: string): Record<string, string> {
  const mine = results.filter((result) => result.ancestorTitles[0] === `connector kit: memory (${label})`);
  return Object.fromEntries(mine.map((result) => [result.title, result.status]));
}

describe('the connector kit catches broken connectors', () => {
  it('passes the unbroken reference connector on every case', () => {
    const control = outcomes('control (unbroken)');
    expect(Object.keys(control).sort()).toEqual([...KIT_CASES].sort());
    expect(Object.entries(control).filter(([, status]) => status !== 'passed')).toEqual([]);
  });

  it.each(Object.entries(expectedFailures))('fails "%s" in %s', (label, caseName) => {
    expect(outcomes(label)[caseName]).toBe('failed');
  });
});
