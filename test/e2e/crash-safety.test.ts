import { writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { Store } from '../../src/store';
import { buildCli } from '../cli/support/built-cli';
import { runBuiltCli, startBridge, type BridgeProcess } from '../cli/support/bridge-process';
import { tempDir } from '../cli/support/run-cli';

const TARGET = 'mirror';
const WRITERS = 16;
const KILL_AFTER_ACKS = 150;
const MAX_ATTEMPTS = 5000;

interface Acked {
  id: string;
  userName: string;
}

/**
 * POSTs users from WRITERS concurrent loops and SIGKILLs the server once KILL_AFTER_ACKS have been
 * answered 2xx, while the other writers' requests are still in flight. Returns what was acknowledged.
 */
async function burstThenKill(bridge: BridgeProcess, token: string): Promise<{ acked: Acked[]; failedInFlight: number }> {
  const acked: Acked[] = [];
  let next = 0;
  let failedInFlight = 0;
  let killed = false;
  const writer = async () => {
    while (!killed && next < MAX_ATTEMPTS) {
      const userName = `crash-${next++}@example.com`;
      try {
        const res = await fetch(`http://127.0.0.1:${bridge.port}/scim/v2/Users`, {
          method: 'POST',
          headers: { authorization: `Bearer ${token}`, 'content-type': 'application/scim+json' },
          body: JSON.stringify({ schemas: ['urn:ietf:params:scim:schemas:core:2.0:User'], userName, name: { givenName: 'Crash', familyName: 'Test' }, active: true }),
        });
        const body = (await res.json()) as { id?: string };
        if (res.status === 201 && body.id) acked.push({ id: body.id, userName });
        else throw new Error(`unexpected ${res.status} before the kill: ${JSON.stringify(body)}`);
      } catch (error) {
        if (!killed) throw error;
        failedInFlight++;
      }
      if (!killed && acked.length >= KILL_AFTER_ACKS) {
        killed = true;
        bridge.child.kill('SIGKILL');
      }
    }
  };
  await Promise.all(Array.from({ length: WRITERS }, writer));
  return { acked, failedInFlight };
}

describe('crash safety: kill -9 during a burst of writes', () => {
  let main: string;
  beforeAll(() => {
    main = buildCli('crash');
  }, 120_000);

  it('keeps every acknowledged user, its ledger row and its delivery to each target, and the chain verifies', async () => {
    const dir = tempDir('crash');
    const db = join(dir, 'bridge.db');
    const config = join(dir, 'config.yaml');
    writeFileSync(config, `targets:\n  - name: ${TARGET}\n    connector: memory\n    config:\n      directory: crash-mirror\n`);
    const env = { SCIM_BRIDGE_CONFIG: config, SCIM_BRIDGE_DB: db };
    const token = runBuiltCli(main, ['token', 'create', '--name', 'idp'], env).stdout.trim();
    expect(token).toMatch(/^sb_/);

    const first = await startBridge(main, ['--port', '0'], env);
    const { acked, failedInFlight } = await burstThenKill(first, token);
    expect(await first.exited).toBe('SIGKILL');
    expect(acked.length).toBeGreaterThanOrEqual(KILL_AFTER_ACKS);
    expect(failedInFlight).toBeGreaterThan(0); // the kill really landed mid-burst

    const second = await startBridge(main, ['--port', '0'], env);
    const after = await fetch(`http://127.0.0.1:${second.port}/scim/v2/Users?filter=${encodeURIComponent(`userName eq "${acked[0].userName}"`)}`, {
      headers: { authorization: `Bearer ${token}` },
    });
    expect(((await after.json()) as { totalResults: number }).totalResults).toBe(1);
    second.child.kill('SIGTERM');
    expect(await second.exited).toBe(0);

    const store = Store.open(db);
    try {
      for (const user of acked) {
        const row = store.db.prepare('SELECT user_name FROM users WHERE id = ? AND deleted_at IS NULL').get(user.id) as { user_name: string } | undefined;
        expect(row).toEqual({ user_name: user.userName });
        expect(store.ledger.forSubject(`user:${user.id}`).length).toBeGreaterThanOrEqual(1);
        // Queued for the target, or already delivered there (the engine may have run before the kill).
        const queued = store.queue.get(TARGET, { kind: 'user', id: user.id });
        const delivered = store.links.get(TARGET, { kind: 'user', id: user.id });
        expect(queued ?? delivered).toBeDefined();
      }
    } finally {
      store.close();
    }
    expect(runBuiltCli(main, ['ledger', 'verify', '--db', db])).toMatchObject({ code: 0, stdout: expect.stringMatching(/^ledger intact: \d+ rows, head \d+:[0-9a-f]{64}\n$/) });
  }, 120_000);
});
