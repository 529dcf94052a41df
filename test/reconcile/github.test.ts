import type { GithubFake } from '../../connectors/github/fake';
import { startGithubFake, tokenConfig } from '../../connectors/github/harness';
import { github } from '../../connectors/github';
import { callsSince } from './support';
import { TargetBridge } from './target-bridge';

describe('reconcile a GitHub organization (loopback REST API)', () => {
  let fake: GithubFake;
  let bridge: TargetBridge;
  beforeAll(async () => (fake = await startGithubFake()));
  afterAll(() => fake.stop());
  beforeEach(() => {
    fake.reset();
    bridge = new TargetBridge({ name: 'github', connector: 'github', config: { ...tokenConfig(fake) }, groups: [{ scim: 'Engineering', target: 'engineering', create: true }] }, github);
  });
  afterEach(() => bridge.close());

  it('finds exactly what changed behind the bridge, fixes it through the engine, then finds no drift', async () => {
    await bridge.engine.start();
    const ada = bridge.createUser({ userName: 'user1' });
    const bob = bridge.createUser({ userName: 'user2' });
    bridge.createGroup('Engineering', [ada, bob]);
    await bridge.settle();
    expect(bridge.deadLetters()).toEqual([]);
    fake.accept('user1');
    fake.accept('user2');
    expect((await bridge.reconcile()).lines).toEqual([]);

    bridge.engine.pause('github');
    bridge.createUser({ userName: 'user3' }); // queued while paused ...
    fake.org.members.set('user3', 'member'); // ... and added to the org by an owner
    fake.org.updateTeam('engineering', { description: 'edited in the GitHub UI' });
    fake.org.removeTeamMembership('engineering', 'user2');
    fake.org.members.set('octocat', 'member');

    const before = fake.callCounts();
    const { report, lines } = await bridge.reconcile();
    expect(lines).toEqual([
      'attribute-drift engineering description:edited in the GitHub UI→Managed by scim-bridge from SCIM group Engineering [update]',
      'missing-membership engineering member=user2 [add-member]',
      'unlinked-match user3 [link]',
      'unmanaged-account octocat [none]',
    ]);
    expect(report.verdict).toBe('drift');
    expect(Object.keys(callsSince(before, fake.callCounts())).filter((endpoint) => !endpoint.startsWith('GET '))).toEqual([]);

    expect((await bridge.reconcile('fix')).report.verdict).toBe('fixed');
    bridge.engine.resume('github');
    await bridge.settle();
    expect(bridge.deadLetters()).toEqual([]);
    expect(fake.org.team('engineering').description).toBe('Managed by scim-bridge from SCIM group Engineering');
    expect(fake.org.teamMembership('engineering', 'user2')).toMatchObject({ state: 'active' });
    expect(fake.org.membership('user3')).toEqual({ state: 'active', role: 'member' });
    expect(fake.org.membership('octocat')).toEqual({ state: 'active', role: 'member' });

    const again = await bridge.reconcile();
    expect(again.report.verdict).toBe('in-sync');
    expect(again.lines).toEqual(['unmanaged-account octocat [none]']);
  });
});
