import { randomUUID } from 'node:crypto';
import { memoryDirectory } from '../../connectors/memory';
import { Store } from '../../src/store';
import { openDatabase } from '../../src/store/db';
import type { UserResource } from '../../src/store/users';
import { reconcileService } from './support';

describe('reconcile and secrets', () => {
  it('a target that rejects the credential fails the run with a reason that holds no secret, in the report or the ledger', async () => {
    const name = `secret-${randomUUID()}`;
    const directory = memoryDirectory(name, { credential: 'the-right-credential-0001' });
    const store = new Store(openDatabase(':memory:'));
    const service = reconcileService(store, [{ name: 'app', connector: 'memory', config: { directory: name, token: 'a-wrong-credential-0002' } }]);
    try {
      const report = await service.start('app', { trigger: 'cli', actor: 'test' }).done;
      expect(report).toMatchObject({ status: 'failed', verdict: 'error' });
      expect(report.reason).toMatch(/rejected the credential/);
      const stored = JSON.stringify({ report, rows: [...store.ledger.export()], findings: service.reports.findings(report.id) });
      expect(stored).not.toContain('a-wrong-credential-0002');
      expect(stored).not.toContain('the-right-credential-0001');
    } finally {
      await service.close();
      store.close();
      await directory.stop();
    }
  });

  it("a dead delivery's last error is shown in a missing account's note without the target's secrets", async () => {
    const name = `secret-${randomUUID()}`;
    const directory = memoryDirectory(name);
    const store = new Store(openDatabase(':memory:'));
    const token = 'tok-s3cret-value-0003';
    const service = reconcileService(store, [{ name: 'app', connector: 'memory', config: { directory: name, token } }]);
    try {
      const ctx = { actor: 'idp', requestId: 'r1', source: 'scim' as const };
      const bot = store.users.create({ userName: 'svc-bot', active: true } as UserResource, ctx).id;
      // As a queue row written before the engine scrubbed its errors would hold it.
      store.queue.enqueue('app', { kind: 'user', id: bot });
      store.db.prepare(`UPDATE sync_queue SET state = 'dead', attempts = 3, last_error = ? WHERE subject_id = ?`).run(`401 for Bearer ${token}`, bot);
      const report = await service.start('app', { trigger: 'cli', actor: 'test' }).done;
      const [missing] = service.reports.findings(report.id);
      expect(missing.note).toBe('not provisioned: its delivery is dead after 3 attempts: 401 for Bearer [redacted]; fixing retries it');
      expect(JSON.stringify([...store.ledger.export()].filter((row) => row.kind.startsWith('reconcile.')))).not.toContain(token);
    } finally {
      await service.close();
      store.close();
      await directory.stop();
    }
  });
});
