import { FakeIam } from '../../connectors/aws-iam/fake';
import { configForFake } from '../../connectors/aws-iam/harness';
import { awsIam } from '../../connectors/aws-iam';
import { callsSince } from './support';
import { TargetBridge } from './target-bridge';

const person = (userName: string, displayName: string) => ({ userName, displayName, emails: [{ type: 'work', value: userName, primary: true }] });

describe('reconcile an AWS IAM account (loopback Query API)', () => {
  let fake: FakeIam;
  let bridge: TargetBridge;
  beforeAll(async () => (fake = await new FakeIam().start()));
  afterAll(() => fake.stop());
  beforeEach(() => {
    fake.reset();
    bridge = new TargetBridge({ name: 'aws', connector: 'aws-iam', config: { ...configForFake(fake) }, groups: [{ scim: 'Engineering', target: 'engineering', create: true }] }, awsIam);
  });
  afterEach(() => bridge.close());

  it('finds exactly what changed behind the bridge, fixes it through the engine, then finds no drift', async () => {
    await bridge.engine.start();
    const ada = bridge.createUser(person('ada@example.com', 'Ada Lovelace'));
    const bob = bridge.createUser(person('bob@example.com', 'Bob Babbage'));
    bridge.createGroup('Engineering', [ada, bob]);
    await bridge.settle();
    expect(bridge.deadLetters()).toEqual([]);

    bridge.engine.pause('aws');
    bridge.createUser(person('dan@example.com', 'Dan Brown')); // queued while paused ...
    fake.state.createUser('dan@example.com', '/scim-bridge/'); // ... and created by hand in the managed path
    fake.state.tagUser(fake.state.user('ada@example.com'), [{ Key: 'scim-bridge:displayName', Value: 'Countess of Lovelace' }]);
    fake.state.group('engineering').memberIds.delete(fake.state.user('bob@example.com').UserId);
    fake.state.createUser('mallory', '/scim-bridge/');
    fake.state.createUser('break-glass-admin', '/'); // outside the bridge's path: not even listed

    const before = fake.callCounts();
    const { report, lines } = await bridge.reconcile();
    expect(lines).toEqual([
      'attribute-drift ada@example.com displayName:Countess of Lovelace→Ada Lovelace [update]',
      'missing-membership engineering member=bob@example.com [add-member]',
      'unlinked-match dan@example.com email:null→dan@example.com,displayName:null→Dan Brown [link]',
      'unmanaged-account mallory [none]',
    ]);
    expect(report).toMatchObject({ verdict: 'drift', summary: { remoteUsers: 4 } });
    expect(Object.keys(callsSince(before, fake.callCounts())).every((action) => /^(List|Get)/.test(action))).toBe(true);

    expect((await bridge.reconcile('fix')).report.verdict).toBe('fixed');
    bridge.engine.resume('aws');
    await bridge.settle();
    expect(bridge.deadLetters()).toEqual([]);
    expect(fake.state.user('ada@example.com').Tags).toContainEqual({ Key: 'scim-bridge:displayName', Value: 'Ada Lovelace' });
    expect(fake.state.group('engineering').memberIds.has(fake.state.user('bob@example.com').UserId)).toBe(true);
    expect(fake.state.user('dan@example.com').Tags).toContainEqual({ Key: 'scim-bridge:displayName', Value: 'Dan Brown' });
    expect(fake.state.user('mallory').Tags).toEqual([]);

    const again = await bridge.reconcile();
    expect(again.report.verdict).toBe('in-sync');
    expect(again.lines).toEqual(['unmanaged-account mallory [none]']);
  });
});
