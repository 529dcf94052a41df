import { TagUserCommand, UntagUserCommand, UpdateAccessKeyCommand } from '@aws-sdk/client-iam';
import type { OpContext, Outcome } from '../sdk/contract';
import type { IamApi } from './iam-api';
import { SUSPENDED_TAG, suspendedKeyIds, tagValue } from './mapping';
import { accessKeysOf, deleteLoginProfile, tagsOf } from './user-credentials';

/**
 * Suspend = no console sign-in (login profile deleted) and no API access (access keys set Inactive). The
 * suspension tag lists the keys the bridge deactivated and is written BEFORE they are deactivated, so a retry
 * after a crash still knows which keys to give back on resume (and leaves keys the owner retired alone).
 */
export async function suspendUser(api: IamApi, userName: string, ctx: OpContext): Promise<Outcome> {
  const tags = await tagsOf(api, userName, ctx);
  const activeKeyIds = (await accessKeysOf(api, userName, ctx))
    .filter((key) => key.Status === 'Active')
    .map((key) => key.AccessKeyId ?? '');
  const alreadySuspended = tags.some((tag) => tag.Key === SUSPENDED_TAG);
  const recorded = suspendedKeyIds(tagValue(tags, SUSPENDED_TAG));
  const toRecord = [...new Set([...recorded, ...activeKeyIds])];

  let changed = false;
  if (!alreadySuspended || toRecord.length !== recorded.length) {
    await api.send(new TagUserCommand({ UserName: userName, Tags: [{ Key: SUSPENDED_TAG, Value: toRecord.join(' ') }] }), ctx);
    changed = true;
  }
  for (const AccessKeyId of activeKeyIds) {
    await api.send(new UpdateAccessKeyCommand({ UserName: userName, AccessKeyId, Status: 'Inactive' }), ctx);
    changed = true;
  }
  if (await deleteLoginProfile(api, userName, ctx)) changed = true;
  return changed ? 'applied' : 'noop';
}

/**
 * Resume = reactivate the access keys the suspension deactivated. A deleted login profile cannot come back:
 * IAM needs a new password for it, which the bridge never holds (see README, "Deprovisioning").
 */
export async function resumeUser(api: IamApi, userName: string, ctx: OpContext): Promise<Outcome> {
  const tags = await tagsOf(api, userName, ctx);
  if (!tags.some((tag) => tag.Key === SUSPENDED_TAG)) return 'noop';
  const deactivatedByUs = new Set(suspendedKeyIds(tagValue(tags, SUSPENDED_TAG)));
  for (const key of await accessKeysOf(api, userName, ctx)) {
    if (key.Status !== 'Inactive' || !deactivatedByUs.has(key.AccessKeyId ?? '')) continue;
    await api.send(new UpdateAccessKeyCommand({ UserName: userName, AccessKeyId: key.AccessKeyId, Status: 'Active' }), ctx);
  }
  await api.send(new UntagUserCommand({ UserName: userName, TagKeys: [SUSPENDED_TAG] }), ctx);
  return 'applied';
}
