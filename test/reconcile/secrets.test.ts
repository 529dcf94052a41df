import { randomUUID } from 'node:crypto';
import { memoryDirectory } from '../../connectors/memory';
import { Store } from '../../src/store';
import { openDatabase } from '../../src/store/db';
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
});
