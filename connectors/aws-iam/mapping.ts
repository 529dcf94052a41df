import type { Tag } from '@aws-sdk/client-iam';
import type { Attributes, JsonValue, MappingDefaults } from '../sdk/contract';
import { PermanentError } from '../sdk/errors';
import { decodeTagValue, encodeTagValue } from './tag-values';

/** The bridge's identity-lifecycle extension (service accounts carry their owner there). */
const IDENTITY = 'urn:ietf:params:scim:schemas:extension:scim-bridge:2.0:Identity';

/** SCIM → IAM defaults: the IAM user name is the SCIM userName; each mapped attribute becomes a `scim-bridge:` tag. */
export const awsIamMapping: MappingDefaults = {
  user: {
    key: 'userName',
    attributes: {
      email: 'emails[type eq "work"].value',
      displayName: 'displayName',
      identityType: `${IDENTITY}:identityType`,
      owner: `${IDENTITY}:owner`,
    },
  },
};

export const TAG_PREFIX = 'scim-bridge:';
/** The SCIM id of the subject, on every managed user. */
export const SCIM_ID_TAG = `${TAG_PREFIX}id`;
/** Present while the bridge has the user suspended; its value lists the access keys it deactivated. */
export const SUSPENDED_TAG = `${TAG_PREFIX}suspended`;
const RESERVED_ATTRIBUTES = new Set(['id', 'suspended']);

const NAME_RULE = 'IAM user and group names are 1-64 characters of letters, digits and + = , . @ _ -';
const NAME_PATTERN = /^[\w+=,.@-]{1,64}$/;
const TAG_KEY_RULE = 'IAM tag keys are at most 128 characters of letters, digits, spaces and _ . : / = + - @';
const TAG_KEY_PATTERN = /^[\p{L}\p{Z}\p{N}_.:/=+\-@]{1,128}$/u;
const MAX_TAGS = 50;

/** The mapped name as IAM will accept it, or PermanentError naming IAM's rule (retrying cannot fix a mapping). */
export function validIamName(name: string, what: 'user' | 'group'): string {
  if (NAME_PATTERN.test(name)) return name;
  throw new PermanentError(`mapped ${what} name ${JSON.stringify(name.slice(0, 80))} is not a valid IAM name: ${NAME_RULE}`);
}

export function tagKeyFor(attribute: string): string {
  if (RESERVED_ATTRIBUTES.has(attribute)) {
    throw new PermanentError(`attribute name '${attribute}' is reserved by the aws-iam connector (tag ${TAG_PREFIX}${attribute})`);
  }
  const key = `${TAG_PREFIX}${attribute}`;
  if (!TAG_KEY_PATTERN.test(key)) throw new PermanentError(`attribute name '${attribute}' cannot be a tag key: ${TAG_KEY_RULE}`);
  return key;
}

/** Null, undefined and '' mean "no tag"; scalars become strings, escaped where IAM refuses a character; anything else cannot be a tag. */
function tagValueOf(attribute: string, value: JsonValue | undefined): string | undefined {
  if (value === null || value === undefined || value === '') return undefined;
  if (typeof value === 'object') throw new PermanentError(`attribute '${attribute}' maps to a list or object; an IAM tag holds one value`);
  return encodeTagValue(String(value));
}

export interface TagChanges {
  set: Tag[];
  remove: string[];
}

/** Splits attribute changes into tags to set and tag keys to remove. */
export function tagChangesFor(attributes: Attributes): TagChanges {
  const changes: TagChanges = { set: [], remove: [] };
  for (const [attribute, value] of Object.entries(attributes)) {
    const key = tagKeyFor(attribute);
    const tagValue = tagValueOf(attribute, value);
    if (tagValue === undefined) changes.remove.push(key);
    else changes.set.push({ Key: key, Value: tagValue });
  }
  return changes;
}

/** Every tag a new user is created with: the SCIM id, the mapped attributes and, when inactive, the suspension mark. */
export function creationTags(scimId: string, attributes: Attributes, active: boolean): Tag[] {
  const tags = [{ Key: SCIM_ID_TAG, Value: scimId }, ...tagChangesFor(attributes).set];
  if (!active) tags.push({ Key: SUSPENDED_TAG, Value: '' });
  if (tags.length > MAX_TAGS) throw new PermanentError(`the mapping produces ${tags.length} tags; IAM allows ${MAX_TAGS} per user`);
  return tags;
}

/** The mapped attributes stored in a user's tags (reserved and foreign tags left out). */
export function attributesFromTags(tags: readonly Tag[]): Attributes {
  const attributes: Attributes = {};
  for (const { Key, Value } of tags) {
    if (!Key?.startsWith(TAG_PREFIX)) continue;
    const attribute = Key.slice(TAG_PREFIX.length);
    if (!RESERVED_ATTRIBUTES.has(attribute)) attributes[attribute] = decodeTagValue(Value ?? '');
  }
  return attributes;
}

export function tagValue(tags: readonly Tag[], key: string): string | undefined {
  return tags.find((tag) => tag.Key === key)?.Value;
}

/** Access key ids recorded in the suspension tag (space-separated: IAM tag values cannot hold commas). */
export function suspendedKeyIds(value: string | undefined): string[] {
  return value ? value.split(' ').filter(Boolean) : [];
}
