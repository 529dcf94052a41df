import { existsSync, readFileSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import Database from 'better-sqlite3';
import { buildCli } from '../cli/support/built-cli';
import { runBuiltCli, startBridge, type BridgeProcess } from '../cli/support/bridge-process';
import { tempDir } from '../cli/support/run-cli';

const USERS = 120;

interface Snapshot {
  users: Array<{ key: string; active: boolean }>;
  groups: Array<{ key: string; memberIds: string[] }>;
  counts: Record<string, number>;
}

/**
 * kill -9 of the real server while it delivers to a target whose state survives restarts (the memory
 * connector backed by a file); after a restart the target must end complete, with no duplicate creates.
 */
describe('crash during delivery', () => {
  let main: string;
  let bridge: BridgeProcess | undefined;
  beforeAll(() => {
    main = buildCli('delivery-crash');
  }, 120_000);
  afterEach(() => bridge?.child.kill('SIGKILL'));

  it('resumes after kill -9 and ends in the right state without duplicates', async () => {
    const dir = tempDir('delivery-crash');
    const targetFile = join(dir, 'target.json');
    const db = join(dir, 'bridge.db');
    const config = join(dir, 'bridge.yaml');
    writeFileSync(config, [
      `database: { file: ${JSON.stringify(db)} }`,
      'targets:',
      '  - name: saas',
      '    connector: memory',
      `    config: { directory: crash, file: ${JSON.stringify(targetFile)} }`,
      '    groups: [{ scim: Everyone, target: everyone, create: true }]',
      // Slow enough that the kill lands mid-delivery even when the machine is loaded and the POSTs are slow.
    '    delivery: { concurrency: 2, requestsPerSecond: 8 }',
      '',
    ].join('\n'));
    const token = runBuiltCli(main, ['token', 'create', '--name', 'idp', '--scope', 'scim', '--config', config]).stdout.trim();
    expect(token).toMatch(/^sb_/);

    bridge = await startBridge(main, ['--config', config, '--port', '0'], { SCIM_BRIDGE_LOG_LEVEL: 'info' });
    const base = `http://127.0.0.1:${bridge.port}/scim/v2`;
    const post = async (path: string, body: unknown) => {
      const res = await fetch(`${base}${path}`, { method: 'POST', headers: { authorization: `Bearer ${token}`, 'content-type': 'application/scim+json' }, body: JSON.stringify(body) });
      expect(res.status).toBe(201);
      return (await res.json()) as { id: string };
    };
    const ids: string[] = [];
    for (let index = 0; index < USERS; index++) {
      ids.push((await post('/Users', { schemas: ['urn:ietf:params:scim:schemas:core:2.0:User'], userName: `user${index}@example.com` })).id);
    }
    await post('/Groups', { schemas: ['urn:ietf:params:scim:schemas:core:2.0:Group'], displayName: 'Everyone', members: ids.map((value) => ({ value })) });

    await waitFor(() => (snapshot(targetFile)?.users.length ?? 0) >= 20, 20_000);
    bridge.child.kill('SIGKILL');
    await bridge.exited;
    const atCrash = snapshot(targetFile)!;
    expect(atCrash.users.length).toBeLessThan(USERS); // it really was killed mid-delivery

    bridge = await startBridge(main, ['--config', config, '--port', '0'], { SCIM_BRIDGE_LOG_LEVEL: 'info' });
    await waitFor(() => queueIsEmpty(db) && snapshot(targetFile)?.groups[0]?.memberIds.length === USERS, 60_000);
    bridge.child.kill('SIGTERM');
    await bridge.exited;
    bridge = undefined;

    const final = snapshot(targetFile)!;
    const keys = final.users.map((user) => user.key);
    expect(new Set(keys).size).toBe(USERS);
    expect(keys.sort()).toEqual(Array.from({ length: USERS }, (_, index) => `user${index}@example.com`).sort());
    // A create repeated after the crash (done on the target, not yet linked) is refused as a conflict and
    // adopted: at most the in-flight ones repeat, and they never make a second account.
    expect(final.counts['users.create'] - USERS).toBeLessThanOrEqual(2);
    expect(final.counts['groups.create']).toBeLessThanOrEqual(2);
    expect(final.groups).toHaveLength(1);
  }, 150_000);
});

function snapshot(file: string): Snapshot | undefined {
  if (!existsSync(file)) return undefined;
  try {
    return JSON.parse(readFileSync(file, 'utf8')) as Snapshot;
  } catch {
    return undefined;
  }
}

function queueIsEmpty(file: string): boolean {
  const db = new Database(file, { readonly: true, fileMustExist: true });
  try {
    return (db.prepare('SELECT COUNT(*) AS n FROM sync_queue').get() as { n: number }).n === 0;
  } finally {
    db.close();
  }
}

async function waitFor(condition: () => boolean, timeoutMs: number): Promise<void> {
  const deadline = Date.now() + timeoutMs;
  while (!condition()) {
    if (Date.now() > deadline) throw new Error('condition not met in time');
    await new Promise((resolve) => setTimeout(resolve, 20));
  }
}
