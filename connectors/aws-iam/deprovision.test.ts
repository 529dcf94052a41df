import { describe, expect, it } from '@jest/globals';
import type { RemoteRef } from '../sdk/contract';
import { RetryableError } from '../sdk/errors';
import { sampleUser } from './harness';
import { ctx, useFakeIam } from './test-support';

describe('aws-iam deprovisioning', () => {
  const { fake, connector, logs } = useFakeIam();

  async function managedUser(n: number): Promise<RemoteRef> {
    return connector().users.create(sampleUser(n), ctx());
  }

  /** Everything IAM hangs off a user, added out of band as people and tools do. */
  function attachEverything(userName: string): { virtualMfa: string } {
    const state = fake().state;
    state.addLoginProfile(userName);
    state.addAccessKey(userName);
    state.addAccessKey(userName, 'Inactive');
    state.addSigningCertificate(userName);
    state.addSshPublicKey(userName);
    state.addServiceSpecificCredential(userName);
    const virtualMfa = state.addMfaDevice(userName, 'virtual');
    state.addMfaDevice(userName, 'hardware');
    state.putUserPolicy(userName, 'inline-s3');
    state.attachUserPolicy(userName, 'arn:aws:iam::aws:policy/ReadOnlyAccess');
    const group = state.createGroup('admins', '/');
    group.memberIds.add(state.user(userName).UserId);
    return { virtualMfa };
  }

  describe('suspend and resume', () => {
    it('suspend deletes the login profile and deactivates the active keys; resume gives back only those keys', async () => {
      const ref = await managedUser(1);
      fake().state.addLoginProfile(ref.key);
      const active = fake().state.addAccessKey(ref.key);
      const retired = fake().state.addAccessKey(ref.key, 'Inactive');

      expect(await connector().users.disable!(ref, ctx())).toBe('applied');
      const suspended = fake().state.user(ref.key);
      expect({ loginProfile: suspended.loginProfile, keys: suspended.accessKeys.map((key) => [key.id, key.status]) }).toEqual({
        loginProfile: undefined,
        keys: [[active, 'Inactive'], [retired, 'Inactive']],
      });
      expect(await connector().users.disable!(ref, ctx())).toBe('noop');

      expect(await connector().users.enable!(ref, ctx())).toBe('applied');
      expect(fake().state.user(ref.key).accessKeys.map((key) => [key.id, key.status])).toEqual([[active, 'Active'], [retired, 'Inactive']]);
      expect(fake().state.user(ref.key).loginProfile).toBeUndefined();
      expect(await connector().users.find(ref.key, ctx())).toMatchObject({ active: true });
    });

    it('a key created while suspended is deactivated by the next suspend', async () => {
      const ref = await managedUser(2);
      await connector().users.disable!(ref, ctx());
      const sneaky = fake().state.addAccessKey(ref.key);
      expect(await connector().users.disable!(ref, ctx())).toBe('applied');
      expect(fake().state.user(ref.key).accessKeys).toEqual([expect.objectContaining({ id: sneaky, status: 'Inactive' })]);
    });

    it('a suspend that died after deactivating one key still gives back both keys on resume after the retry', async () => {
      const ref = await managedUser(3);
      const [first, second] = [fake().state.addAccessKey(ref.key), fake().state.addAccessKey(ref.key)];
      fake().failNext(1, { status: 503, endpoint: 'UpdateAccessKey' });
      await expect(connector().users.disable!(ref, ctx())).rejects.toBeInstanceOf(RetryableError);
      // As if the process died right after IAM applied the first deactivation.
      fake().state.user(ref.key).accessKeys[0].status = 'Inactive';

      expect(await connector().users.disable!(ref, ctx())).toBe('applied');
      expect(fake().state.user(ref.key).accessKeys.every((key) => key.status === 'Inactive')).toBe(true);
      await connector().users.enable!(ref, ctx());
      expect(fake().state.user(ref.key).accessKeys.map((key) => [key.id, key.status])).toEqual([[first, 'Active'], [second, 'Active']]);
    });
  });

  describe('delete', () => {
    it('removes everything IAM hangs off the user, then the user', async () => {
      const ref = await managedUser(4);
      const { virtualMfa } = attachEverything(ref.key);

      expect(await connector().users.delete!(ref, ctx())).toBe('applied');
      expect(fake().state.userById(ref.id)).toBeUndefined();
      expect(fake().state.virtualMfaDevices.has(virtualMfa)).toBe(false);
      expect(fake().state.group('admins').memberIds.size).toBe(0);
      expect(fake().calls('DeleteUser')).toBe(1);
    });

    it('a cleanup that fails half-way finishes on the retry', async () => {
      const ref = await managedUser(5);
      attachEverything(ref.key);
      fake().failNext(1, { status: 503, endpoint: 'DetachUserPolicy' });

      await expect(connector().users.delete!(ref, ctx())).rejects.toBeInstanceOf(RetryableError);
      const halfway = fake().state.user(ref.key);
      expect({ loginProfile: halfway.loginProfile, keys: halfway.accessKeys.length, policies: halfway.attachedPolicyArns.length }).toEqual({
        loginProfile: undefined,
        keys: 0,
        policies: 1,
      });

      expect(await connector().users.delete!(ref, ctx())).toBe('applied');
      expect(fake().state.userById(ref.id)).toBeUndefined();
    });

    it('something attached during the cleanup makes DeleteUser conflict, which is retryable, and the retry removes it', async () => {
      const ref = await managedUser(6);
      const attachDuringCleanup = fake().state.addLoginProfile.bind(fake().state, ref.key);
      fake().failNext(1, {
        status: 503,
        endpoint: 'ListGroupsForUser',
        body: () => {
          attachDuringCleanup();
          return '<ErrorResponse><Error><Type>Receiver</Type><Code>ServiceUnavailable</Code><Message>x</Message></Error></ErrorResponse>';
        },
        contentType: 'text/xml',
      });
      await expect(connector().users.delete!(ref, ctx())).rejects.toBeInstanceOf(RetryableError);
      expect(fake().state.user(ref.key).loginProfile).toBeDefined();
      expect(await connector().users.delete!(ref, ctx())).toBe('applied');
      expect(fake().state.userById(ref.id)).toBeUndefined();
    });

    it('a virtual MFA device the bridge may not delete is left unassigned with a warning, and the user still goes', async () => {
      const ref = await managedUser(7);
      const serial = fake().state.addMfaDevice(ref.key, 'virtual');
      fake().failNext(1, {
        status: 403,
        endpoint: 'DeleteVirtualMFADevice',
        body: '<ErrorResponse><Error><Type>Sender</Type><Code>AccessDenied</Code><Message>not authorized</Message></Error></ErrorResponse>',
        contentType: 'text/xml',
      });
      expect(await connector().users.delete!(ref, ctx())).toBe('applied');
      expect(fake().state.virtualMfaDevices.get(serial)).toEqual({ assignedTo: undefined });
      expect(logs).toContainEqual(expect.objectContaining({ level: 'warn', message: 'virtual MFA device left unassigned after deactivation' }));
    });

    it('a user already gone is a noop', async () => {
      expect(await connector().users.delete!({ id: 'AIDAGONE', key: 'gone@example.com' }, ctx())).toBe('noop');
    });
  });
});
