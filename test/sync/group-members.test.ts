import { memory } from '../../connectors/memory';
import { type AnyConnectorDefinition, type Connector, type GroupOperations, NotFoundError, RetryableError } from '../../connectors/sdk';
import { accessReport } from '../../src/lifecycle/access-report';
import { Harness, waitFor } from './harness';

const engineering = { scim: 'Engineering', target: 'eng', create: true };

/** The memory connector as a target that does not say which side of addMember is gone, with or without groups.find. */
function vagueNotFound(withFind: boolean): AnyConnectorDefinition {
  return {
    ...memory,
    create(config, env): Connector {
      const connector = memory.create(config, env);
      const groups = connector.groups!;
      const addMember: typeof groups.addMember = (group, user, ctx) =>
        groups.addMember(group, user, ctx).catch((error: unknown) => {
          throw error instanceof NotFoundError ? new NotFoundError('not found') : error;
        });
      return { ...connector, groups: { ...groups, addMember, find: withFind ? groups.find : undefined } };
    },
  };
}

type MemberCall = GroupOperations['addMember'];

/** The memory connector whose `n`-th call of a member operation is replaced by `instead` (a failure, a hang). */
function nthMemberCall(operation: 'addMember' | 'removeMember', n: number, instead: MemberCall): AnyConnectorDefinition {
  let calls = 0;
  return {
    ...memory,
    create(config, env): Connector {
      const connector = memory.create(config, env);
      const groups = connector.groups!;
      const original: MemberCall = groups[operation].bind(groups);
      const replaced: MemberCall = (...args) => (++calls === n ? instead(...args) : original(...args));
      return { ...connector, groups: { ...groups, [operation]: replaced } };
    },
  };
}

const busy: MemberCall = async () => {
  throw new RetryableError('directory busy');
};

describe('group members are delivered one by one', () => {
  let harness: Harness;
  afterEach(() => harness.close());

  const memberKeys = () => harness.directory().allGroups()[0].memberIds.map((id) => harness.directory().user(id)!.key).sort();

  it.each([
    ['the connector says the user is gone', [memory]],
    ['the engine reads the group to tell (groups.find)', [vagueNotFound(true)]],
    ['the engine reads the group to tell (listMembers)', [vagueNotFound(false)]],
  ] as const)('a member whose account vanished is re-provisioned, the group is kept and the others are added (%s)', async (_case, connectors) => {
    harness = await Harness.start([{ groups: [engineering] }], { connectors: [...connectors] });
    const ids = ['ada', 'bob', 'cy'].map((name) => harness.createUser(name));
    await harness.settle();
    const vanished = harness.remoteUser('bob')!.id;
    harness.directory().removeUserDirectly(vanished);

    const groupId = harness.createGroup('Engineering', ids);
    await harness.settle();
    expect(memberKeys()).toEqual(['ada', 'bob', 'cy']);
    expect(harness.remoteUser('bob')!.id).not.toBe(vanished);
    expect(harness.directory().calls('groups.create')).toBe(1);
    expect(harness.store.queue.list()).toEqual([]);
    const retry = harness.store.ledger.forSubject(`group:${groupId}`).find((row) => row.kind === 'delivery.retry')!;
    expect(JSON.parse(retry.after!).changes.membersGone).toEqual([ids[1]]);
  });

  it.each([
    ['the connector says so', [memory]],
    ['the engine reads the group to tell', [vagueNotFound(true)]],
  ] as const)('a group that vanished on the target is created again with all its members (%s)', async (_case, connectors) => {
    harness = await Harness.start([{ groups: [engineering] }], { connectors: [...connectors] });
    const [ada, bob] = ['ada', 'bob'].map((name) => harness.createUser(name));
    const groupId = harness.createGroup('Engineering', [ada]);
    await harness.settle();
    harness.directory().deleteGroup(harness.directory().allGroups()[0].id);

    harness.store.groups.update(groupId, undefined, { add: [bob] }, { actor: 'idp', requestId: 'r-1', source: 'scim' });
    await harness.settle();
    expect(memberKeys()).toEqual(['ada', 'bob']);
    expect(harness.directory().calls('groups.create')).toBe(2);
  });

  it('a member the target refuses is recorded and dead-letters the group; the other members are added', async () => {
    harness = await Harness.start([{ groups: [engineering] }]);
    const ids = ['ada', 'bob', 'cy'].map((name) => harness.createUser(name));
    await harness.settle();
    harness.directory().failNext(1, { kind: 'permanent', message: 'member does not exist' }, 'groups.addMember');
    const groupId = harness.createGroup('Engineering', ids);
    await harness.settle();

    const refused = [...ids].sort()[0]; // members are delivered in id order
    const row = harness.store.queue.get('app', { kind: 'group', id: groupId })!;
    expect(row.state).toBe('dead');
    expect(row.last_error).toContain(`groups.addMember user ${refused}: member does not exist`);
    expect(memberKeys()).toHaveLength(2);
    const dead = harness.store.ledger.forSubject(`group:${groupId}`).find((entry) => entry.kind === 'delivery.dead')!;
    expect(JSON.parse(dead.after!).changes.memberFailures).toEqual([{ userId: refused, operation: 'groups.addMember', error: 'member does not exist' }]);

    harness.store.queue.retryDead('app', { kind: 'group', id: groupId });
    await harness.settle();
    expect(memberKeys()).toEqual(['ada', 'bob', 'cy']);
  });

  describe('every member the link holds has its ledger evidence, however the pass ended', () => {
    const members = (groupId: string) => Object.keys(JSON.parse(harness.store.links.get('app', { kind: 'group', id: groupId })!.last_applied).members).sort();
    const evidenced = (groupId: string, list: string) => harness.store.ledger.forSubject(`group:${groupId}`)
      .flatMap((row) => (JSON.parse(row.after ?? '{}').changes?.[list] ?? []) as string[]).sort();

    it('a transient failure after some members were added', async () => {
      harness = await Harness.start([{ groups: [engineering] }], { connectors: [nthMemberCall('addMember', 2, busy)] });
      const ids = ['ada', 'bob', 'cy'].map((name) => harness.createUser(name));
      await harness.settle();
      const groupId = harness.createGroup('Engineering', ids);
      await harness.settle();

      expect(members(groupId)).toEqual([...ids].sort());
      expect(evidenced(groupId, 'membersAdded')).toEqual([...ids].sort());
      const retry = harness.store.ledger.forSubject(`group:${groupId}`).find((row) => row.kind === 'delivery.retry')!;
      expect(JSON.parse(retry.after!).changes.membersAdded).toEqual([[...ids].sort()[0]]);
      for (const row of accessReport(harness.store.db, {})) expect(row.targets).toEqual([{ target: 'app', from: expect.any(String), until: null }]);
    });

    it('the engine stopping during the pass', async () => {
      const hangSecond = nthMemberCall('addMember', 2, (_group, _user, ctx) => new Promise((_resolve, reject) => ctx.signal.addEventListener('abort', () => reject(ctx.signal.reason))));
      harness = await Harness.start([{ groups: [engineering] }], { connectors: [hangSecond] });
      const ids = ['ada', 'bob', 'cy'].map((name) => harness.createUser(name));
      await harness.settle();
      const groupId = harness.createGroup('Engineering', ids);
      await waitFor(() => harness.directory().calls('groups.addMember') === 1);
      await harness.engine.stop();

      const first = [...ids].sort()[0];
      expect(members(groupId)).toEqual([first]);
      expect(evidenced(groupId, 'membersAdded')).toEqual([first]);
      expect(harness.store.queue.get('app', { kind: 'group', id: groupId })).toMatchObject({ state: 'pending', attempts: 0 });
    });

    it('a withdrawal that fails part way', async () => {
      harness = await Harness.start([{ groups: [engineering] }], { connectors: [nthMemberCall('removeMember', 2, busy)] });
      const ids = ['ada', 'bob', 'cy'].map((name) => harness.createUser(name));
      const groupId = harness.createGroup('Engineering', ids);
      await harness.settle();
      // Another group takes the name: the first one is no longer pushed and gives its members back.
      harness.store.groups.update(groupId, { displayName: 'Research' }, {}, { actor: 'idp', requestId: 'r-1', source: 'scim' });
      harness.createGroup('Engineering');
      await harness.settle();

      const retry = harness.store.ledger.forSubject(`group:${groupId}`).find((row) => row.kind === 'delivery.retry')!;
      expect(JSON.parse(retry.after!).changes.membersRemoved).toHaveLength(1);
      expect(evidenced(groupId, 'membersRemoved')).toEqual([...ids].sort());
      expect(harness.store.links.get('app', { kind: 'group', id: groupId })).toBeUndefined();
    });
  });
});
