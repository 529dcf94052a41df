/**
 * The attributes the compiler knows (RFC 7643 §4 core User/Group and the enterprise extension): their type,
 * case sensitivity and where they live in SQLite. Anything not listed is read from the stored JSON.
 */
export type AttributeType = 'string' | 'boolean' | 'dateTime' | 'reference' | 'binary' | 'complex';

export interface AttributeDefinition {
  name: string;
  type: AttributeType;
  caseExact?: boolean;
  multiValued?: boolean;
  /** Indexed column of the resource table holding this value. */
  column?: string;
  /** Indexed column holding the value case-folded (src/store/case-fold.ts): compared instead of `column` with NOCASE, which folds only ASCII. */
  foldedColumn?: string;
  /** SQL constant for values the store never varies (meta.resourceType). */
  constant?: string;
  notNull?: boolean;
  subAttributes?: AttributeDefinition[];
  /** Write-only attributes (password) must never be probed through filters. */
  filterable?: false;
  /** A table holding the values of a multi-valued attribute (faster than json_each, and indexed). */
  relation?: Relation;
}

/**
 * A table with one row per value: `key` is the column pointing at the owning resource's id, `from` the
 * tables to read and `where` what every row must satisfy (e.g. the other side is not a tombstone).
 * `indexed` columns are worth driving the lookup from (see compile-filter.ts).
 */
export interface Relation {
  key: string;
  from: string;
  where?: string;
  columns: Record<string, { sql: string; notNull: boolean; indexed?: boolean }>;
}

export interface ResourceCatalogue {
  table: 'users' | 'groups';
  resourceType: string;
  coreSchema: string;
  attributes: AttributeDefinition[];
  extensions: Record<string, AttributeDefinition[]>;
}

export const coreUserSchema = 'urn:ietf:params:scim:schemas:core:2.0:User';
export const coreGroupSchema = 'urn:ietf:params:scim:schemas:core:2.0:Group';
export const enterpriseUserSchema = 'urn:ietf:params:scim:schemas:extension:enterprise:2.0:User';

const text = (name: string, extra: Partial<AttributeDefinition> = {}): AttributeDefinition => ({ name, type: 'string', ...extra });
const exact = (name: string, extra: Partial<AttributeDefinition> = {}): AttributeDefinition => text(name, { caseExact: true, ...extra });
const flag = (name: string, extra: Partial<AttributeDefinition> = {}): AttributeDefinition => ({ name, type: 'boolean', ...extra });
const complex = (name: string, subAttributes: AttributeDefinition[], extra: Partial<AttributeDefinition> = {}): AttributeDefinition => ({
  name,
  type: 'complex',
  subAttributes,
  ...extra,
});
const multi = (name: string, subAttributes: AttributeDefinition[], relation?: Relation): AttributeDefinition =>
  complex(name, subAttributes, { multiValued: true, relation });
const typedValues = (value: AttributeDefinition = text('value')): AttributeDefinition[] => [value, text('display'), text('type'), flag('primary')];

const meta = (resourceType: string): AttributeDefinition =>
  complex('meta', [
    text('resourceType', { constant: `'${resourceType}'`, notNull: true }),
    { name: 'created', type: 'dateTime', column: 'created', notNull: true },
    { name: 'lastModified', type: 'dateTime', column: 'last_modified', notNull: true },
    { name: 'location', type: 'reference', caseExact: true },
    exact('version'),
  ]);

const common = (resourceType: string): AttributeDefinition[] => [
  exact('id', { column: 'id', notNull: true }),
  exact('externalId', { column: 'external_id' }),
  { name: 'schemas', type: 'reference', multiValued: true },
  meta(resourceType),
];

const userEmails: Relation = {
  key: 'em.user_id',
  from: 'user_emails em',
  columns: {
    value: { sql: 'em.value', notNull: true, indexed: true },
    type: { sql: 'em.type', notNull: false },
    primary: { sql: 'em.is_primary', notNull: true },
  },
};

const userGroups: Relation = {
  key: 'm.user_id',
  from: 'memberships m JOIN groups g ON g.id = m.group_id',
  where: 'g.deleted_at IS NULL',
  columns: {
    value: { sql: 'm.group_id', notNull: true, indexed: true },
    display: { sql: 'g.display_name', notNull: true },
    type: { sql: "'direct'", notNull: true },
  },
};

const groupMembers: Relation = {
  key: 'm.group_id',
  from: 'memberships m JOIN users u ON u.id = m.user_id',
  where: 'u.deleted_at IS NULL',
  columns: {
    value: { sql: 'm.user_id', notNull: true, indexed: true },
    // What a member's display is in the group's representation (src/store/groups.ts members()).
    display: { sql: 'COALESCE(u.display_name, u.user_name)', notNull: true },
    type: { sql: "'User'", notNull: true },
  },
};

export const userCatalogue: ResourceCatalogue = {
  table: 'users',
  resourceType: 'User',
  coreSchema: coreUserSchema,
  attributes: [
    ...common('User'),
    text('userName', { column: 'user_name', foldedColumn: 'user_name_fold', notNull: true }),
    complex('name', ['formatted', 'familyName', 'givenName', 'middleName', 'honorificPrefix', 'honorificSuffix'].map((n) => text(n))),
    text('displayName', { column: 'display_name' }),
    text('nickName'),
    { name: 'profileUrl', type: 'reference' },
    text('title'),
    text('userType'),
    text('preferredLanguage'),
    text('locale'),
    text('timezone'),
    flag('active', { column: 'active', notNull: true }),
    text('password', { filterable: false }),
    multi('emails', typedValues(), userEmails),
    multi('phoneNumbers', typedValues()),
    multi('ims', typedValues()),
    multi('photos', typedValues({ name: 'value', type: 'reference' })),
    multi('addresses', [
      ...['formatted', 'streetAddress', 'locality', 'region', 'postalCode', 'country', 'type'].map((n) => text(n)),
      flag('primary'),
    ]),
    multi('groups', [exact('value'), { name: '$ref', type: 'reference' }, text('display'), text('type')], userGroups),
    multi('entitlements', typedValues()),
    multi('roles', typedValues()),
    multi('x509Certificates', typedValues({ name: 'value', type: 'binary', caseExact: true })),
  ],
  extensions: {
    [enterpriseUserSchema]: [
      text('employeeNumber'),
      text('costCenter'),
      text('organization'),
      text('division'),
      text('department'),
      complex('manager', [text('value'), { name: '$ref', type: 'reference' }, text('displayName')]),
    ],
  },
};

export const groupCatalogue: ResourceCatalogue = {
  table: 'groups',
  resourceType: 'Group',
  coreSchema: coreGroupSchema,
  attributes: [
    ...common('Group'),
    text('displayName', { column: 'display_name', notNull: true }),
    multi('members', [exact('value'), { name: '$ref', type: 'reference' }, text('display'), text('type')], groupMembers),
  ],
  extensions: {},
};

export function catalogueFor(resource: 'user' | 'group'): ResourceCatalogue {
  return resource === 'user' ? userCatalogue : groupCatalogue;
}

export function findAttribute(definitions: readonly AttributeDefinition[], name: string): AttributeDefinition | undefined {
  const wanted = name.toLowerCase();
  return definitions.find((definition) => definition.name.toLowerCase() === wanted);
}
