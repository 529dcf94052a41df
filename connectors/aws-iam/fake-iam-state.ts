import { randomBytes } from 'node:crypto';
import { decodePageToken, encodePageToken, InvalidPageTokenError } from '../kit/paging';
import { IamFault, noSuchEntity, validationError, type FormParams } from './fake-query-codec';

/**
 * The fake IAM account's data: users with everything IAM hangs off them (login profile, keys, certificates,
 * SSH keys, service credentials, MFA devices, policies), groups and virtual MFA devices. Names are unique
 * case-insensitively, as in IAM. Tests seed out-of-band resources with the add* methods.
 */

export const FAKE_ACCOUNT_ID = '123456789012';
const NAME_PATTERN = /^[\w+=,.@-]{1,64}$/;
const PATH_PATTERN = /^(\/|\/[\x21-\x7E]+\/)$/;
const MAX_TAGS = 50;

export type Status = 'Active' | 'Inactive';

export interface FakeCredential {
  id: string;
  status: Status;
  createdAt: Date;
}

export interface FakeUser {
  UserName: string;
  UserId: string;
  Path: string;
  CreateDate: Date;
  Tags: { Key: string; Value: string }[];
  PermissionsBoundary?: string;
  loginProfile?: { CreateDate: Date };
  accessKeys: FakeCredential[];
  signingCertificates: FakeCredential[];
  sshPublicKeys: FakeCredential[];
  serviceSpecificCredentials: (FakeCredential & { serviceName: string })[];
  mfaSerials: string[];
  inlinePolicies: Map<string, string>;
  attachedPolicyArns: string[];
}

export interface FakeGroup {
  GroupName: string;
  GroupId: string;
  Path: string;
  CreateDate: Date;
  memberIds: Set<string>;
  attachedPolicyArns: string[];
}

export function fakeId(prefix: string, length = 17): string {
  const alphabet = 'ABCDEFGHIJKLMNOPQRSTUVWXYZ234567';
  return prefix + Array.from(randomBytes(length), (byte) => alphabet[byte % alphabet.length]).join('');
}

export function userArn(user: Pick<FakeUser, 'Path' | 'UserName'>): string {
  return `arn:aws:iam::${FAKE_ACCOUNT_ID}:user${user.Path}${user.UserName}`;
}

export function groupArn(group: Pick<FakeGroup, 'Path' | 'GroupName'>): string {
  return `arn:aws:iam::${FAKE_ACCOUNT_ID}:group${group.Path}${group.GroupName}`;
}

export class FakeIamState {
  readonly users = new Map<string, FakeUser>();
  readonly groups = new Map<string, FakeGroup>();
  /** Virtual MFA devices by serial (ARN), with the UserId they are assigned to. */
  readonly virtualMfaDevices = new Map<string, { assignedTo?: string }>();

  clear(): void {
    this.users.clear();
    this.groups.clear();
    this.virtualMfaDevices.clear();
  }

  // ---- lookups as IAM answers them ---------------------------------------------------------------

  user(name: string): FakeUser {
    const user = this.users.get(name.toLowerCase());
    if (!user) throw noSuchEntity(`The user with name ${name} cannot be found.`);
    return user;
  }

  group(name: string): FakeGroup {
    const group = this.groups.get(name.toLowerCase());
    if (!group) throw noSuchEntity(`The group with name ${name} cannot be found.`);
    return group;
  }

  userById(userId: string): FakeUser | undefined {
    return [...this.users.values()].find((user) => user.UserId === userId);
  }

  groupsOf(user: FakeUser): FakeGroup[] {
    return [...this.groups.values()].filter((group) => group.memberIds.has(user.UserId));
  }

  // ---- writes with IAM's rules -------------------------------------------------------------------

  createUser(UserName: string, Path = '/', Tags: FakeUser['Tags'] = [], PermissionsBoundary?: string): FakeUser {
    checkName(UserName, 'userName');
    checkPath(Path);
    checkTags(Tags);
    if (this.users.has(UserName.toLowerCase())) throw new IamFault('EntityAlreadyExists', 409, `User with name ${UserName} already exists.`);
    const user: FakeUser = {
      UserName, UserId: fakeId('AIDA'), Path, CreateDate: new Date(), Tags: dedupeTags(Tags), PermissionsBoundary,
      accessKeys: [], signingCertificates: [], sshPublicKeys: [], serviceSpecificCredentials: [], mfaSerials: [],
      inlinePolicies: new Map(), attachedPolicyArns: [],
    };
    this.users.set(UserName.toLowerCase(), user);
    return user;
  }

  renameUser(user: FakeUser, newName: string): void {
    rekey(this.users, user.UserName, newName, 'User');
    user.UserName = newName;
  }

  tagUser(user: FakeUser, tags: FakeUser['Tags']): void {
    const merged = dedupeTags([...user.Tags, ...tags]);
    checkTags(merged);
    user.Tags = merged;
  }

  /** IAM refuses DeleteUser while anything hangs off the user, naming the first thing left. */
  deleteUser(user: FakeUser): void {
    const blocker = this.blockerOf(user);
    if (blocker) throw new IamFault('DeleteConflict', 409, `Cannot delete entity, must ${blocker} first.`);
    this.users.delete(user.UserName.toLowerCase());
  }

  createGroup(GroupName: string, Path = '/'): FakeGroup {
    checkName(GroupName, 'groupName');
    checkPath(Path);
    if (this.groups.has(GroupName.toLowerCase())) throw new IamFault('EntityAlreadyExists', 409, `Group with name ${GroupName} already exists.`);
    const group: FakeGroup = { GroupName, GroupId: fakeId('AGPA'), Path, CreateDate: new Date(), memberIds: new Set(), attachedPolicyArns: [] };
    this.groups.set(GroupName.toLowerCase(), group);
    return group;
  }

  renameGroup(group: FakeGroup, newName: string): void {
    rekey(this.groups, group.GroupName, newName, 'Group');
    group.GroupName = newName;
  }

  deleteGroup(group: FakeGroup): void {
    if (group.memberIds.size > 0) throw new IamFault('DeleteConflict', 409, 'Cannot delete entity, must remove users from group first.');
    if (group.attachedPolicyArns.length > 0) throw new IamFault('DeleteConflict', 409, 'Cannot delete entity, must detach all policies first.');
    this.groups.delete(group.GroupName.toLowerCase());
  }

  // ---- out-of-band seeding for tests -------------------------------------------------------------

  addAccessKey(userName: string, status: Status = 'Active'): string {
    const key = { id: fakeId('AKIA', 16), status, createdAt: new Date() };
    this.user(userName).accessKeys.push(key);
    return key.id;
  }

  addLoginProfile(userName: string): void {
    this.user(userName).loginProfile = { CreateDate: new Date() };
  }

  addSigningCertificate(userName: string): void {
    this.user(userName).signingCertificates.push({ id: fakeId('', 32), status: 'Active', createdAt: new Date() });
  }

  addSshPublicKey(userName: string): void {
    this.user(userName).sshPublicKeys.push({ id: fakeId('APKA', 16), status: 'Active', createdAt: new Date() });
  }

  addServiceSpecificCredential(userName: string, serviceName = 'codecommit.amazonaws.com'): void {
    this.user(userName).serviceSpecificCredentials.push({ id: fakeId('ACCA'), status: 'Active', createdAt: new Date(), serviceName });
  }

  /** A virtual device (serial is an ARN) or, with `hardware`, a hardware token serial. */
  addMfaDevice(userName: string, kind: 'virtual' | 'hardware' = 'virtual'): string {
    const user = this.user(userName);
    const serial = kind === 'virtual' ? `arn:aws:iam::${FAKE_ACCOUNT_ID}:mfa/${user.UserName}-${fakeId('', 6)}` : fakeId('GAHT', 8);
    if (kind === 'virtual') this.virtualMfaDevices.set(serial, { assignedTo: user.UserId });
    user.mfaSerials.push(serial);
    return serial;
  }

  putUserPolicy(userName: string, policyName: string, document = '{"Version":"2012-10-17","Statement":[]}'): void {
    this.user(userName).inlinePolicies.set(policyName, document);
  }

  attachUserPolicy(userName: string, policyArn: string): void {
    const user = this.user(userName);
    if (!user.attachedPolicyArns.includes(policyArn)) user.attachedPolicyArns.push(policyArn);
  }

  private blockerOf(user: FakeUser): string | undefined {
    if (user.loginProfile) return 'delete login profile';
    if (user.accessKeys.length) return 'delete access keys';
    if (user.signingCertificates.length) return 'delete signing certificates';
    if (user.sshPublicKeys.length) return 'delete SSH public keys';
    if (user.serviceSpecificCredentials.length) return 'delete service-specific credentials';
    if (user.mfaSerials.length) return 'delete MFA devices';
    if (user.inlinePolicies.size) return 'delete policies';
    if (user.attachedPolicyArns.length) return 'detach all policies';
    if (this.groupsOf(user).length) return 'remove user from all groups';
    return undefined;
  }
}

/** IAM's MaxItems/Marker paging: at most MaxItems (default 100, 1-1000), IsTruncated and an opaque Marker. */
export function pageOf<T>(items: readonly T[], params: FormParams): { items: T[]; IsTruncated: boolean; Marker?: string } {
  const maxItems = params.MaxItems === undefined ? 100 : Number(params.MaxItems);
  if (!Number.isInteger(maxItems) || maxItems < 1 || maxItems > 1000) {
    throw validationError(`1 validation error detected: Value '${params.MaxItems}' at 'maxItems' failed to satisfy constraint: Member must have value between 1 and 1000`);
  }
  const offset = markerOffset(params.Marker);
  const end = offset + maxItems;
  const truncated = end < items.length;
  return { items: items.slice(offset, end), IsTruncated: truncated, Marker: truncated ? encodePageToken(end) : undefined };
}

function markerOffset(marker: string | undefined): number {
  if (marker === undefined) return 0;
  try {
    return decodePageToken(marker);
  } catch (error) {
    if (error instanceof InvalidPageTokenError) throw validationError('Invalid Marker.');
    throw error;
  }
}

/** Moves an entity to its new (case-insensitive) name, refusing a name another entity holds. */
function rekey<T>(entities: Map<string, T>, oldName: string, newName: string, kind: 'User' | 'Group'): void {
  checkName(newName, `new${kind}Name`);
  const [from, to] = [oldName.toLowerCase(), newName.toLowerCase()];
  if (to !== from && entities.has(to)) throw new IamFault('EntityAlreadyExists', 409, `${kind} with name ${newName} already exists.`);
  const entity = entities.get(from) as T;
  entities.delete(from);
  entities.set(to, entity);
}

function checkName(name: string, field: string): void {
  if (!NAME_PATTERN.test(name)) {
    throw validationError(`1 validation error detected: Value '${name}' at '${field}' failed to satisfy constraint: Member must satisfy regular expression pattern: [\\w+=,.@-]+`);
  }
}

function checkPath(path: string): void {
  if (!PATH_PATTERN.test(path) || path.length > 512) throw validationError(`The specified value for path is invalid. It must begin and end with / and contain only alphanumeric characters and/or / characters.`);
}

function checkTags(tags: FakeUser['Tags']): void {
  if (tags.length > MAX_TAGS) throw new IamFault('LimitExceeded', 409, `Cannot exceed quota for TagsPerUser: ${MAX_TAGS}.`);
  for (const { Key, Value } of tags) {
    if (!/^[\p{L}\p{Z}\p{N}_.:/=+\-@]{1,128}$/u.test(Key) || !/^[\p{L}\p{Z}\p{N}_.:/=+\-@]{0,256}$/u.test(Value)) {
      throw validationError(`1 validation error detected: tag ${Key} failed to satisfy constraint: Member must satisfy regular expression pattern: [\\p{L}\\p{Z}\\p{N}_.:/=+\\-@]*`);
    }
  }
}

/** Later tags win; keys compare case-insensitively, as IAM's do. */
function dedupeTags(tags: FakeUser['Tags']): FakeUser['Tags'] {
  const byKey = new Map<string, { Key: string; Value: string }>();
  for (const tag of tags) byKey.set(tag.Key.toLowerCase(), tag);
  return [...byKey.values()];
}
