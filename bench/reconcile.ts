import { randomUUID } from 'node:crypto';
import { execFileSync } from 'node:child_process';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { memory, memoryDirectory, type MemoryDirectory } from '../connectors/memory';
import { saveSnapshot } from '../connectors/memory/snapshot-file';
import type { TargetConfig } from '../src/config/types';
import { createLogger } from '../src/log';
import { ReconcileService } from '../src/reconcile/service';
import { resolveReconcileSettings } from '../src/reconcile/settings';
import type { DriftReport } from '../src/reconcile/report-store';
import { Store, type ChangeContext } from '../src/store';
import { DesiredState } from '../src/sync/desired-state';
import { SyncEngine } from '../src/sync/engine';
import { createTargetMapping } from '../src/sync/mapping';
import { resolveTargets, type TargetSettings } from '../src/sync/target-config';

/**
 * `npm run bench:reconcile` (or runReconcileBench()): reconcile an in-process memory target holding USERS
 * accounts, GROUPS groups and USERS×2 memberships, all linked and in line with desired state; then with
 * 1% drift made behind the bridge's back (attribute changes, deleted accounts, removed and added members,
 * unmanaged accounts), fixed through the engine. Prints duration, target calls and peak RSS per run.
 *
 * Each run is a fresh process, as `scim-bridge reconcile` would be: it opens the seeded database and loads
 * the fake target (a memory directory snapshot) into its own heap, so its RSS counts the reconciler
 * plus the fake's copy of every account, but not the seeding. Fixes are delivered by the sync engine
 * in the parent, which holds the same directory.
 */
export interface ReconcileBenchOptions {
  users?: number;
  groups?: number;
  membersPerGroup?: number;
  log?: (line: string) => void;
}

export interface RunResult {
  run: string;
  /** The child's RSS after loading the store and the fake target, before the run. */
  rssBeforeMb: number;
  seconds: number;
  findings: number;
  listingCalls: number;
  writeCalls: number;
  peakRssMb: number;
  verdict: string | null;
}

const TARGET = 'bench';
const ctx: ChangeContext = { actor: 'bench', requestId: 'bench-seed', source: 'cli' };

export async function runReconcileBench(options: ReconcileBenchOptions = {}): Promise<{ runs: RunResult[]; fixesDelivered: number; fixable: number }> {
  const users = options.users ?? 100_000;
  const groups = options.groups ?? 1_000;
  const membersPerGroup = options.membersPerGroup ?? 200;
  const log = options.log ?? ((line: string) => process.stdout.write(`${line}\n`));
  const dir = mkdtempSync(join(tmpdir(), 'bench-reconcile-'));
  const files = { db: join(dir, 'bridge.db'), snapshot: join(dir, 'target.json') };
  const store = Store.open(files.db);
  const directory = memoryDirectory(`bench-${randomUUID()}`);
  const target = benchTarget(directory.name, groups);
  const [settings] = resolveTargets([target], [memory]);
  const seeded = Date.now();
  seed(store, directory, settings, users, groups, membersPerGroup);
  log(`seeded ${users} users, ${groups} groups, ${groups * membersPerGroup} memberships (linked, in line) in ${((Date.now() - seeded) / 1000).toFixed(1)} s`);

  const runs: RunResult[] = [];
  const runInChild = (name: string, mode: 'report' | 'fix') => {
    snapshot(directory, files.snapshot);
    runs.push(childRun(name, mode, files, groups));
    log(formatRun(runs[runs.length - 1]));
  };
  runInChild('no drift (report)', 'report');
  const fixable = makeDrift(directory, users, groups);
  runInChild('1% drift (fix: enqueue)', 'fix');
  const fixesDelivered = await deliver(store, target, directory);
  const calls = Object.entries(directory.callCounts()).map(([operation, count]) => `${operation} ${count}`).join(', ');
  log(`fixes delivered by the sync engine: ${fixesDelivered} target writes for ${fixable} fixable findings (all calls: ${calls})`);
  runInChild('after the fixes (report)', 'report');
  store.close();
  await directory.stop();
  rmSync(dir, { recursive: true, force: true });
  return { runs, fixesDelivered, fixable };
}

function benchTarget(directory: string, groups: number): TargetConfig {
  return {
    name: TARGET, connector: 'memory', config: { directory, pageSize: 1000 },
    groups: Array.from({ length: groups }, (_, g) => ({ scim: `Team ${g}`, target: `team-${g}` })),
    reconcile: { maxDeletes: '5%' },
  };
}

function snapshot(directory: MemoryDirectory, file: string): void {
  saveSnapshot(file, { nextId: 100_000_000, users: directory.allUsers(), groups: directory.allGroups(), counts: {} });
}

function childRun(name: string, mode: 'report' | 'fix', files: { db: string; snapshot: string }, groups: number): RunResult {
  const output = execFileSync(process.execPath, ['--expose-gc', __filename, 'child', mode, files.db, files.snapshot, String(groups)], { encoding: 'utf8', maxBuffer: 1 << 20 });
  return { ...(JSON.parse(output.trim().split('\n').pop()!) as Omit<RunResult, 'run'>), run: name };
}

/** In the child: load the target, run once, print the measurements as one JSON line. */
async function child(mode: 'report' | 'fix', dbFile: string, snapshotFile: string, groups: number): Promise<void> {
  const directory = memoryDirectory(`bench-child-${randomUUID()}`, { file: snapshotFile });
  const target = benchTarget(directory.name, groups);
  (target.config as { file?: string }).file = snapshotFile;
  const store = Store.open(dbFile);
  const service = new ReconcileService({ store, targets: resolveTargets([target], [memory]), settings: resolveReconcileSettings([target]), logger: createLogger({ silent: true }) });
  global.gc?.();
  const rssBeforeMb = process.memoryUsage().rss / 1_048_576;
  const result = await measuredRun(service, directory, mode);
  process.stdout.write(`${JSON.stringify({ ...result, rssBeforeMb })}\n`);
  await service.close();
  store.close();
}

/** Desired state in the store; the same state on the target, as the engine would have left it, with links. */
function seed(store: Store, directory: MemoryDirectory, settings: TargetSettings, users: number, groups: number, membersPerGroup: number): void {
  const ids: string[] = [];
  store.transaction(() => {
    for (let n = 0; n < users; n++) {
      const userName = `user${n}@example.com`;
      ids.push(store.users.create({ userName, displayName: `User ${n}`, name: { givenName: 'User', familyName: `Number${n}` }, emails: [{ type: 'work', value: userName }], active: true }, ctx).id);
    }
  });
  // Users beyond the grouped range belong to no group, so deleting one of them is exactly one finding.
  const grouped = Math.floor(users * 0.99);
  store.transaction(() => {
    for (let g = 0; g < groups; g++) {
      const members = Array.from({ length: membersPerGroup }, (_, k) => ids[(g * membersPerGroup + k) % grouped]);
      store.groups.create({ displayName: `Team ${g}` }, [...new Set(members)], ctx);
    }
  });
  const desired = new DesiredState(store.db, () => new Date());
  const mapping = createTargetMapping(settings);
  const remoteIdOf = new Map<string, { id: string; key: string }>();
  store.transaction(() => {
    for (const id of ids) {
      const user = mapping.user(desired.user(id)!);
      const remote = directory.createUser({ key: user.key, active: true, attributes: user.attributes, scimId: id });
      remoteIdOf.set(id, { id: remote.id, key: remote.key });
      store.links.put(TARGET, { kind: 'user', id }, remote, { key: user.key, attributes: user.attributes, active: true, scimId: id });
    }
    const groupIds = store.db.prepare('SELECT id FROM groups ORDER BY created, rowid').pluck().all() as string[];
    for (const groupId of groupIds) {
      const group = desired.group(groupId)!;
      const mapped = mapping.group(group, settings.groups.find((entry) => entry.scim.toLowerCase() === group.displayName.toLowerCase())!);
      const remote = directory.createGroup({ key: mapped.key, attributes: mapped.attributes, scimId: groupId });
      const members: Record<string, { id: string; key: string }> = {};
      for (const member of group.members) {
        directory.addMember(remote.id, remoteIdOf.get(member.id)!.id);
        members[member.id] = remoteIdOf.get(member.id)!;
      }
      store.links.put(TARGET, { kind: 'group', id: groupId }, remote, { key: mapped.key, attributes: mapped.attributes, members, created: true, scimId: groupId });
    }
  });
}

/**
 * 1% of the accounts' worth of drift: 50% attribute changes, 10% deleted accounts, 15% removed and 15%
 * added memberships, 10% unmanaged accounts. Returns how many findings ask for a fix.
 */
function makeDrift(directory: MemoryDirectory, users: number, groups: number): number {
  const total = Math.floor(users / 100);
  const share = (percent: number) => Math.floor((total * percent) / 100);
  const remote = directory.allUsers();
  const byKey = new Map(remote.map((user) => [user.key, user]));
  const account = (n: number) => byKey.get(`user${n}@example.com`)!;
  const grouped = Math.floor(users * 0.99);
  for (let i = 0; i < share(50); i++) directory.updateUser(account(i * 97 % grouped).id, { attributes: { familyName: 'Drifted' } });
  for (let i = 0; i < share(10); i++) directory.deleteUser(account(grouped + i).id);
  const remoteGroups = directory.allGroups();
  for (let i = 0; i < share(15); i++) {
    const group = remoteGroups[i % groups];
    directory.removeMember(group.id, group.memberIds[Math.floor(i / groups) + 1]);
  }
  for (let i = 0; i < share(15); i++) {
    const group = remoteGroups[(i + groups / 2) % groups];
    directory.addMember(group.id, account(grouped + share(10) + i).id);
  }
  for (let i = 0; i < share(10); i++) directory.createUser({ key: `stranger${i}@example.com`, active: true, attributes: {} });
  return total - share(10);
}

async function measuredRun(service: ReconcileService, directory: MemoryDirectory, mode: 'report' | 'fix'): Promise<Omit<RunResult, 'run' | 'rssBeforeMb'>> {
  directory.resetCounts();
  let peak = process.memoryUsage().rss;
  const sample = () => (peak = Math.max(peak, process.memoryUsage().rss));
  const timer = setInterval(sample, 50);
  const started = Date.now();
  let report: DriftReport;
  try {
    report = await service.start(TARGET, { trigger: 'cli', actor: 'bench', mode, onProgress: sample }).done;
  } finally {
    clearInterval(timer);
  }
  sample();
  const counts = directory.callCounts();
  const listingCalls = (counts['users.list'] ?? 0) + (counts['groups.list'] ?? 0) + (counts['groups.listMembers'] ?? 0);
  const findings = Object.values(report.summary?.findings ?? {}).reduce((sum, count) => sum + (count ?? 0), 0);
  return { seconds: (Date.now() - started) / 1000, findings, listingCalls, writeCalls: directory.writeCalls(), peakRssMb: peak / 1_048_576, verdict: report.verdict };
}

/** Runs the sync engine until the queue is empty; returns the target writes it made. */
async function deliver(store: Store, target: TargetConfig, directory: MemoryDirectory): Promise<number> {
  directory.resetCounts();
  const engine = new SyncEngine({ store, targets: [{ ...target, delivery: { concurrency: 16 } }], connectors: [memory], logger: createLogger({ silent: true }), pollMs: 20 });
  await engine.start();
  const open = store.db.prepare(`SELECT COUNT(*) FROM sync_queue WHERE state IN ('pending', 'inflight')`).pluck();
  while ((open.get() as number) > 0) await new Promise((resolve) => setTimeout(resolve, 50));
  await engine.stop();
  return directory.writeCalls();
}

function formatRun(run: RunResult): string {
  return `${run.run.padEnd(26)} ${run.seconds.toFixed(1).padStart(5)} s  ${String(run.findings).padStart(6)} findings  ` +
    `${String(run.listingCalls).padStart(5)} listing calls, ${run.writeCalls} write calls  RSS ${run.rssBeforeMb.toFixed(0)} MB before, peak ${run.peakRssMb.toFixed(0)} MB  → ${run.verdict}`;
}

if (require.main === module && process.argv[2] === 'child') {
  const [mode, dbFile, snapshotFile, groups] = process.argv.slice(3);
  child(mode as 'report' | 'fix', dbFile, snapshotFile, Number(groups)).catch((error) => {
    process.stderr.write(`${String((error as Error).stack ?? error)}\n`);
    process.exitCode = 1;
  });
} else if (require.main === module) {
  runReconcileBench({ users: Number(process.env.BENCH_RECONCILE_USERS ?? 100_000), groups: Number(process.env.BENCH_RECONCILE_GROUPS ?? 1_000) }).then(
    (result) => {
      const ok = result.runs.every((run) => run.seconds < 60 && run.peakRssMb < 300 && run.writeCalls === 0) && result.fixesDelivered === result.fixable;
      process.stdout.write(`${ok ? 'PASS' : 'FAIL'}: reconcile goals (each run < 60 s and < 300 MB RSS, no writes from the reconciler, one engine write per fixed finding)\n`);
    },
    (error) => {
      process.stderr.write(`${String((error as Error).stack ?? error)}\n`);
      process.exitCode = 1;
    },
  );
}
