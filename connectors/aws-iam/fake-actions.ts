import { noSuchEntity, required, tagList, memberList, IamFault, type FormParams, type XmlValue } from './fake-query-codec';
import { FAKE_ACCOUNT_ID, groupArn, pageOf, userArn, type FakeCredential, type FakeGroup, type FakeIamState, type FakeUser } from './fake-iam-state';

/**
 * The IAM Query actions the fake serves, each a function of the form parameters that returns the
 * `<ActionResult>` fields (or nothing) and throws IamFault as IAM would.
 */
export type ActionResult = Record<string, XmlValue> | undefined;
export type Action = (state: FakeIamState, params: FormParams) => ActionResult;

const userXml = (user: FakeUser, withTags = false): Record<string, XmlValue> => ({
  Path: user.Path,
  UserName: user.UserName,
  UserId: user.UserId,
  Arn: userArn(user),
  CreateDate: user.CreateDate,
  PermissionsBoundary: user.PermissionsBoundary && withTags
    ? { PermissionsBoundaryType: 'PermissionsBoundaryPolicy', PermissionsBoundaryArn: user.PermissionsBoundary }
    : undefined,
  Tags: withTags && user.Tags.length ? user.Tags : undefined,
});

const groupXml = (group: FakeGroup): Record<string, XmlValue> => ({
  Path: group.Path, GroupName: group.GroupName, GroupId: group.GroupId, Arn: groupArn(group), CreateDate: group.CreateDate,
});

/** A paged list result: `{ [field]: page items, IsTruncated, Marker }`. */
function paged<T>(field: string, items: readonly T[], params: FormParams, toXml: (item: T) => XmlValue): ActionResult {
  const page = pageOf(items, params);
  return { [field]: page.items.map(toXml), IsTruncated: page.IsTruncated, Marker: page.Marker };
}

function credential(list: FakeCredential[], id: string, what: string): FakeCredential {
  const found = list.find((item) => item.id === id);
  if (!found) throw noSuchEntity(`The ${what} with id ${id} cannot be found.`);
  return found;
}

function removeCredential(list: FakeCredential[], id: string, what: string): void {
  list.splice(list.indexOf(credential(list, id, what)), 1);
}

function status(params: FormParams): 'Active' | 'Inactive' {
  const value = required(params, 'Status');
  if (value !== 'Active' && value !== 'Inactive') throw new IamFault('ValidationError', 400, `Status must be Active or Inactive`);
  return value;
}

const user = (state: FakeIamState, params: FormParams): FakeUser => state.user(required(params, 'UserName'));
const group = (state: FakeIamState, params: FormParams): FakeGroup => state.group(required(params, 'GroupName'));
const underPrefix = (params: FormParams) => (item: { Path: string }) => item.Path.startsWith(params.PathPrefix ?? '/');

const userActions: Record<string, Action> = {
  CreateUser: (state, p) => ({ User: userXml(state.createUser(required(p, 'UserName'), p.Path, tagList(p), p.PermissionsBoundary), true) }),
  GetUser: (state, p) => ({ User: userXml(user(state, p), true) }),
  ListUsers: (state, p) => paged('Users', [...state.users.values()].filter(underPrefix(p)), p, (u) => userXml(u)),
  UpdateUser: (state, p) => {
    const found = user(state, p);
    if (p.NewUserName) state.renameUser(found, p.NewUserName);
    if (p.NewPath) found.Path = p.NewPath;
    return undefined;
  },
  DeleteUser: (state, p) => void state.deleteUser(user(state, p)),
  ListUserTags: (state, p) => paged('Tags', user(state, p).Tags, p, (tag) => tag),
  TagUser: (state, p) => void state.tagUser(user(state, p), tagList(p)),
  UntagUser: (state, p) => {
    const found = user(state, p);
    const keys = new Set(memberList(p, 'TagKeys').map((key) => key.toLowerCase()));
    found.Tags = found.Tags.filter((tag) => !keys.has(tag.Key.toLowerCase()));
    return undefined;
  },
  DeleteLoginProfile: (state, p) => {
    const found = user(state, p);
    if (!found.loginProfile) throw noSuchEntity(`Login Profile for User ${found.UserName} cannot be found.`);
    found.loginProfile = undefined;
    return undefined;
  },
};

const credentialActions: Record<string, Action> = {
  ListAccessKeys: (state, p) => {
    const found = user(state, p);
    return paged('AccessKeyMetadata', found.accessKeys, p, (key) => ({ UserName: found.UserName, AccessKeyId: key.id, Status: key.status, CreateDate: key.createdAt }));
  },
  UpdateAccessKey: (state, p) => void (credential(user(state, p).accessKeys, required(p, 'AccessKeyId'), 'Access Key').status = status(p)),
  DeleteAccessKey: (state, p) => void removeCredential(user(state, p).accessKeys, required(p, 'AccessKeyId'), 'Access Key'),
  ListSigningCertificates: (state, p) => {
    const found = user(state, p);
    return paged('Certificates', found.signingCertificates, p, (cert) => ({
      UserName: found.UserName, CertificateId: cert.id, CertificateBody: '-----BEGIN CERTIFICATE-----', Status: cert.status, UploadDate: cert.createdAt,
    }));
  },
  DeleteSigningCertificate: (state, p) => void removeCredential(user(state, p).signingCertificates, required(p, 'CertificateId'), 'Signing Certificate'),
  ListSSHPublicKeys: (state, p) => {
    const found = user(state, p);
    return paged('SSHPublicKeys', found.sshPublicKeys, p, (key) => ({ UserName: found.UserName, SSHPublicKeyId: key.id, Status: key.status, UploadDate: key.createdAt }));
  },
  DeleteSSHPublicKey: (state, p) => void removeCredential(user(state, p).sshPublicKeys, required(p, 'SSHPublicKeyId'), 'Public Key'),
  ListServiceSpecificCredentials: (state, p) => {
    const found = user(state, p);
    return paged('ServiceSpecificCredentials', found.serviceSpecificCredentials, p, (cred) => ({
      UserName: found.UserName, Status: cred.status, ServiceUserName: `${found.UserName}-at-${FAKE_ACCOUNT_ID}`, CreateDate: cred.createdAt,
      ServiceSpecificCredentialId: cred.id, ServiceName: cred.serviceName,
    }));
  },
  DeleteServiceSpecificCredential: (state, p) =>
    void removeCredential(user(state, p).serviceSpecificCredentials, required(p, 'ServiceSpecificCredentialId'), 'Service Specific Credential'),
  ListMFADevices: (state, p) => {
    const found = user(state, p);
    return paged('MFADevices', found.mfaSerials, p, (serial) => ({ UserName: found.UserName, SerialNumber: serial, EnableDate: found.CreateDate }));
  },
  DeactivateMFADevice: (state, p) => {
    const found = user(state, p);
    const serial = required(p, 'SerialNumber');
    if (!found.mfaSerials.includes(serial)) throw noSuchEntity(`MFA Device with serial number ${serial} does not exist.`);
    found.mfaSerials = found.mfaSerials.filter((candidate) => candidate !== serial);
    const device = state.virtualMfaDevices.get(serial);
    if (device) device.assignedTo = undefined;
    return undefined;
  },
  DeleteVirtualMFADevice: (state, p) => {
    const serial = required(p, 'SerialNumber');
    const device = state.virtualMfaDevices.get(serial);
    if (!device) throw noSuchEntity(`VirtualMFADevice with serial number ${serial} does not exist.`);
    if (device.assignedTo) throw new IamFault('DeleteConflict', 409, 'MFA device is still in use.');
    state.virtualMfaDevices.delete(serial);
    return undefined;
  },
};

const policyActions: Record<string, Action> = {
  ListUserPolicies: (state, p) => paged('PolicyNames', [...user(state, p).inlinePolicies.keys()], p, (name) => name),
  DeleteUserPolicy: (state, p) => {
    const found = user(state, p);
    const name = required(p, 'PolicyName');
    if (!found.inlinePolicies.delete(name)) throw noSuchEntity(`The user policy with name ${name} cannot be found.`);
    return undefined;
  },
  ListAttachedUserPolicies: (state, p) =>
    paged('AttachedPolicies', user(state, p).attachedPolicyArns, p, (arn) => ({ PolicyName: arn.split('/').pop(), PolicyArn: arn })),
  DetachUserPolicy: (state, p) => {
    const found = user(state, p);
    const arn = required(p, 'PolicyArn');
    if (!found.attachedPolicyArns.includes(arn)) throw noSuchEntity(`Policy ${arn} was not found.`);
    found.attachedPolicyArns = found.attachedPolicyArns.filter((candidate) => candidate !== arn);
    return undefined;
  },
};

const groupActions: Record<string, Action> = {
  CreateGroup: (state, p) => ({ Group: groupXml(state.createGroup(required(p, 'GroupName'), p.Path)) }),
  GetGroup: (state, p) => {
    const found = group(state, p);
    const members = [...found.memberIds].map((id) => state.userById(id)).filter((member): member is FakeUser => member !== undefined);
    return { Group: groupXml(found), ...paged('Users', members, p, (member) => userXml(member)) };
  },
  ListGroups: (state, p) => paged('Groups', [...state.groups.values()].filter(underPrefix(p)), p, groupXml),
  UpdateGroup: (state, p) => {
    const found = group(state, p);
    if (p.NewGroupName) state.renameGroup(found, p.NewGroupName);
    if (p.NewPath) found.Path = p.NewPath;
    return undefined;
  },
  DeleteGroup: (state, p) => void state.deleteGroup(group(state, p)),
  ListGroupsForUser: (state, p) => paged('Groups', state.groupsOf(user(state, p)), p, groupXml),
  /** Adding a member twice succeeds silently, as in IAM. */
  AddUserToGroup: (state, p) => void group(state, p).memberIds.add(user(state, p).UserId),
  RemoveUserFromGroup: (state, p) => {
    const found = group(state, p);
    const member = user(state, p);
    if (!found.memberIds.delete(member.UserId)) throw noSuchEntity(`User ${member.UserName} is not in group ${found.GroupName}.`);
    return undefined;
  },
};

export const IAM_ACTIONS: Readonly<Record<string, Action>> = { ...userActions, ...credentialActions, ...policyActions, ...groupActions };
