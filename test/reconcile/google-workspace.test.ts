import type { GoogleWorkspaceFake } from '../../connectors/google-workspace/fake';
import { configForFake, startGoogleFake } from '../../connectors/google-workspace/harness';
import { googleWorkspace } from '../../connectors/google-workspace';
import { callsSince } from './support';
import { TargetBridge } from './target-bridge';

const person = (userName: string, givenName: string, familyName: string) => ({ userName, name: { givenName, familyName }, title: 'Engineer' });

describe('reconcile a Google Workspace target (loopback Directory API)', () => {
  let fake: GoogleWorkspaceFake;
  let bridge: TargetBridge;
  beforeAll(async () => (fake = await startGoogleFake()));
  afterAll(() => fake.stop());
  beforeEach(() => {
    fake.reset();
    bridge = new TargetBridge({ name: 'google', connector: 'google-workspace', config: { ...configForFake(fake) }, groups: [{ scim: 'Engineering', target: 'engineering@example.com', create: true }] }, googleWorkspace);
  });
  afterEach(() => bridge.close());

  it('finds exactly what changed behind the bridge, fixes it through the engine, then finds no drift', async () => {
    await bridge.engine.start();
    const ada = bridge.createUser(person('ada@example.com', 'Ada', 'Lovelace'));
    const bob = bridge.createUser(person('bob@example.com', 'Bob', 'Babbage'));
    bridge.createGroup('Engineering', [ada, bob]);
    await bridge.settle();
    expect(bridge.deadLetters()).toEqual([]);

    bridge.engine.pause('google');
    bridge.createUser(person('dan@example.com', 'Dan', 'Brown')); // queued while paused ...
    fake.seedUser('dan@example.com', { name: { givenName: 'Dan', familyName: 'Brown', fullName: 'Dan Brown' } }); // ... and created by hand
    fake.findUser('ada@example.com')!.name.familyName = 'Byron';
    const group = fake.findGroup('engineering@example.com')!;
    group.members.delete(fake.findUser('bob@example.com')!.id);
    fake.seedUser('mallory@example.com', { name: { givenName: 'Mallory', familyName: 'M', fullName: 'Mallory M' } });

    const before = fake.callCounts();
    const { report, lines } = await bridge.reconcile();
    expect(lines).toEqual([
      'attribute-drift ada@example.com familyName:Byron→Lovelace [update]',
      'missing-membership engineering@example.com member=bob@example.com [add-member]',
      'unlinked-match dan@example.com title:null→Engineer [link]',
      'unmanaged-account mallory@example.com [none]',
    ]);
    expect(report.verdict).toBe('drift');
    const calls = Object.keys(callsSince(before, fake.callCounts()));
    expect(calls.length).toBeGreaterThan(0);
    expect(calls.filter((endpoint) => !endpoint.startsWith('GET ') && !endpoint.includes('token'))).toEqual([]);

    expect((await bridge.reconcile('fix')).report.verdict).toBe('fixed');
    bridge.engine.resume('google');
    await bridge.settle();
    expect(bridge.deadLetters()).toEqual([]);
    expect(fake.findUser('ada@example.com')!.name.familyName).toBe('Lovelace');
    expect([...fake.users.values()].filter((user) => user.primaryEmail === 'dan@example.com')).toHaveLength(1);
    expect(group.members.has(fake.findUser('bob@example.com')!.id)).toBe(true);
    expect(fake.findUser('mallory@example.com')).toMatchObject({ suspended: false, name: { givenName: 'Mallory' } });

    const again = await bridge.reconcile();
    expect(again.report.verdict).toBe('in-sync');
    expect(again.lines).toEqual(['unmanaged-account mallory@example.com [none]']);
  });
});
