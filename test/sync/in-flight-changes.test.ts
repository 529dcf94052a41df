import { memory } from '../../connectors/memory';
import type { AnyConnectorDefinition, Connector } from '../../connectors/sdk';
import type { DesiredState } from '../../src/sync/desired-state';
import { createTargetRouter } from '../../src/sync/scope';
import { ctx, Harness, waitFor } from './harness';

/** Holds the first call of one create operation open until the test releases it. */
class CreateGate {
  entered = false;
  private open!: () => void;
  private readonly opened = new Promise<void>((resolve) => (this.open = resolve));

  constructor(readonly operation: 'users.create' | 'groups.create') {}

  async pass(): Promise<void> {
    if (this.entered) return;
    this.entered = true;
    await this.opened;
  }

  release(): void {
    this.open();
  }
}

/** The memory connector whose gated create waits at the gate before it reaches the directory. */
function heldMemory(gate: CreateGate): AnyConnectorDefinition {
  return {
    ...memory,
    create(config, env): Connector {
      const connector = memory.create(config, env);
      const { users } = connector;
      const groups = connector.groups!;
      return {
        ...connector,
        users: { ...users, create: async (user, opCtx) => (gate.operation === 'users.create' && (await gate.pass()), users.create(user, opCtx)) },
        groups: { ...groups, create: async (group, opCtx) => (gate.operation === 'groups.create' && (await gate.pass()), groups.create(group, opCtx)) },
      };
    },
  };
}

describe('a change committed while the subject\'s create is in flight', () => {
  let harness: Harness;
  afterEach(() => harness.close());

  const start = async (gate: CreateGate, target: Parameters<typeof Harness.start>[0] = [{}]) => {
    harness = await Harness.start(target, { connectors: [heldMemory(gate)] });
  };

  it('a DELETE reaches the target after the create it overtook (deprovision: delete)', async () => {
    const gate = new CreateGate('users.create');
    await start(gate, [{ scope: { all: true }, deprovision: { mode: 'delete' } }]);
    const id = harness.createUser('race0');
    await waitFor(() => gate.entered);
    harness.store.users.delete(id, ctx());
    gate.release();
    await harness.settle();

    expect(harness.directory().allUsers()).toEqual([]);
    expect(harness.directory().calls('users.delete')).toBe(1);
    expect(harness.store.queue.get('app', { kind: 'user', id })).toBeUndefined();
    expect(harness.store.db.prepare('SELECT id FROM users WHERE id = ?').get(id)).toBeUndefined();
  });

  it('active=false reaches the target after the create it overtook (deprovision: suspend)', async () => {
    const gate = new CreateGate('users.create');
    await start(gate, [{ deprovision: { mode: 'suspend' } }]);
    const id = harness.createUser('ada');
    await waitFor(() => gate.entered);
    harness.patchUser(id, (user) => (user.active = false));
    gate.release();
    await harness.settle();

    expect(harness.remoteUser('ada')!.active).toBe(false);
  });

  it('leaving the scope group reaches the target after the create it overtook', async () => {
    const gate = new CreateGate('users.create');
    await start(gate, [{ scope: { groups: ['Eng'] }, deprovision: { mode: 'delete', scopeLeaveGraceSeconds: 0 } }]);
    const id = harness.createUser('ada');
    const eng = harness.createGroup('Eng');
    harness.store.groups.update(eng, undefined, { add: [id] }, ctx());
    await waitFor(() => gate.entered);
    harness.store.groups.update(eng, undefined, { remove: [id] }, ctx());
    gate.release();
    await harness.settle();

    expect(harness.directory().allUsers()).toEqual([]);
    expect(harness.store.links.get('app', { kind: 'user', id })).toBeUndefined();
  });

  it('a group DELETE reaches the target after the group create it overtook', async () => {
    const gate = new CreateGate('groups.create');
    await start(gate, [{ groups: [{ scim: 'Eng', target: 'eng', create: true }] }]);
    const eng = harness.createGroup('Eng');
    await waitFor(() => gate.entered);
    harness.store.groups.delete(eng, ctx());
    gate.release();
    await harness.settle();

    expect(harness.directory().allGroups()).toEqual([]);
    expect(harness.store.links.get('app', { kind: 'group', id: eng })).toBeUndefined();
    expect(harness.store.db.prepare('SELECT id FROM groups WHERE id = ?').get(eng)).toBeUndefined();
  });

  it('a member removal reaches the target after the group create it overtook', async () => {
    const gate = new CreateGate('groups.create');
    await start(gate, [{ groups: [{ scim: 'Eng', target: 'eng', create: true }] }]);
    const ada = harness.createUser('ada');
    await harness.settle();
    const eng = harness.createGroup('Eng', [ada]);
    await waitFor(() => gate.entered);
    harness.store.groups.update(eng, undefined, { remove: [ada] }, ctx());
    gate.release();
    await harness.settle();

    expect(harness.directory().allGroups().map((group) => group.memberIds)).toEqual([[]]);
  });
});

describe('routing without targets', () => {
  it('answers no target without reading the subject', () => {
    const unread = { user: () => { throw new Error('read'); }, group: () => { throw new Error('read'); } } as unknown as DesiredState;
    const route = createTargetRouter([], unread, () => { throw new Error('read'); });
    expect(route({ kind: 'user', id: 'u1' })).toEqual([]);
  });
});
