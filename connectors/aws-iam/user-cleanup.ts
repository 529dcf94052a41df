import {
  DeactivateMFADeviceCommand,
  DeleteAccessKeyCommand,
  DeleteServiceSpecificCredentialCommand,
  DeleteSigningCertificateCommand,
  DeleteSSHPublicKeyCommand,
  DeleteUserCommand,
  DeleteUserPolicyCommand,
  DeleteVirtualMFADeviceCommand,
  DetachUserPolicyCommand,
  GetUserCommand,
  ListAttachedUserPoliciesCommand,
  ListGroupsForUserCommand,
  ListMFADevicesCommand,
  ListServiceSpecificCredentialsCommand,
  ListSigningCertificatesCommand,
  ListSSHPublicKeysCommand,
  ListUserPoliciesCommand,
  RemoveUserFromGroupCommand,
} from '@aws-sdk/client-iam';
import type { ConnectorLogger, OpContext, Outcome } from '../sdk/contract';
import { PermanentError } from '../sdk/errors';
import { isUnderPath } from './config';
import type { IamApi, IamPage } from './iam-api';
import { accessKeysOf, deleteLoginProfile } from './user-credentials';

export interface CleanupTarget {
  userName: string;
  managedPath: string;
  logger: ConnectorLogger;
}

type CleanupStep = (api: IamApi, target: CleanupTarget, ctx: OpContext) => Promise<void>;

/**
 * IAM refuses DeleteUser (DeleteConflict) while anything hangs off the user, so delete walks IAM's documented
 * order. Every step lists what is left and removes it, and a removal that finds nothing is fine: a retry after
 * a crash at any point simply finishes the job. Something attached during the walk makes DeleteUser fail with
 * DeleteConflict, which is retryable, and the next attempt removes it too.
 */
const CLEANUP_STEPS: readonly CleanupStep[] = [
  removeLoginProfile,
  deleteAccessKeys,
  deleteSigningCertificates,
  deleteSshPublicKeys,
  deleteServiceSpecificCredentials,
  removeMfaDevices,
  deleteInlinePolicies,
  detachManagedPolicies,
  leaveGroups,
];

export async function deleteUser(api: IamApi, target: CleanupTarget, ctx: OpContext): Promise<Outcome> {
  const user = (await api.sendOrUndefined(new GetUserCommand({ UserName: target.userName }), ctx))?.User;
  if (!user) return 'noop';
  if (!isUnderPath(user.Path, target.managedPath)) {
    throw new PermanentError(`refusing to delete IAM user ${target.userName}: its path ${user.Path} is outside the managed path ${target.managedPath}`);
  }
  for (const step of CLEANUP_STEPS) await step(api, target, ctx);
  const deleted = await api.sendOrUndefined(new DeleteUserCommand({ UserName: target.userName }), ctx);
  return deleted ? 'applied' : 'noop';
}

/** Lists what is left (all pages), then removes each item; an item already gone counts as removed. */
async function removeAll<T>(
  api: IamApi,
  ctx: OpContext,
  listPage: (marker: string | undefined) => Promise<IamPage<T>>,
  remove: (item: T) => Promise<unknown>,
): Promise<void> {
  for (const item of await api.all(listPage, ctx)) await remove(item);
}

async function removeLoginProfile(api: IamApi, { userName }: CleanupTarget, ctx: OpContext): Promise<void> {
  await deleteLoginProfile(api, userName, ctx);
}

async function deleteAccessKeys(api: IamApi, { userName }: CleanupTarget, ctx: OpContext): Promise<void> {
  for (const key of await accessKeysOf(api, userName, ctx)) {
    await api.sendOrUndefined(new DeleteAccessKeyCommand({ UserName: userName, AccessKeyId: key.AccessKeyId }), ctx);
  }
}

function deleteSigningCertificates(api: IamApi, { userName }: CleanupTarget, ctx: OpContext): Promise<void> {
  return removeAll(api, ctx, async (Marker) => {
    const page = await api.send(new ListSigningCertificatesCommand({ UserName: userName, Marker }), ctx);
    return { ...page, items: page.Certificates ?? [] };
  }, (certificate) => api.sendOrUndefined(new DeleteSigningCertificateCommand({ UserName: userName, CertificateId: certificate.CertificateId }), ctx));
}

function deleteSshPublicKeys(api: IamApi, { userName }: CleanupTarget, ctx: OpContext): Promise<void> {
  return removeAll(api, ctx, async (Marker) => {
    const page = await api.send(new ListSSHPublicKeysCommand({ UserName: userName, Marker }), ctx);
    return { ...page, items: page.SSHPublicKeys ?? [] };
  }, (key) => api.sendOrUndefined(new DeleteSSHPublicKeyCommand({ UserName: userName, SSHPublicKeyId: key.SSHPublicKeyId }), ctx));
}

function deleteServiceSpecificCredentials(api: IamApi, { userName }: CleanupTarget, ctx: OpContext): Promise<void> {
  return removeAll(api, ctx, async (Marker) => {
    const page = await api.send(new ListServiceSpecificCredentialsCommand({ UserName: userName, Marker }), ctx);
    return { ...page, items: page.ServiceSpecificCredentials ?? [] };
  }, (credential) => api.sendOrUndefined(new DeleteServiceSpecificCredentialCommand({
    UserName: userName,
    ServiceSpecificCredentialId: credential.ServiceSpecificCredentialId,
  }), ctx));
}

/**
 * Deactivating detaches a device from the user. A virtual device then lingers unassigned, so it is deleted too;
 * that deletion is best effort (a lingering unassigned device grants nothing and must not block the leaver).
 */
function removeMfaDevices(api: IamApi, target: CleanupTarget, ctx: OpContext): Promise<void> {
  const { userName } = target;
  return removeAll(api, ctx, async (Marker) => {
    const page = await api.send(new ListMFADevicesCommand({ UserName: userName, Marker }), ctx);
    return { ...page, items: page.MFADevices ?? [] };
  }, async ({ SerialNumber }) => {
    await api.sendOrUndefined(new DeactivateMFADeviceCommand({ UserName: userName, SerialNumber }), ctx);
    if (SerialNumber?.includes(':mfa/')) await deleteVirtualMfaDevice(api, target, SerialNumber, ctx);
  });
}

async function deleteVirtualMfaDevice(api: IamApi, target: CleanupTarget, SerialNumber: string, ctx: OpContext): Promise<void> {
  try {
    await api.sendOrUndefined(new DeleteVirtualMFADeviceCommand({ SerialNumber }), ctx);
  } catch (error) {
    if (!(error instanceof PermanentError)) throw error;
    target.logger.warn('virtual MFA device left unassigned after deactivation', { userName: target.userName, reason: error.message });
  }
}

function deleteInlinePolicies(api: IamApi, { userName }: CleanupTarget, ctx: OpContext): Promise<void> {
  return removeAll(api, ctx, async (Marker) => {
    const page = await api.send(new ListUserPoliciesCommand({ UserName: userName, Marker }), ctx);
    return { ...page, items: page.PolicyNames ?? [] };
  }, (PolicyName) => api.sendOrUndefined(new DeleteUserPolicyCommand({ UserName: userName, PolicyName }), ctx));
}

function detachManagedPolicies(api: IamApi, { userName }: CleanupTarget, ctx: OpContext): Promise<void> {
  return removeAll(api, ctx, async (Marker) => {
    const page = await api.send(new ListAttachedUserPoliciesCommand({ UserName: userName, Marker }), ctx);
    return { ...page, items: page.AttachedPolicies ?? [] };
  }, (policy) => api.sendOrUndefined(new DetachUserPolicyCommand({ UserName: userName, PolicyArn: policy.PolicyArn }), ctx));
}

function leaveGroups(api: IamApi, { userName }: CleanupTarget, ctx: OpContext): Promise<void> {
  return removeAll(api, ctx, async (Marker) => {
    const page = await api.send(new ListGroupsForUserCommand({ UserName: userName, Marker }), ctx);
    return { ...page, items: page.Groups ?? [] };
  }, (group) => api.sendOrUndefined(new RemoveUserFromGroupCommand({ UserName: userName, GroupName: group.GroupName }), ctx));
}
