import { join } from 'node:path';
import { Store } from '../../src/store';
import { cli, tempDir } from './support/run-cli';

const context = { actor: 'okta', requestId: 'r1', source: 'scim' } as const;

describe('scim-bridge evidence', () => {
  const db = join(tempDir('evidence'), 'bridge.db');
  let userId: string;

  beforeAll(() => {
    const store = Store.open(db);
    userId = store.users.create({ schemas: [], userName: 'alice' } as never, context).id;
    store.close();
  });

  it('prints the trail of a user that exists, by id or userName', async () => {
    for (const subject of [`user:${userId}`, 'user:alice']) {
      const run = await cli(['evidence', subject, '--db', db]);
      expect(run).toMatchObject({ code: 0, stderr: '' });
      expect(JSON.parse(run.stdout.trim().split('\n')[0])).toMatchObject({ kind: 'user.created', subject: `user:${userId}` });
    }
  });

  it('still prints the trail of a user that was deleted', async () => {
    const store = Store.open(db);
    const gone = store.users.create({ schemas: [], userName: 'bob' } as never, context).id;
    store.users.delete(gone, context);
    store.close();
    const run = await cli(['evidence', `user:${gone}`, '--db', db]);
    expect(run.code).toBe(0);
    expect(run.stdout.trim().split('\n').map((line) => JSON.parse(line).kind)).toEqual(['user.created', 'user.deleted']);
  });

  it.each(['user:"); DROP', 'group:nobody', 'grant:no-such-grant', 'request:no-such-request'])('exits 1 naming the unknown subject %s', async (subject) => {
    expect(await cli(['evidence', subject, '--db', db])).toEqual({ code: 1, stdout: '', stderr: `unknown subject ${subject}: the ledger has no rows about it\n` });
  });
});
