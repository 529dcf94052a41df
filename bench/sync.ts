import { randomUUID } from 'node:crypto';
import { mkdtempSync, rmSync } from 'node:fs';
import { createServer, type Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { memory, memoryDirectory } from '../connectors/memory';
import { scim } from '../connectors/scim';
import { ScimFake } from '../connectors/scim/fake';
import { createApp } from '../src/app';
import { defaultConfig } from '../src/config/defaults';
import type { BridgeConfig, TargetConfig } from '../src/config/types';
import { createLogger } from '../src/log';
import { Store } from '../src/store';
import { Tokens } from '../src/store/tokens';
import { SyncEngine } from '../src/sync/engine';
import type { DeliveryReport } from '../src/sync/observer';

/**
 * `npm run bench:sync` (or runSyncBench() from bench/run.ts): SCIM requests over HTTP into the bridge,
 * delivered by the sync engine to three in-process fake targets (memory connector) and one real HTTP
 * connector (outbound SCIM, against the SCIM fake on 127.0.0.1). Phases:
 *   idle    - users created one at a time: accept → applied latency while the targets are idle and fast
 *   bulk    - USERS creations as fast as the edge accepts them: end-to-end throughput
 *   members - GROUPS groups, members added by PATCH in batches of 100 (Entra-style)
 *   noop    - PATCHes of an attribute no target maps: must cost zero target calls
 * Reports target calls per effective change (a user, group or membership that now exists on a target),
 * in all and per target.
 */
export interface SyncBenchOptions {
  users?: number;
  groups?: number;
  idleUsers?: number;
  noopPatches?: number;
  connections?: number;
  log?: (line: string) => void;
}

export interface PhaseResult {
  phase: string;
  changes: number;
  seconds: number;
  changesPerSecond: number;
  p50Ms: number;
  p99Ms: number;
  targetCalls: number;
}

export interface TargetResult {
  target: string;
  connector: string;
  effectiveChanges: number;
  targetCalls: number;
  callsPerEffectiveChange: number;
}

export interface SyncBenchResult {
  phases: PhaseResult[];
  targets: TargetResult[];
  effectiveChanges: number;
  targetCalls: number;
  callsPerEffectiveChange: number;
  noopPatchCalls: number;
  peakRssMb: number;
}

const MEMORY_TARGETS = ['alpha', 'beta', 'gamma'];
const SCIM_TARGET = 'scim-app';
const TARGET_COUNT = MEMORY_TARGETS.length + 1;
const SCIM_TOKEN = 'bench-scim-token-4b1d';
const USER_SCHEMA = 'urn:ietf:params:scim:schemas:core:2.0:User';
const GROUP_SCHEMA = 'urn:ietf:params:scim:schemas:core:2.0:Group';
const PATCH_SCHEMA = 'urn:ietf:params:scim:api:messages:2.0:PatchOp';

export async function runSyncBench(options: SyncBenchOptions = {}): Promise<SyncBenchResult> {
  const users = options.users ?? 10_000;
  const groupCount = options.groups ?? 20;
  const connections = options.connections ?? 16;
  const log = options.log ?? ((line: string) => process.stdout.write(`${line}\n`));
  const bench = await startBench();
  const rss = sampleRss();
  try {
    const phases: PhaseResult[] = [];
    const run = async (phase: string, changes: number, work: () => Promise<void>) => {
      const result = await bench.measure(phase, changes, work);
      phases.push(result);
      log(formatPhase(result));
    };

    const idleIds: string[] = [];
    await run('idle (one at a time)', (options.idleUsers ?? 300) * TARGET_COUNT, async () => {
      for (let index = 0; index < (options.idleUsers ?? 300); index++) {
        idleIds.push(await bench.createUser(`idle${index}@example.com`));
        await bench.settled(); // idle: the next request arrives after the previous change was applied
      }
    });

    const ids: string[] = [];
    await run(`bulk (${connections} connections)`, users * TARGET_COUNT, async () => {
      await pool(users, connections, async (index) => {
        ids.push(await bench.createUser(`user${index}@example.com`));
      });
      await bench.settled();
    });

    const perGroup = Math.floor(ids.length / groupCount);
    await run('members (PATCH add, 100 per request)', (groupCount + perGroup * groupCount) * TARGET_COUNT, async () => {
      const groupIds = await Promise.all(Array.from({ length: groupCount }, (_, index) => bench.createGroup(`Team ${index}`)));
      await pool(groupCount * Math.ceil(perGroup / 100), connections, async (request) => {
        const group = request % groupCount;
        const batch = Math.floor(request / groupCount);
        const members = ids.slice(group * perGroup, (group + 1) * perGroup).slice(batch * 100, batch * 100 + 100);
        if (members.length) await bench.addMembers(groupIds[group], members);
      });
      await bench.settled();
    });

    const noopPatches = options.noopPatches ?? 1000;
    const callsBeforeNoop = bench.targetCalls();
    await run('noop PATCH (unmapped attribute)', 0, async () => {
      await pool(noopPatches, connections, async (index) => bench.patchNickName(ids[index % ids.length], `nick-${index}`));
      await bench.settled();
    });
    const noopPatchCalls = bench.targetCalls() - callsBeforeNoop;

    const effectiveChanges = bench.effectiveChanges();
    const targetCalls = bench.targetCalls();
    const targets = bench.perTarget();
    for (const target of targets) log(formatTarget(target));
    const result: SyncBenchResult = {
      phases,
      targets,
      effectiveChanges,
      targetCalls,
      callsPerEffectiveChange: targetCalls / effectiveChanges,
      noopPatchCalls,
      peakRssMb: rss.stop(),
    };
    log(`effective changes ${effectiveChanges}, target calls ${targetCalls}, calls per effective change ${result.callsPerEffectiveChange.toFixed(3)} (goal ≤ 1.05)`);
    log(`no-op PATCHes: ${noopPatches} → ${noopPatchCalls} target calls (goal 0); peak RSS ${result.peakRssMb.toFixed(0)} MB`);
    const idle = phases[0];
    log(`idle accept → applied p50 ${idle.p50Ms.toFixed(1)} ms (goal ≤ 50), p99 ${idle.p99Ms.toFixed(1)} ms`);
    return result;
  } finally {
    rss.stop();
    await bench.close();
  }
}

/** A target the benchmark delivers to, with the counts it reads from the fake's own state. */
interface BenchTarget {
  config: TargetConfig;
  /** Calls the engine's deliveries made (health checks left out). */
  calls(): number;
  /** Users, groups and memberships the target holds now. */
  effectiveChanges(): number;
  stop(): Promise<void>;
}

const benchGroups = () => Array.from({ length: 100 }, (_, index) => ({ scim: `Team ${index}`, target: `team-${index}`, create: true }));

function memoryTarget(name: string): BenchTarget {
  const directory = memoryDirectory(`bench-${name}-${randomUUID()}`);
  return {
    config: { name, connector: 'memory', config: { directory: directory.name }, groups: benchGroups(), delivery: { concurrency: 8 } },
    calls: () => directory.requestCount() - directory.calls('check'),
    effectiveChanges: () => {
      const groups = directory.allGroups();
      return directory.allUsers().length + groups.length + groups.reduce((members, group) => members + group.memberIds.length, 0);
    },
    stop: () => directory.stop(),
  };
}

async function scimTarget(name: string): Promise<BenchTarget> {
  const fake = await ScimFake.start({ bearerToken: SCIM_TOKEN });
  // check() is `GET /Users?count=1&attributes=id`: a health probe, not a delivery.
  const isCheck = (request: ScimFake['requests'][number]) => request.endpoint === 'GET /scim/v2/Users' && request.query.attributes === 'id';
  return {
    config: { name, connector: 'scim', config: { baseUrl: fake.scimUrl, auth: { type: 'bearer', token: SCIM_TOKEN } }, groups: benchGroups(), delivery: { concurrency: 8 } },
    calls: () => fake.requests.filter((request) => !isCheck(request)).length,
    effectiveChanges: () => {
      const groups = [...fake.groups.values()];
      return fake.users.size + groups.length + groups.reduce((members, group) => members + (group.members as unknown[]).length, 0);
    },
    stop: () => fake.stop(),
  };
}

async function startBench() {
  const dir = mkdtempSync(join(tmpdir(), 'bench-sync-'));
  const benchTargets = [...MEMORY_TARGETS.map(memoryTarget), await scimTarget(SCIM_TARGET)];
  const targets = benchTargets.map((target) => target.config);
  const config: BridgeConfig = { ...defaultConfig(), database: { file: join(dir, 'bridge.db') }, targets };
  const store = Store.open(config.database.file);
  const tokens = new Tokens(store.db);
  const logger = createLogger({ silent: true });
  let reports: DeliveryReport[] = [];
  const engine = new SyncEngine({ store, targets, connectors: [memory, scim], logger, observer: { delivered: (report) => reports.push(report) } });
  await engine.start();
  const server: Server = createServer(createApp({ store, tokens, logger, config }));
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  const base = `http://127.0.0.1:${(server.address() as AddressInfo).port}/scim/v2`;
  const token = tokens.create('bench', 'scim');

  const send = async (method: string, path: string, body: unknown): Promise<{ id: string }> => {
    const res = await fetch(`${base}${path}`, { method, headers: { authorization: `Bearer ${token}`, 'content-type': 'application/scim+json' }, body: JSON.stringify(body) });
    if (res.status >= 300) throw new Error(`${method} ${path}: ${res.status} ${await res.text()}`);
    return res.status === 204 ? { id: '' } : ((await res.json()) as { id: string });
  };
  const sum = (count: (target: BenchTarget) => number) => benchTargets.reduce((total, target) => total + count(target), 0);

  return {
    createUser: async (userName: string) =>
      (await send('POST', '/Users', { schemas: [USER_SCHEMA], userName, name: { givenName: 'Bench', familyName: 'User' }, emails: [{ type: 'work', value: userName, primary: true }], active: true })).id,
    createGroup: async (displayName: string) => (await send('POST', '/Groups', { schemas: [GROUP_SCHEMA], displayName })).id,
    addMembers: async (groupId: string, members: string[]) =>
      void (await send('PATCH', `/Groups/${groupId}`, { schemas: [PATCH_SCHEMA], Operations: [{ op: 'add', path: 'members', value: members.map((value) => ({ value })) }] })),
    patchNickName: async (id: string, nickName: string) =>
      void (await send('PATCH', `/Users/${id}`, { schemas: [PATCH_SCHEMA], Operations: [{ op: 'replace', path: 'nickName', value: nickName }] })),
    settled: async () => {
      const open = store.db.prepare(`SELECT COUNT(*) AS n FROM sync_queue WHERE state != 'dead'`);
      while ((open.get() as { n: number }).n > 0) await new Promise((resolve) => setTimeout(resolve, 2));
    },
    targetCalls: () => sum((target) => target.calls()),
    effectiveChanges: () => sum((target) => target.effectiveChanges()),
    perTarget: (): TargetResult[] =>
      benchTargets.map(({ config: { name, connector }, calls, effectiveChanges }) => ({
        target: name, connector, effectiveChanges: effectiveChanges(), targetCalls: calls(), callsPerEffectiveChange: calls() / effectiveChanges(),
      })),
    async measure(phase: string, changes: number, work: () => Promise<void>): Promise<PhaseResult> {
      reports = [];
      const callsBefore = this.targetCalls();
      const started = performance.now();
      await work();
      const seconds = (performance.now() - started) / 1000;
      const latencies = reports.filter((report) => report.outcome === 'applied').map((report) => report.latencyMs).sort((a, b) => a - b);
      return {
        phase, changes, seconds, changesPerSecond: changes / seconds,
        p50Ms: percentile(latencies, 0.5), p99Ms: percentile(latencies, 0.99), targetCalls: this.targetCalls() - callsBefore,
      };
    },
    close: async () => {
      await new Promise<void>((resolve) => server.close(() => resolve()));
      await engine.stop();
      store.close();
      for (const target of benchTargets) await target.stop();
      rmSync(dir, { recursive: true, force: true });
    },
  };
}

async function pool(count: number, width: number, task: (index: number) => Promise<void>): Promise<void> {
  let next = 0;
  await Promise.all(Array.from({ length: Math.min(width, count) }, async () => {
    while (next < count) await task(next++);
  }));
}

function percentile(sorted: number[], p: number): number {
  if (sorted.length === 0) return NaN;
  return sorted[Math.min(sorted.length - 1, Math.floor(p * sorted.length))];
}

function sampleRss() {
  let peak = process.memoryUsage().rss;
  const timer = setInterval(() => (peak = Math.max(peak, process.memoryUsage().rss)), 100);
  return { stop: () => (clearInterval(timer), Math.max(peak, process.memoryUsage().rss) / 1_048_576) };
}

function formatTarget(result: TargetResult): string {
  return `target ${result.target} (${result.connector}): ${result.effectiveChanges} effective changes, ${result.targetCalls} calls, ` +
    `${result.callsPerEffectiveChange.toFixed(3)} per effective change (goal ≤ 1.05)`;
}

function formatPhase(result: PhaseResult): string {
  return `${result.phase.padEnd(38)} ${String(result.changes).padStart(7)} target changes in ${result.seconds.toFixed(2)} s` +
    ` = ${result.changesPerSecond.toFixed(0)}/s; accept → applied p50 ${result.p50Ms.toFixed(1)} ms, p99 ${result.p99Ms.toFixed(1)} ms; ${result.targetCalls} target calls`;
}

if (require.main === module) {
  runSyncBench({ users: Number(process.env.BENCH_SYNC_USERS ?? 10_000) }).then(
    (result) => {
      const callsOk = result.targets.every((target) => target.callsPerEffectiveChange <= 1.05);
      const ok = callsOk && result.noopPatchCalls === 0 && result.phases[0].p50Ms <= 50;
      process.stdout.write(`${ok ? 'PASS' : 'FAIL'}: sync goals\n`);
    },
    (error) => {
      process.stderr.write(`${String(error)}\n`);
      process.exitCode = 1;
    },
  );
}
