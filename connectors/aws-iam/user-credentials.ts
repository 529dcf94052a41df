import { DeleteLoginProfileCommand, ListAccessKeysCommand, ListUserTagsCommand, type AccessKeyMetadata, type Tag } from '@aws-sdk/client-iam';
import type { OpContext } from '../sdk/contract';
import { NotFoundError } from '../sdk/errors';
import type { IamApi } from './iam-api';

/** A user's access keys (at most two in IAM). NotFoundError when the user is gone. */
export function accessKeysOf(api: IamApi, userName: string, ctx: OpContext): Promise<AccessKeyMetadata[]> {
  return api.all(async (Marker) => {
    const page = await api.send(new ListAccessKeysCommand({ UserName: userName, Marker }), ctx);
    return { ...page, items: page.AccessKeyMetadata ?? [] };
  }, ctx);
}

/** A user's tags. NotFoundError when the user is gone. */
export function tagsOf(api: IamApi, userName: string, ctx: OpContext): Promise<Tag[]> {
  return api.all(async (Marker) => {
    const page = await api.send(new ListUserTagsCommand({ UserName: userName, Marker }), ctx);
    return { ...page, items: page.Tags ?? [] };
  }, ctx);
}

/**
 * Removes console sign-in. True when a login profile was deleted, false when there was none. IAM answers
 * NoSuchEntity both for "no login profile" and "no user", so callers establish that the user exists first.
 */
export async function deleteLoginProfile(api: IamApi, userName: string, ctx: OpContext): Promise<boolean> {
  try {
    await api.send(new DeleteLoginProfileCommand({ UserName: userName }), ctx);
    return true;
  } catch (error) {
    if (error instanceof NotFoundError) return false;
    throw error;
  }
}
