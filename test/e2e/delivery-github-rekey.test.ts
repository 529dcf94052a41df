import { github } from '../../connectors/github';
import type { GithubFake } from '../../connectors/github/fake';
import { startGithubFake, tokenConfig } from '../../connectors/github/harness';
import { createLogger } from '../../src/log';
import { Store } from '../../src/store';
import { openDatabase } from '../../src/store/db';
import type { UserResource } from '../../src/store/users';
import { SyncEngine } from '../../src/sync/engine';
import { ctx, waitFor } from '../sync/harness';

/**
 * An email invitee whose GitHub login becomes known is re-keyed (invitation cancelled, login added to its
 * teams); leaving a team afterwards must remove the login, not the invitation that is gone.
 */
describe('GitHub: a re-keyed member leaves a team', () => {
  let fake: GithubFake;
  let store: Store;
  let engine: SyncEngine;
  beforeAll(async () => (fake = await startGithubFake()));
  afterAll(() => fake.stop());
  beforeEach(async () => {
    fake.reset();
    store = new Store(openDatabase(':memory:'));
    engine = new SyncEngine({
      store,
      connectors: [github],
      logger: createLogger({ silent: true }),
      pollMs: 10,
      targets: [{
        name: 'github',
        connector: 'github',
        config: { ...tokenConfig(fake) },
        userKey: '{nickName} <{emails[primary eq true].value}>',
        scope: { groups: ['Engineering', 'Platform'] },
        groups: [{ scim: 'Engineering', target: 'engineering', create: true }, { scim: 'Platform', target: 'platform', create: true }],
        delivery: { requestsPerSecond: 200, backoff: { baseMs: 5, maxMs: 50 } },
      }],
    });
    await engine.start();
  });
  afterEach(async () => {
    await engine.stop();
    store.close();
  });

  const drained = () => waitFor(() => store.queue.list().every((row) => row.state === 'dead'), 20_000);

  it('the login is taken out of the team', async () => {
    const ada = store.users.create({ userName: 'ada', emails: [{ value: 'ada@example.com', primary: true }] } as UserResource, ctx()).id;
    const engineering = store.groups.create({ displayName: 'Engineering' }, [ada], ctx()).id;
    store.groups.create({ displayName: 'Platform' }, [ada], ctx());
    await drained();
    expect(fake.org.invitationsForEmail('ada@example.com')).toHaveLength(1);

    const resource = structuredClone(store.users.get(ada)!.resource) as UserResource;
    store.users.replace(ada, { ...resource, nickName: 'octocat' }, ctx());
    await drained();
    expect(fake.org.teamMembership('engineering', 'octocat')).toBeDefined();

    store.groups.update(engineering, undefined, { remove: [ada] }, ctx());
    await drained();
    expect(fake.org.teamMembership('engineering', 'octocat')).toBeUndefined();
    expect(fake.org.teamMembership('platform', 'octocat')).toBeDefined();
    expect(store.queue.list()).toEqual([]);
  });
});
