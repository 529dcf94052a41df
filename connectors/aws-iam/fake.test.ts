import { afterAll, beforeAll, beforeEach, describe, expect, it } from '@jest/globals';
import { CreateUserCommand, DeleteUserCommand, GetUserCommand, IAMClient, ListUsersCommand, type IAMServiceException } from '@aws-sdk/client-iam';
import { FakeIam } from './fake';

/** The fake must behave like IAM where the connector depends on it; these drive it with the real SDK. */
describe('FakeIam', () => {
  let fake: FakeIam;
  const clients: IAMClient[] = [];

  beforeAll(async () => {
    fake = await new FakeIam().start();
  });
  afterAll(async () => {
    for (const client of clients) client.destroy();
    await fake.stop();
  });
  beforeEach(() => fake.reset());

  function client(overrides: { secretAccessKey?: string; accessKeyId?: string } = {}): IAMClient {
    const config = fake.clientConfig();
    const created = new IAMClient({ ...config, credentials: { ...config.credentials, ...overrides }, maxAttempts: 1 });
    clients.push(created);
    return created;
  }

  async function failure(promise: Promise<unknown>): Promise<IAMServiceException> {
    try {
      await promise;
    } catch (error) {
      return error as IAMServiceException;
    }
    throw new Error('expected the call to fail');
  }

  describe('SigV4', () => {
    it('accepts a request signed with the known key pair', async () => {
      const { User } = await client().send(new CreateUserCommand({ UserName: 'signed', Path: '/scim-bridge/' }));
      expect(User).toMatchObject({ UserName: 'signed', Path: '/scim-bridge/', UserId: expect.stringMatching(/^AIDA[A-Z2-7]{17}$/) });
    });

    it('refuses a signature made with the wrong secret (SignatureDoesNotMatch, 403)', async () => {
      const error = await failure(client({ secretAccessKey: 'not-the-secret' }).send(new ListUsersCommand({})));
      expect({ name: error.name, status: error.$metadata.httpStatusCode }).toEqual({ name: 'SignatureDoesNotMatch', status: 403 });
    });

    it('refuses an unknown access key id (InvalidClientTokenId, 403)', async () => {
      const error = await failure(client({ accessKeyId: 'AKIAUNKNOWNUNKNOWN00' }).send(new ListUsersCommand({})));
      expect({ name: error.name, status: error.$metadata.httpStatusCode }).toEqual({ name: 'InvalidClientTokenId', status: 403 });
    });

    it('refuses an unsigned request with an IAM XML error body', async () => {
      const response = await fetch(`${fake.url}/`, {
        method: 'POST',
        headers: { 'content-type': 'application/x-www-form-urlencoded' },
        body: 'Action=ListUsers&Version=2010-05-08',
      });
      expect(response.status).toBe(403);
      const body = await response.text();
      expect(body).toContain('<ErrorResponse xmlns="https://iam.amazonaws.com/doc/2010-05-08/"><Error><Type>Sender</Type><Code>MissingAuthenticationToken</Code>');
      expect(fake.state.users.size).toBe(0);
    });

    it('refuses a signed body that was altered in transit', async () => {
      const iam = client();
      iam.middlewareStack.add((next) => async (args) => {
        const request = args.request as { body: string };
        request.body = request.body.replace('UserName=tampered', 'UserName=hijacked'); // same length: Content-Length stays right
        return next(args);
      }, { step: 'deserialize' }); // the innermost step: after signing, before the wire
      const error = await failure(iam.send(new CreateUserCommand({ UserName: 'tampered' })));
      expect(error.name).toBe('SignatureDoesNotMatch');
      expect(fake.state.users.size).toBe(0);
    });
  });

  it('answers NoSuchEntity with 404 and IAM XML that the SDK parses into its modelled error', async () => {
    const error = await failure(client().send(new GetUserCommand({ UserName: 'nobody' })));
    expect({ name: error.name, status: error.$metadata.httpStatusCode, message: error.message }).toEqual({
      name: 'NoSuchEntityException',
      status: 404,
      message: 'The user with name nobody cannot be found.',
    });
  });

  it('treats user names case-insensitively, as IAM does', async () => {
    await client().send(new CreateUserCommand({ UserName: 'Alice' }));
    const error = await failure(client().send(new CreateUserCommand({ UserName: 'alice' })));
    expect({ name: error.name, status: error.$metadata.httpStatusCode }).toEqual({ name: 'EntityAlreadyExistsException', status: 409 });
    expect((await client().send(new GetUserCommand({ UserName: 'ALICE' }))).User?.UserName).toBe('Alice');
  });

  it('refuses DeleteUser with DeleteConflict (409) while anything hangs off the user', async () => {
    await client().send(new CreateUserCommand({ UserName: 'leaver' }));
    fake.state.addAccessKey('leaver');
    const error = await failure(client().send(new DeleteUserCommand({ UserName: 'leaver' })));
    expect({ name: error.name, status: error.$metadata.httpStatusCode, message: error.message }).toEqual({
      name: 'DeleteConflictException',
      status: 409,
      message: 'Cannot delete entity, must delete access keys first.',
    });
    expect(fake.state.users.has('leaver')).toBe(true);
  });

  it('pages with MaxItems, IsTruncated and an opaque Marker, filtered by PathPrefix', async () => {
    for (const name of ['a', 'b', 'c']) await client().send(new CreateUserCommand({ UserName: name, Path: '/scim-bridge/' }));
    await client().send(new CreateUserCommand({ UserName: 'outsider', Path: '/' }));
    const first = await client().send(new ListUsersCommand({ PathPrefix: '/scim-bridge/', MaxItems: 2 }));
    expect({ names: first.Users?.map((user) => user.UserName), truncated: first.IsTruncated }).toEqual({ names: ['a', 'b'], truncated: true });
    expect(first.Marker).not.toMatch(/^\d+$/);
    const second = await client().send(new ListUsersCommand({ PathPrefix: '/scim-bridge/', MaxItems: 2, Marker: first.Marker }));
    expect({ names: second.Users?.map((user) => user.UserName), truncated: second.IsTruncated, marker: second.Marker }).toEqual({
      names: ['c'],
      truncated: false,
      marker: undefined,
    });
    const bogus = await failure(client().send(new ListUsersCommand({ Marker: 'bogus' })));
    expect({ name: bogus.name, status: bogus.$metadata.httpStatusCode }).toEqual({ name: 'ValidationError', status: 400 });
  });

  it('validates names against IAM rules', async () => {
    const error = await failure(client().send(new CreateUserCommand({ UserName: 'no spaces allowed' })));
    expect({ name: error.name, status: error.$metadata.httpStatusCode }).toEqual({ name: 'ValidationError', status: 400 });
  });

  it('counts calls per Action', async () => {
    await client().send(new ListUsersCommand({}));
    await client().send(new ListUsersCommand({}));
    expect(fake.calls('ListUsers')).toBe(2);
  });
});
