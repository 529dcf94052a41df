import { Harness } from './harness';
import { recordingMemory, type RecordedUpdate } from './recording-connector';

const attributesOf = (name: string) => ({ displayName: name, givenName: 'Ada', familyName: 'Lovelace', email: `${name}@example.com` });

describe('the bridge id on adopted accounts (Changes.scimId)', () => {
  let harness: Harness;
  let updates: RecordedUpdate[];
  beforeEach(() => (updates = []));
  afterEach(() => harness.close());

  it('an account that already existed with another bridge id gets this subject\'s id in its first update, once', async () => {
    harness = await Harness.start([{}], { connectors: [recordingMemory(updates)] });
    harness.directory().createUser({ key: 'ada', active: true, attributes: attributesOf('ada'), scimId: 'id-of-a-previous-user' });
    const id = harness.createUser('ada', { displayName: 'ada' } as never);
    await harness.settle();

    expect(updates).toEqual([{ kind: 'user', ref: expect.objectContaining({ key: 'ada' }), changes: { attributes: {}, scimId: id } }]);
    harness.patchUser(id, (user) => (user.nickName = 'Countess')); // not mapped: nothing to send, the stamp is known
    harness.patchUser(id, (user) => (user.displayName = 'Ada L.'));
    await harness.settle();
    expect(updates.slice(1).map((update) => update.changes)).toEqual([{ attributes: { displayName: 'Ada L.' } }]);
  });

  it('an account the engine created carries the id from create: updates never repeat it', async () => {
    harness = await Harness.start([{}], { connectors: [recordingMemory(updates)] });
    const id = harness.createUser('bea');
    await harness.settle();
    harness.patchUser(id, (user) => (user.displayName = 'Bea'));
    await harness.settle();
    expect(harness.remoteUser('bea')!.scimId).toBe(id);
    expect(updates.map((update) => update.changes)).toEqual([{ attributes: { displayName: 'Bea' } }]);
  });

  it('an adopted group gets the bridge id too', async () => {
    harness = await Harness.start([{ groups: [{ scim: 'Engineering', target: 'eng', create: true }] }], { connectors: [recordingMemory(updates)] });
    harness.directory().createGroup({ key: 'eng', attributes: { displayName: 'Engineering' } });
    const groupId = harness.createGroup('Engineering');
    await harness.settle();
    expect(updates).toEqual([{ kind: 'group', ref: expect.objectContaining({ key: 'eng' }), changes: { attributes: {}, scimId: groupId } }]);
  });
});
