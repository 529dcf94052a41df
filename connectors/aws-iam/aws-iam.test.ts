import { describe, expect, it } from '@jest/globals';
import { collectAll, runConnectorKit } from '../kit';
import { ConfigError, ConflictError, NotFoundError, PermanentError, RateLimitedError, RetryableError } from '../sdk/errors';
import { IAM_THROTTLE_PAUSE_MS } from './classify';
import { errorXml, IamFault } from './fake-query-codec';
import { awsIamHarness, sampleGroup, sampleUser } from './harness';
import { ctx, rejectionOf, useFakeIam } from './test-support';

runConnectorKit(awsIamHarness);

describe('aws-iam connector', () => {
  const { fake, connector } = useFakeIam();

  describe('managed path and tags', () => {
    it('creates the user under the path, tagged with the SCIM id and every mapped attribute', async () => {
      const user = { ...sampleUser(1), attributes: { email: 'ada+ops@example.com', displayName: 'Ada Lovelace-Byron / Ops', owner: 'grace@example.com' } };
      const ref = await connector().users.create(user, ctx());
      const held = fake().state.user(user.key);
      expect({ id: ref.id, path: held.Path, tags: held.Tags }).toEqual({
        id: held.UserId,
        path: '/scim-bridge/',
        tags: [
          { Key: 'scim-bridge:id', Value: 'scim-user-1' },
          { Key: 'scim-bridge:email', Value: 'ada+ops@example.com' },
          { Key: 'scim-bridge:displayName', Value: 'Ada Lovelace-Byron / Ops' },
          { Key: 'scim-bridge:owner', Value: 'grace@example.com' },
        ],
      });
      expect(await connector().users.find(user.key, ctx())).toEqual({
        id: held.UserId,
        key: user.key,
        active: true,
        scimId: 'scim-user-1',
        attributes: user.attributes,
      });
    });

    it('uses the configured path and sets the permissions boundary', async () => {
      const boundary = 'arn:aws:iam::123456789012:policy/scim-bridge-boundary';
      await connector({ path: '/idp/people/', permissionsBoundaryArn: boundary }).users.create(sampleUser(2), ctx());
      expect(fake().state.user(sampleUser(2).key)).toMatchObject({ Path: '/idp/people/', PermissionsBoundary: boundary });
    });

    it('creates an inactive user already marked suspended', async () => {
      const ref = await connector().users.create({ ...sampleUser(3), active: false }, ctx());
      expect(await connector().users.find(ref.key, ctx())).toMatchObject({ active: false });
    });

    it('ignores users outside the path: find returns nothing, list leaves them out, create refuses to adopt them', async () => {
      fake().state.createUser('user4@example.com', '/');
      fake().state.createUser('admin', '/ops/');
      const managed = await connector().users.create(sampleUser(5), ctx());

      expect(await connector().users.find('user4@example.com', ctx())).toBeUndefined();
      const listed = [];
      for await (const user of connector().users.list({ pageSize: 1 }, ctx())) listed.push(user.key);
      expect(listed).toEqual([managed.key]);

      const refused = await rejectionOf(connector().users.create(sampleUser(4), ctx()));
      expect(refused).toBeInstanceOf(PermanentError);
      expect(refused.message).toContain('outside the managed path /scim-bridge/');
    });

    it('refuses to delete a user outside the path and leaves it whole', async () => {
      const outsider = fake().state.createUser('root-admin', '/');
      fake().state.addAccessKey('root-admin');
      const refused = await rejectionOf(connector().users.delete!({ id: outsider.UserId, key: 'root-admin' }, ctx()));
      expect(refused).toBeInstanceOf(PermanentError);
      expect(fake().state.user('root-admin').accessKeys).toHaveLength(1);
    });

    it('a conflict hands back the existing managed user with its SCIM id', async () => {
      const ref = await connector().users.create(sampleUser(6), ctx());
      const conflict = await rejectionOf(connector().users.create({ ...sampleUser(6), key: 'USER6@example.com' }, ctx()));
      expect(conflict).toBeInstanceOf(ConflictError);
      expect((conflict as ConflictError).existing).toMatchObject({ id: ref.id, key: 'user6@example.com', scimId: 'scim-user-6' });
    });
  });

  describe('updates', () => {
    it('tags changed attributes, untags cleared ones, and makes no call for no change', async () => {
      const ref = await connector().users.create(sampleUser(7), ctx());
      expect(await connector().users.update(ref, { attributes: { displayName: 'New Name', email: null } }, ctx())).toBe('applied');
      expect(fake().state.user(ref.key).Tags).toEqual([
        { Key: 'scim-bridge:id', Value: 'scim-user-7' },
        { Key: 'scim-bridge:displayName', Value: 'New Name' },
      ]);
      const before = fake().requestCount();
      expect(await connector().users.update(ref, { attributes: {} }, ctx())).toBe('noop');
      expect(fake().requestCount()).toBe(before);
    });

    it('tags an adopted user with the bridge id, replacing a stale one', async () => {
      const held = fake().state.createUser('adopted@example.com', '/scim-bridge/', [{ Key: 'scim-bridge:id', Value: 'old-scim-id' }, { Key: 'team', Value: 'ops' }]);
      const ref = { id: held.UserId, key: held.UserName };
      expect(await connector().users.update(ref, { attributes: { displayName: 'Ada' }, scimId: 'scim-user-20' }, ctx())).toBe('applied');
      expect(fake().state.user(ref.key).Tags).toEqual([
        { Key: 'scim-bridge:id', Value: 'scim-user-20' },
        { Key: 'team', Value: 'ops' },
        { Key: 'scim-bridge:displayName', Value: 'Ada' },
      ]);
      expect(fake().calls('TagUser')).toBe(1);
    });

    it('renames with UpdateUser, and a retry after the rename already happened still succeeds', async () => {
      const ref = await connector().users.create(sampleUser(8), ctx());
      const changes = { key: 'ada.renamed@example.com', attributes: { email: 'ada.renamed@example.com' } };
      expect(await connector().users.update(ref, changes, ctx())).toBe('applied');
      expect(fake().state.userById(ref.id)).toMatchObject({ UserName: 'ada.renamed@example.com' });
      expect(await connector().users.update(ref, changes, ctx())).toBe('applied');
      expect(fake().calls('UpdateUser')).toBe(2);
      expect(fake().state.userById(ref.id)?.Tags).toContainEqual({ Key: 'scim-bridge:email', Value: 'ada.renamed@example.com' });
    });

    it('rejects a mapped name IAM would refuse, naming the rule, without calling IAM', async () => {
      const error = await rejectionOf(connector().users.create({ ...sampleUser(9), key: 'Ada Lovelace' }, ctx()));
      expect(error).toBeInstanceOf(PermanentError);
      expect(error.message).toContain('1-64 characters of letters, digits and + = , . @ _ -');
      const tooLong = await rejectionOf(connector().users.create({ ...sampleUser(9), key: 'a'.repeat(65) }, ctx()));
      expect(tooLong).toBeInstanceOf(PermanentError);
      expect(fake().requestCount()).toBe(0);
    });

    it('escapes characters IAM refuses in a tag value, and reads them back as mapped', async () => {
      const displayName = "Lovelace, Ada (Contractor) O'Brien";
      const ref = await connector().users.create({ ...sampleUser(10), attributes: { displayName } }, ctx());
      expect(fake().state.user(ref.key).Tags).toContainEqual({ Key: 'scim-bridge:displayName', Value: 'Lovelace=2C Ada =28Contractor=29 O=27Brien' });
      expect((await connector().users.find(ref.key, ctx()))?.attributes).toEqual({ displayName });
      await connector().users.update(ref, { attributes: { displayName: 'Grace Hopper (Navy)' } }, ctx());
      const [listed] = await collectAll(connector().users.list({}, ctx()));
      expect(listed.attributes).toEqual({ displayName: 'Grace Hopper (Navy)' });
    });
  });

  describe('error classification', () => {
    it('Throttling (HTTP 400, no Retry-After) is a rate limit with a short pause, after exactly one SDK attempt', async () => {
      fake().failNext(1, { status: 400, body: errorXml(new IamFault('Throttling', 400, 'Rate exceeded')), contentType: 'text/xml' });
      const error = await rejectionOf(connector().users.create(sampleUser(11), ctx()));
      expect(error).toBeInstanceOf(RateLimitedError);
      expect((error as RateLimitedError).retryAfterMs).toBe(IAM_THROTTLE_PAUSE_MS);
      expect(fake().calls('CreateUser')).toBe(1);
    });

    it('AccessDenied is permanent for the item and carries IAM\'s message', async () => {
      const denied = 'User: arn:aws:iam::123456789012:user/bridge is not authorized to perform: iam:CreateUser';
      fake().failNext(1, { status: 403, body: errorXml(new IamFault('AccessDenied', 403, denied)), contentType: 'text/xml' });
      const error = await rejectionOf(connector().users.create(sampleUser(12), ctx()));
      expect(error).toBeInstanceOf(PermanentError);
      expect(error.message).toContain(denied);
    });

    it('a wrong secret is a config error and the secret never appears in it', async () => {
      const wrong = 'wrong-secret-value-1234567890';
      const error = await rejectionOf(connector({ credentials: { accessKeyId: fake().accessKeyId, secretAccessKey: wrong } }).users.find('x', ctx()));
      expect(error).toBeInstanceOf(ConfigError);
      expect(error.message).toContain('SignatureDoesNotMatch');
      expect(`${error.message}${error.stack}`).not.toContain(wrong);
    });

    it('masks access key ids that IAM quotes in a message', async () => {
      const quoted = `The access key ${fake().accessKeyId} is not allowed here`;
      fake().failNext(1, { status: 403, body: errorXml(new IamFault('AccessDenied', 403, quoted)), contentType: 'text/xml' });
      const error = await rejectionOf(connector().users.find('x', ctx()));
      expect(error.message).toContain('The access key [access key id] is not allowed here');
      expect(error.message).not.toContain(fake().accessKeyId);
    });

    it('LimitExceeded and ServiceFailure map to permanent and retryable', async () => {
      fake().failNext(1, { status: 409, body: errorXml(new IamFault('LimitExceeded', 409, 'Cannot exceed quota for UsersPerAccount: 5000')), contentType: 'text/xml' });
      expect(await rejectionOf(connector().users.create(sampleUser(13), ctx()))).toBeInstanceOf(PermanentError);
      fake().failNext(1, { status: 500, body: errorXml(new IamFault('ServiceFailure', 500, 'failure', 'Receiver')), contentType: 'text/xml' });
      expect(await rejectionOf(connector().users.create(sampleUser(13), ctx()))).toBeInstanceOf(RetryableError);
    });

    it('a connection refused is retryable', async () => {
      const error = await rejectionOf(connector({ endpoint: 'http://127.0.0.1:9' }).users.find('x', ctx()));
      expect(error).toBeInstanceOf(RetryableError);
    });
  });

  describe('groups', () => {
    it('finds a group an admin made under the path, and ignores or refuses one outside it', async () => {
      const existing = fake().state.createGroup('team-1', '/scim-bridge/');
      fake().state.createGroup('team-2', '/');
      const groups = connector().groups!;
      expect(await groups.find!('team-1', ctx())).toEqual({ id: existing.GroupId, key: 'team-1', attributes: {} });
      expect(await groups.find!('team-2', ctx())).toBeUndefined();

      const refused = await rejectionOf(groups.create(sampleGroup(2), ctx()));
      expect(refused).toBeInstanceOf(PermanentError);
      expect(refused.message).toContain('outside the managed path');
      const deleteRefused = await rejectionOf(groups.delete({ id: 'x', key: 'team-2' }, ctx()));
      expect(deleteRefused).toBeInstanceOf(PermanentError);
      expect(fake().state.groups.has('team-2')).toBe(true);
    });

    it('creates groups under the group path and never reports members outside the user path', async () => {
      const groups = connector({ groupPath: '/scim-bridge/teams/' }).groups!;
      const ref = await groups.create(sampleGroup(3), ctx());
      expect(fake().state.group('team-3').Path).toBe('/scim-bridge/teams/');
      const member = await connector().users.create(sampleUser(14), ctx());
      await groups.addMember(ref, member, ctx());
      const outsider = fake().state.createUser('breakglass', '/');
      fake().state.group('team-3').memberIds.add(outsider.UserId);

      const listed = [];
      for await (const ref2 of groups.listMembers(ref, { pageSize: 1 }, ctx())) listed.push(ref2.key);
      expect(listed).toEqual([member.key]);
    });

    it('adds with one AddUserToGroup call and a missing user is not found', async () => {
      const groups = connector().groups!;
      const ref = await groups.create(sampleGroup(4), ctx());
      const user = await connector().users.create(sampleUser(15), ctx());
      await groups.addMember(ref, user, ctx());
      expect(fake().calls('AddUserToGroup')).toBe(1);
      const gone = await rejectionOf(groups.addMember(ref, { id: 'AIDAGONE', key: 'gone@example.com' }, ctx()));
      expect(gone).toBeInstanceOf(NotFoundError);
    });

    it('deleting a group with a policy attached is permanent and names the reason', async () => {
      const groups = connector().groups!;
      const ref = await groups.create(sampleGroup(5), ctx());
      fake().state.group('team-5').attachedPolicyArns.push('arn:aws:iam::aws:policy/ReadOnlyAccess');
      const error = await rejectionOf(groups.delete(ref, ctx()));
      expect(error).toBeInstanceOf(PermanentError);
      expect(error.message).toContain('policies');
    });

    it('renames a group with UpdateGroup', async () => {
      const groups = connector().groups!;
      const ref = await groups.create(sampleGroup(6), ctx());
      expect(await groups.update!(ref, { key: 'team-six', attributes: {} }, ctx())).toBe('applied');
      expect(fake().state.group('team-six').GroupId).toBe(ref.id);
    });
  });

  it('check() reports the missing permission without throwing', async () => {
    fake().failNext(1, { status: 403, body: errorXml(new IamFault('AccessDenied', 403, 'not authorized to perform: iam:ListUsers')), contentType: 'text/xml' });
    const health = await connector().check(ctx());
    expect(health.ok).toBe(false);
    expect(health.message).toContain('iam:ListUsers');
  });
});
