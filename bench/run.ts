import { spawn, type ChildProcess } from 'node:child_process';
import { randomUUID } from 'node:crypto';
import { mkdtempSync, readFileSync, rmSync } from 'node:fs';
import { createServer } from 'node:net';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import autocannon from 'autocannon';
import { Store } from '../src/store';
import { Tokens } from '../src/store/tokens';

/**
 * `npm run bench`: the real bridge (compiled, as a child process, default info logging to /dev/null)
 * on a SQLite file preloaded with USERS users, against a plain in-memory scimmy-routers server.
 * Prints req/s, p50 and p99 latency, and the server's peak RSS for each scenario.
 *
 * The machine is small and shared, so the write comparison alternates bridge and baseline for ROUNDS
 * rounds and compares medians. Throughput runs use CONNECTIONS connections (latency there is mostly
 * queueing); the filter latency target is measured with one connection, i.e. per-request latency.
 */
const USERS = Number(process.env.BENCH_USERS ?? 100_000);
const SECONDS = Number(process.env.BENCH_SECONDS ?? 8);
const CONNECTIONS = Number(process.env.BENCH_CONNECTIONS ?? 10);
const ROUNDS = Number(process.env.BENCH_ROUNDS ?? 3);
/** Lets V8 optimise the hot paths before anything is measured. */
const WARMUP_SECONDS = 5;
const TOKEN_NAME = 'bench';
const USER_SCHEMA = 'urn:ietf:params:scim:schemas:core:2.0:User';
const PATCH_SCHEMA = 'urn:ietf:params:scim:api:messages:2.0:PatchOp';

interface Scenario {
  name: string;
  method: 'GET' | 'POST' | 'PATCH';
  connections: number;
  /** Called per request: the path and body to send. */
  next(): { path: string; body?: string };
}

interface Measurement {
  server: string;
  scenario: string;
  connections: number;
  requestsPerSecond: number;
  p50: number;
  p99: number;
  non2xx: number;
  errors: number;
  peakRssMb: number;
  /** Server CPU time (user + system) per request: robust to other load on the machine, unlike req/s. */
  cpuMsPerRequest: number;
}

interface RunningProcess {
  child: ChildProcess;
  port: number;
}

function userBody(userName: string): string {
  return JSON.stringify({
    schemas: [USER_SCHEMA],
    userName,
    name: { givenName: 'Bench', familyName: 'User' },
    displayName: 'Bench User',
    emails: [{ value: userName, type: 'work', primary: true }],
    active: true,
  });
}

function preloadedUserName(index: number): string {
  return `user${index}@example.com`;
}

/** Writes USERS users through the store (ledger rows included), in batches of one transaction each. */
function preload(dbFile: string): { token: string; ids: string[] } {
  const store = Store.open(dbFile);
  const token = new Tokens(store.db).create(TOKEN_NAME, 'scim');
  const ctx = { actor: 'bench', requestId: 'bench-preload', source: 'cli' as const };
  const ids: string[] = [];
  for (let start = 0; start < USERS; start += 5000) {
    store.transaction(() => {
      for (let i = start; i < Math.min(start + 5000, USERS); i++) {
        ids.push(store.users.create(JSON.parse(userBody(preloadedUserName(i))), ctx).id);
      }
    });
  }
  store.close();
  return { token, ids };
}

function freePort(): Promise<number> {
  return new Promise((resolve, reject) => {
    const probe = createServer();
    probe.once('error', reject);
    probe.listen(0, '127.0.0.1', () => {
      const { port } = probe.address() as { port: number };
      probe.close(() => resolve(port));
    });
  });
}

async function startProcess(args: string[], env: NodeJS.ProcessEnv): Promise<RunningProcess> {
  const port = await freePort();
  const child = spawn(process.execPath, args.map((arg) => arg.replace('{port}', String(port))), {
    env: { ...process.env, ...env },
    stdio: ['ignore', 'ignore', 'inherit'],
  });
  for (let waited = 0; waited < 30_000; waited += 100) {
    if (child.exitCode !== null) throw new Error(`${args.join(' ')} exited with ${child.exitCode}`);
    try {
      const res = await fetch(`http://127.0.0.1:${port}/scim/v2/ServiceProviderConfig`);
      if (res.status < 500) return { child, port };
    } catch {
      // not listening yet
    }
    await new Promise((resolve) => setTimeout(resolve, 100));
  }
  throw new Error(`${args.join(' ')} did not start`);
}

async function stopProcess(running: RunningProcess): Promise<void> {
  const exited = new Promise((resolve) => running.child.once('exit', resolve));
  running.child.kill('SIGTERM');
  await exited;
}

/** utime + stime of a process, in milliseconds (Linux /proc; clock ticks are 100 Hz). */
function cpuMs(pid: number): number {
  const fields = readFileSync(`/proc/${pid}/stat`, 'utf8').split(') ')[1].split(' ');
  return (Number(fields[11]) + Number(fields[12])) * 10;
}

function rssMb(pid: number): number {
  const status = readFileSync(`/proc/${pid}/status`, 'utf8');
  const kb = Number(/VmRSS:\s+(\d+)/.exec(status)?.[1] ?? 0);
  return Math.round(kb / 1024);
}

async function measure(server: string, running: RunningProcess, token: string, scenario: Scenario, seconds = SECONDS): Promise<Measurement> {
  process.stderr.write(`${server}: ${scenario.name}, ${scenario.connections} connection(s), ${seconds} s …\n`);
  let peakRssMb = rssMb(running.child.pid!);
  const cpuBefore = cpuMs(running.child.pid!);
  const sampler = setInterval(() => (peakRssMb = Math.max(peakRssMb, rssMb(running.child.pid!))), 200);
  const result = await autocannon({
    url: `http://127.0.0.1:${running.port}`,
    connections: scenario.connections,
    duration: seconds,
    headers: { authorization: `Bearer ${token}`, 'content-type': 'application/scim+json' },
    requests: [{ method: scenario.method, setupRequest: (request) => ({ ...request, ...scenario.next() }) }],
  });
  clearInterval(sampler);
  const cpuUsed = cpuMs(running.child.pid!) - cpuBefore;
  peakRssMb = Math.max(peakRssMb, rssMb(running.child.pid!));
  return {
    server,
    scenario: scenario.name,
    connections: scenario.connections,
    requestsPerSecond: Math.round(result.requests.average),
    p50: result.latency.p50,
    p99: result.latency.p99,
    non2xx: result.non2xx,
    errors: result.errors,
    peakRssMb,
    cpuMsPerRequest: Number((cpuUsed / Math.max(1, result.requests.total)).toFixed(2)),
  };
}

function median(values: number[]): number {
  const sorted = [...values].sort((a, b) => a - b);
  const middle = Math.floor(sorted.length / 2);
  return sorted.length % 2 ? sorted[middle] : (sorted[middle - 1] + sorted[middle]) / 2;
}

function verdict(met: boolean): string {
  return met ? 'MET' : 'MISSED';
}

function randomItem<T>(items: readonly T[]): T {
  return items[Math.floor(Math.random() * items.length)];
}

function scenarios(ids: string[]) {
  const run = randomUUID().slice(0, 8);
  let created = 0;
  let patched = 0;
  const post = (prefix: string): Scenario => ({
    name: 'POST /Users',
    method: 'POST',
    connections: CONNECTIONS,
    next: () => ({ path: '/scim/v2/Users', body: userBody(`${prefix}-${run}-${created++}@example.com`) }),
  });
  const patch: Scenario = {
    name: 'PATCH /Users/{id}',
    method: 'PATCH',
    connections: CONNECTIONS,
    next: () => ({
      path: `/scim/v2/Users/${randomItem(ids)}`,
      body: JSON.stringify({ schemas: [PATCH_SCHEMA], Operations: [{ op: 'replace', path: 'displayName', value: `Patched ${patched++}` }] }),
    }),
  };
  const filter = (connections: number): Scenario => ({
    name: `GET filter userName eq (${USERS} users)`,
    method: 'GET',
    connections,
    next: () => ({ path: `/scim/v2/Users?filter=${encodeURIComponent(`userName eq "${preloadedUserName(Math.floor(Math.random() * USERS))}"`)}` }),
  });
  const paged: Scenario = {
    name: 'GET /Users paged (count=50, random startIndex)',
    method: 'GET',
    connections: CONNECTIONS,
    next: () => ({ path: `/scim/v2/Users?startIndex=${1 + Math.floor(Math.random() * USERS)}&count=50` }),
  };
  return { post, patch, filter, paged };
}

function table(rows: Measurement[]): string {
  const header = '| server | scenario | conns | req/s | p50 ms | p99 ms | CPU ms/req | non-2xx | errors | peak RSS MB |';
  const lines = rows.map((m) => `| ${m.server} | ${m.scenario} | ${m.connections} | ${m.requestsPerSecond} | ${m.p50} | ${m.p99} | ${m.cpuMsPerRequest} | ${m.non2xx} | ${m.errors} | ${m.peakRssMb} |`);
  return [header, '|---|---|---:|---:|---:|---:|---:|---:|---:|---:|', ...lines].join('\n');
}

async function main(): Promise<void> {
  const dir = mkdtempSync(join(tmpdir(), 'scim-bridge-bench-'));
  const dbFile = join(dir, 'bench.db');
  const started = Date.now();
  process.stderr.write(`preloading ${USERS} users into ${dbFile} …\n`);
  const { token, ids } = preload(dbFile);
  process.stderr.write(`preloaded in ${((Date.now() - started) / 1000).toFixed(1)} s\n`);

  const { post, patch, filter, paged } = scenarios(ids);
  const baselineToken = 'baseline-token';
  const bridge = await startProcess([join(__dirname, '..', 'src', 'main.js'), 'serve', '--port', '{port}', '--db', dbFile], { SCIM_BRIDGE_LOG_LEVEL: 'info' });
  const baseline = await startProcess([join(__dirname, 'baseline-server.js'), '{port}', baselineToken], {});
  const results: Measurement[] = [];
  const writes: { bridge: Measurement[]; baseline: Measurement[] } = { bridge: [], baseline: [] };
  try {
    await measure('bridge (warm-up)', bridge, token, post('warmup'), WARMUP_SECONDS);
    await measure('baseline (warm-up)', baseline, baselineToken, post('warmup'), WARMUP_SECONDS);
    for (let round = 1; round <= ROUNDS; round++) {
      writes.bridge.push(await measure(`bridge, round ${round}`, bridge, token, post('bridge')));
      writes.baseline.push(await measure(`in-memory scimmy-routers, round ${round}`, baseline, baselineToken, post('baseline')));
    }
    results.push(...writes.bridge, ...writes.baseline);
    for (const scenario of [patch, filter(1), filter(CONNECTIONS), paged]) results.push(await measure('bridge', bridge, token, scenario));
  } finally {
    await stopProcess(bridge);
    await stopProcess(baseline);
  }

  const ratio = median(writes.bridge.map((m) => m.requestsPerSecond)) / median(writes.baseline.map((m) => m.requestsPerSecond));
  const cpuRatio = median(writes.baseline.map((m) => m.cpuMsPerRequest)) / median(writes.bridge.map((m) => m.cpuMsPerRequest));
  const filterLatency = results.find((m) => m.scenario.startsWith('GET filter') && m.connections === 1)!;
  const peakRss = Math.max(...results.filter((m) => m.server.startsWith('bridge')).map((m) => m.peakRssMb));
  process.stdout.write(`\n${table(results)}\n\n`);
  process.stdout.write(`write throughput vs in-memory baseline (median of ${ROUNDS} alternating rounds): ${(ratio * 100).toFixed(0)}% (target >= 85%) ${verdict(ratio >= 0.85)}\n`);
  process.stdout.write(`write cost vs baseline (server CPU per request, baseline/bridge): ${(cpuRatio * 100).toFixed(0)}%\n`);
  process.stdout.write(`filter p99 at ${USERS} users, one connection: ${filterLatency.p99} ms (target <= 10 ms) ${verdict(filterLatency.p99 <= 10)}\n`);
  process.stdout.write(`bridge peak RSS: ${peakRss} MB (target <= 300 MB) ${verdict(peakRss <= 300)}\n`);
  process.stdout.write(`SQLite: WAL, synchronous=${process.env.SCIM_BRIDGE_SYNCHRONOUS?.toUpperCase() === 'FULL' ? 'FULL' : 'NORMAL'}; ${SECONDS} s per run; total ${((Date.now() - started) / 1000).toFixed(0)} s\n`);
  rmSync(dir, { recursive: true, force: true });
}

main().catch((error: unknown) => {
  process.stderr.write(`bench failed: ${error instanceof Error ? error.stack : String(error)}\n`);
  process.exitCode = 1;
});
