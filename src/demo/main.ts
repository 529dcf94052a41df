import { createWriteStream, mkdtempSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { defaultConfig } from '../config/defaults';
import type { BridgeConfig } from '../config/types';
import { createLogger } from '../log';
import { reportLines } from '../cli/reconcile-report';
import { DriftReports, type DriftReport } from '../reconcile/report-store';
import { startServer, type RunningServer } from '../server';
import { quietAwsSdkNodeVersionWarning } from '../sdk-warnings';
import { serverModules } from '../server-modules';
import { describeTargets, startFakeTargets, type FakeTargets } from './fake-targets';
import { EntraClient, type Person } from './entra';

const ADA: Person = { login: 'ada-l', givenName: 'Ada', familyName: 'Lovelace', title: 'Engineer', department: 'Engineering' };
const GRACE: Person = { login: 'grace-h', givenName: 'Grace', familyName: 'Hopper', title: 'Engineer', department: 'Engineering' };
const LINUS: Person = { login: 'linus-t', givenName: 'Linus', familyName: 'Torvalds', title: 'Engineer', department: 'Engineering' };
const TARGETS = ['google', 'github', 'aws'];

export interface DemoOptions {
  stdout?: NodeJS.WritableStream;
  /** Where the database, config-free server logs go (default: a new temp dir). */
  dir?: string;
}

/**
 * `npm run demo`: the bridge on SQLite with Google Workspace, GitHub and AWS IAM as targets (loopback
 * fakes of their APIs), an Entra-shaped joiner → mover → leaver story over SCIM, drift made on the
 * targets behind the bridge's back, and a reconcile that finds and repairs it. Returns the exit code.
 */
export async function runDemo(options: DemoOptions = {}): Promise<number> {
  const out = options.stdout ?? process.stdout;
  const say = (line = '') => out.write(`${line}\n`);
  const dir = options.dir ?? mkdtempSync(join(tmpdir(), 'scim-bridge-demo-'));
  const fakes = await startFakeTargets([ADA.login, GRACE.login, LINUS.login]);
  const logFile = join(dir, 'bridge.log');
  const logStream = createWriteStream(logFile);
  const config: BridgeConfig = { ...defaultConfig(), server: { ...defaultConfig().server, host: '127.0.0.1', port: 0 }, database: { file: join(dir, 'bridge.db') }, targets: fakes.targets };
  let server: RunningServer | undefined;
  try {
    server = await startServer({ config, logger: createLogger({ stream: logStream }), modules: serverModules });
    const demo = new Demo(server, fakes, say);
    say(`scim-bridge demo: SCIM at ${server.scimUrl}, database ${config.database.file}, logs ${logFile}`);
    say(`targets: Google Workspace (${fakes.google.url}), GitHub (${fakes.github.url}), AWS IAM (${fakes.aws.url}) - local fakes of their APIs`);
    await demo.story();
    await demo.driftAndReconcile();
    demo.ledger(config.database.file);
    return 0;
  } catch (error) {
    say(`demo failed: ${(error as Error).stack ?? String(error)}`);
    return 1;
  } finally {
    await server?.stop();
    await fakes.stop();
    logStream.end();
  }
}

class Demo {
  private readonly entra: EntraClient;
  private readonly adminToken: string;
  private ids: Record<string, string> = {};

  constructor(private readonly server: RunningServer, private readonly fakes: FakeTargets, private readonly say: (line?: string) => void) {
    const { tokens } = server.context;
    this.entra = new EntraClient(server.scimUrl, tokens.create('entra', 'scim'));
    this.adminToken = tokens.create('ops', 'admin');
  }

  async story(): Promise<void> {
    await this.step('1. Joiners: Entra creates Ada, Grace and Linus and puts them in Engineering', async () => {
      for (const person of [ADA, GRACE, LINUS]) this.ids[person.login] = await this.entra.createUser(person);
      this.ids.engineering = await this.entra.createGroup('Engineering');
      this.ids.sales = await this.entra.createGroup('Sales');
      await this.entra.addMembers(this.ids.engineering, [ADA, GRACE, LINUS].map((person) => this.ids[person.login]));
      await this.delivered();
      for (const person of [ADA, GRACE, LINUS]) this.fakes.github.accept(person.login); // they accept GitHub's invitation e-mail
    });
    await this.step('2. Mover: Ada becomes Sales Engineer (title, department, Engineering → Sales)', async () => {
      await this.entra.changeJob(this.ids[ADA.login], 'Sales Engineer', 'Sales');
      await this.entra.removeMembers(this.ids.engineering, [this.ids[ADA.login]]);
      await this.entra.addMembers(this.ids.sales, [this.ids[ADA.login]]);
      await this.delivered();
    });
    await this.step('3. Leaver: Entra disables Grace (active "False"); each target applies its deprovision policy', async () => {
      await this.entra.disable(this.ids[GRACE.login]);
      await this.delivered();
    }, [
      'Why Grace is still in engineering on google and aws: deprovision mode suspend (the default) disables the account',
      '(Google: suspended; AWS: access keys deactivated, console login removed) and keeps its group memberships, so',
      'reactivating her restores her groups; mode delete or suspend-then-delete removes them. GitHub cannot suspend an org',
      'member, so there suspend falls back to removing her from the org and its teams.',
    ]);
  }

  async driftAndReconcile(): Promise<void> {
    await this.step('4. Out-of-band drift, made directly on the targets behind the bridge\'s back', async () => {
      const { google, github, aws } = this.fakes;
      google.findUser('linus@example.com')!.name.familyName = 'Torvalds (edited in the Admin console)';
      google.findUser('grace@example.com')!.suspended = false; // a helpdesk "helpfully" re-enables the leaver
      google.seedUser('temp.contractor@example.com', { name: { givenName: 'Temp', familyName: 'Contractor', fullName: 'Temp Contractor' } });
      github.org.removeTeamMembership('engineering', LINUS.login);
      github.org.members.set('octocat', 'member');
      aws.state.group('sales').memberIds.delete(aws.state.user('ada@example.com').UserId);
      aws.state.createUser('legacy-deploy', '/scim-bridge/');
      this.say('  google: Linus renamed, Grace re-enabled, temp.contractor@ created by hand; github: Linus removed from team engineering, octocat added to the org; aws: Ada removed from group sales, legacy-deploy created by hand');
    });
    for (const target of TARGETS) await this.reconcile(target, 'report');
    await this.step('5. Reconcile --fix: the drifted subjects are enqueued; the sync engine repairs them (the reconciler never calls a target)', async () => {
      for (const target of TARGETS) await this.reconcile(target, 'fix', false);
      await this.delivered();
    });
    this.say('6. Reconcile again: nothing left to fix (accounts the bridge does not manage are listed, never touched)');
    for (const target of TARGETS) {
      const report = await this.reconcile(target, 'report', false);
      this.say(`  ${target.padEnd(7)} ${report.verdict}; ${Object.entries(report.summary?.findings ?? {}).map(([kind, count]) => `${count} ${kind}`).join(', ') || 'no findings'}`);
    }
  }

  ledger(dbFile: string): void {
    const { store } = this.server.context;
    const verified = store.ledger.verify();
    const trail = store.ledger.forSubject(`user:${this.ids[ADA.login]}`);
    this.say();
    this.say(`7. The ledger: ${verified.rows} hash-chained rows, chain ${verified.ok ? 'verified' : 'BROKEN'}`);
    this.say(`  Ada's trail (${trail.length} rows): ${[...new Set(trail.map((row) => `${row.kind}${row.target ? `@${row.target}` : ''}`))].join(', ')}`);
    this.say(`  read it: npx scim-bridge evidence user:ada@example.com --db ${dbFile}`);
    this.say(`           npx scim-bridge ledger verify --db ${dbFile}`);
    this.say(`           GET /admin/evidence/user:ada@example.com and GET /admin/reconcile (admin token)`);
  }

  /** Prints the step's title, does its work, shows what each target holds, then what explains it (`why`). */
  private async step(title: string, work: () => Promise<void>, why: string[] = []): Promise<void> {
    this.say();
    this.say(title);
    await work();
    for (const line of describeTargets(this.fakes)) this.say(line);
    for (const line of why) this.say(`  ${line}`);
  }

  /** Starts a run through the admin API, waits for its verdict, prints the report (or a one-line summary). */
  private async reconcile(target: string, mode: 'report' | 'fix', print = true): Promise<DriftReport> {
    const started = await this.admin('POST', `/admin/reconcile/${target}`, { mode });
    const id = (started as { id: string }).id;
    let report = (await this.admin('GET', `/admin/reconcile/${id}`)) as DriftReport;
    while (report.status === 'running') {
      await new Promise((resolve) => setTimeout(resolve, 50));
      report = (await this.admin('GET', `/admin/reconcile/${id}`)) as DriftReport;
    }
    if (report.status !== 'succeeded') throw new Error(`reconcile ${target} failed: ${report.reason}`);
    if (print) {
      this.say();
      for (const line of reportLines(new DriftReports(this.server.context.store.db), report)) this.say(`  ${line}`);
    } else if (mode === 'fix') {
      this.say(`  ${target.padEnd(7)} ${report.verdict}: ${Object.entries(report.summary?.fixes ?? {}).map(([status, count]) => `${count} ${status}`).join(', ')}`);
    }
    return report;
  }

  private async admin(method: string, path: string, body?: object): Promise<unknown> {
    const base = this.server.scimUrl.replace(/\/scim\/v2$/, '');
    const response = await fetch(`${base}${path}`, {
      method, headers: { authorization: `Bearer ${this.adminToken}`, 'content-type': 'application/json' }, body: body ? JSON.stringify(body) : undefined,
    });
    if (!response.ok) throw new Error(`${method} ${path} answered ${response.status}: ${await response.text()}`);
    return response.json();
  }

  /** Until every target's queue has nothing due soon and nothing in flight. */
  private async delivered(timeoutMs = 30_000): Promise<void> {
    const open = this.server.context.store.db.prepare(`SELECT COUNT(*) FROM sync_queue WHERE state = 'inflight' OR (state = 'pending' AND due_at <= ?)`).pluck();
    const deadline = Date.now() + timeoutMs;
    while ((open.get(Date.now() + 2000) as number) > 0) {
      if (Date.now() > deadline) throw new Error('deliveries did not finish in time');
      await new Promise((resolve) => setTimeout(resolve, 25));
    }
    const dead = this.server.context.store.queue.list({ state: 'dead' });
    if (dead.length) throw new Error(`dead letters: ${dead.map((item) => `${item.target} ${item.subject_kind}:${item.subject_id} ${item.last_error}`).join('; ')}`);
  }
}

if (require.main === module) {
  quietAwsSdkNodeVersionWarning();
  const started = Date.now();
  runDemo().then((code) => {
    process.stdout.write(`\ndemo finished in ${((Date.now() - started) / 1000).toFixed(1)} s\n`);
    process.exitCode = code;
  });
}
