import { openDatabase, type Db } from '../../src/store/db';
import { filterToSql, FilterError, maxFilterLength, maxNestingDepth } from '../../src/store/filter';

const enterprise = 'urn:ietf:params:scim:schemas:extension:enterprise:2.0:User';

interface SeedUser {
  id: string;
  userName: string;
  lastModified: string;
  externalId?: string;
  displayName?: string;
  active?: boolean;
  deleted?: boolean;
  emails?: { value: string; type?: string; primary?: boolean; display?: string }[];
  extra?: Record<string, unknown>;
}

const users: SeedUser[] = [
  {
    id: 'u01',
    userName: 'Alice',
    externalId: 'ext-A',
    displayName: 'Alice Adams',
    lastModified: '2024-01-10T10:00:00.000Z',
    emails: [
      { value: 'alice@example.com', type: 'work', primary: true, display: 'Alice at work' },
      { value: 'alice@home.net', type: 'home' },
    ],
    extra: {
      title: 'Engineer',
      name: { givenName: 'Alice', familyName: 'Adams' },
      phoneNumbers: [{ value: '+1 555 0101', type: 'work' }],
      [enterprise]: { department: 'Engineering', manager: { value: 'u03' } },
    },
  },
  {
    id: 'u02',
    userName: 'bob',
    displayName: 'Bob Brown',
    active: false,
    lastModified: '2024-02-01T08:00:00.000Z',
    emails: [{ value: 'BOB@example.org', type: 'work' }],
    extra: { title: '', [enterprise]: { department: 'Sales' } },
  },
  {
    id: 'u03',
    userName: 'carol.c',
    lastModified: '2024-03-15T12:30:00.000Z',
    emails: [{ value: 'carol@example.com', type: 'home' }],
    extra: { title: 'Manager', roles: [{ value: 'admin', primary: true }, { value: 'auditor' }], [enterprise]: { department: 'engineering' } },
  },
  {
    id: 'u04',
    userName: 'Dave',
    active: false,
    lastModified: '2023-12-31T23:59:59.999Z',
    extra: { name: { familyName: "O'Brien" }, roles: [{ value: 'admin' }] },
  },
  {
    id: 'u05',
    userName: "eve'; DROP TABLE users; --",
    lastModified: '2024-01-20T00:00:00.000Z',
    emails: [{ value: 'eve@EXAMPLE.COM', type: 'Work' }],
    extra: { title: 'x" OR 1=1 --' },
  },
  { id: 'u06', userName: 'frank_50%', lastModified: '2024-01-01T00:00:00.000Z' },
  { id: 'u07', userName: 'frankA50Bc', lastModified: '2024-01-01T00:00:00.000Z' },
  {
    id: 'u08',
    userName: 'grace',
    externalId: 'EXT-a',
    lastModified: '2024-01-05T00:00:00.000Z',
    extra: { title: 'Engineer', 'urn:ietf:params:scim:schemas:extension:acme:2.0:User': { badge: 'B-1' } },
  },
  { id: 'u09', userName: 'heidi', deleted: true, lastModified: '2024-05-01T00:00:00.000Z', extra: { title: 'Engineer' } },
  {
    id: 'u10',
    userName: 'ivan',
    lastModified: '2024-01-07T00:00:00.000Z',
    extra: { phoneNumbers: [{ value: '+44 20 7946 0000', type: 'mobile' }], favoriteColor: 'Blue', schemas: ['urn:custom'] },
  },
];

const liveUserIds = users.filter((user) => !user.deleted).map((user) => user.id);

const groups = [
  { id: 'g1', displayName: 'Engineers', members: ['u01', 'u03', 'u09'] },
  { id: 'g2', displayName: 'Sales', members: ['u02'] },
  { id: 'g3', displayName: 'Empty', members: [] as string[] },
  { id: 'g4', displayName: 'Retired', members: ['u01', 'u04'], deleted: true },
];

function seed(db: Db): void {
  const insertUser = db.prepare(
    `INSERT INTO users (id, user_name, external_id, display_name, active, resource, created, last_modified, deleted_at)
     VALUES (@id, @userName, @externalId, @displayName, @active, @resource, @created, @lastModified, @deletedAt)`,
  );
  const insertEmail = db.prepare('INSERT INTO user_emails (user_id, value, type, is_primary) VALUES (?, ?, ?, ?)');
  const insertGroup = db.prepare(
    'INSERT INTO groups (id, display_name, external_id, resource, created, last_modified, deleted_at) VALUES (?, ?, ?, ?, ?, ?, ?)',
  );
  const insertMembership = db.prepare('INSERT INTO memberships (group_id, user_id) VALUES (?, ?)');
  for (const user of users) {
    const { extra, deleted, ...core } = user;
    insertUser.run({
      id: user.id,
      userName: user.userName,
      externalId: user.externalId ?? null,
      displayName: user.displayName ?? null,
      active: user.active === false ? 0 : 1,
      resource: JSON.stringify({ ...core, active: user.active !== false, ...extra }),
      created: '2023-01-01T00:00:00.000Z',
      lastModified: user.lastModified,
      deletedAt: deleted ? '2024-06-01T00:00:00.000Z' : null,
    });
    for (const email of user.emails ?? []) insertEmail.run(user.id, email.value, email.type ?? null, email.primary ? 1 : 0);
  }
  for (const group of groups) {
    const resource = { id: group.id, displayName: group.displayName, members: group.members.map((value) => ({ value, type: 'User' })) };
    insertGroup.run(group.id, group.displayName, `ext-${group.id}`, JSON.stringify(resource), '2023-01-01T00:00:00.000Z', '2024-01-01T00:00:00.000Z', group.deleted ? '2024-06-01T00:00:00.000Z' : null);
    for (const member of group.members) insertMembership.run(group.id, member);
  }
}

let db: Db;

beforeAll(() => {
  db = openDatabase(':memory:');
  seed(db);
});

afterAll(() => db.close());

function idsMatching(filter: string, resource: 'user' | 'group' = 'user'): string[] {
  const table = resource === 'user' ? 'users' : 'groups';
  const { sql, params } = filterToSql(filter, resource);
  const rows = db.prepare(`SELECT id FROM ${table} WHERE deleted_at IS NULL AND ${sql} ORDER BY id`).all(...params) as { id: string }[];
  return rows.map((row) => row.id);
}

function allUsersExcept(...ids: string[]): string[] {
  return liveUserIds.filter((id) => !ids.includes(id));
}

function queryPlan(filter: string, resource: 'user' | 'group' = 'user'): string {
  const table = resource === 'user' ? 'users' : 'groups';
  const { sql, params } = filterToSql(filter, resource);
  const rows = db.prepare(`EXPLAIN QUERY PLAN SELECT id FROM ${table} WHERE deleted_at IS NULL AND ${sql}`).all(...params) as { detail: string }[];
  return rows.map((row) => row.detail).join('\n');
}

describe('filterToSql: comparison operators', () => {
  it.each([
    ['userName eq "ALICE"', ['u01']],
    ['USERNAME EQ "alice"', ['u01']],
    ['urn:ietf:params:scim:schemas:core:2.0:User:userName eq "alice"', ['u01']],
    ['userName ne "alice"', allUsersExcept('u01')],
    ['displayName co "BROWN"', ['u02']],
    ['userName sw "frank_"', ['u06']],
    ['userName ew "50%"', ['u06']],
    ['userName co "_50%"', ['u06']],
    ['userName sw "FRANK"', ['u06', 'u07']],
    ['userName gt "frank"', ['u06', 'u07', 'u08', 'u10']],
    ['userName ge "grace"', ['u08', 'u10']],
    ['userName lt "Carol"', ['u01', 'u02']],
    ['userName le "carol.c"', ['u01', 'u02', 'u03']],
    ['title pr', ['u01', 'u03', 'u05', 'u08']],
    ['title eq null', ['u02', 'u04', 'u06', 'u07', 'u10']],
    ['title ne null', ['u01', 'u03', 'u05', 'u08']],
    ['title ne "engineer"', allUsersExcept('u01', 'u08')],
    ['name.familyName eq "o\'brien"', ['u04']],
    ['name pr', ['u01', 'u04']],
    ['id eq "u03"', ['u03']],
    ['externalId eq "ext-A"', ['u01']],
    ['externalId eq "ext-a"', []],
    ['externalId co "A"', ['u01']],
    ['externalId pr', ['u01', 'u08']],
    ['active eq false', ['u02', 'u04']],
    ['active eq true', allUsersExcept('u02', 'u04')],
    ['active ne true', ['u02', 'u04']],
    ['active eq "False"', ['u02', 'u04']],
    ['active pr', liveUserIds],
  ])('%s', (filter, expected) => {
    expect(idsMatching(filter)).toEqual(expected);
  });
});

describe('filterToSql: dates, extensions and unknown attributes', () => {
  it.each([
    ['meta.lastModified gt "2024-01-31T00:00:00Z"', ['u02', 'u03']],
    ['meta.lastModified ge "2024-03-15T13:30:00+01:00"', ['u03']],
    ['meta.lastModified eq "2024-03-15T12:30:00Z"', ['u03']],
    ['meta.lastModified lt "2024-01-01"', ['u04']],
    ['meta.lastModified le "2024-01-01T00:00:00"', ['u04', 'u06', 'u07']],
    ['meta.lastModified lt "2024-01-01T01:00:00+01:00"', ['u04']],
    ['meta.lastModified lt "2024-01-01T01:00:00.5+01:00"', ['u04', 'u06', 'u07']],
    ['meta.lastModified le "2024-01-01t00:00:00.000z"', ['u04', 'u06', 'u07']],
    ['meta.lastModified sw "2024-02"', ['u02']],
    ['meta.created lt "2023-06-01T00:00:00Z"', liveUserIds],
    ['meta.resourceType eq "user"', liveUserIds],
    [`${enterprise}:department eq "ENGINEERING"`, ['u01', 'u03']],
    [`${enterprise.toUpperCase()}:Department eq "sales"`, ['u02']],
    [`${enterprise}:manager.value eq "u03"`, ['u01']],
    [`${enterprise}:manager eq "u03"`, ['u01']],
    [`${enterprise}:manager pr`, ['u01']],
    ['urn:ietf:params:scim:schemas:extension:acme:2.0:User:badge eq "B-1"', ['u08']],
    ['favoriteColor eq "blue"', ['u10']],
    ['favoriteColor pr', ['u10']],
    ['nickName pr', []],
  ])('%s', (filter, expected) => {
    expect(idsMatching(filter)).toEqual(expected);
  });
});

describe('filterToSql: logic and grouping', () => {
  it.each([
    ['not (userName eq "alice" or userName eq "bob")', allUsersExcept('u01', 'u02')],
    ['NOT (title pr)', ['u02', 'u04', 'u06', 'u07', 'u10']],
    ['not (title eq "Engineer")', allUsersExcept('u01', 'u08')],
    ['not (favoriteColor eq "blue")', allUsersExcept('u10')],
    ['not (not (userName eq "bob"))', ['u02']],
    ['userName eq "bob" or userName eq "dave" and active eq true', ['u02']],
    ['(userName eq "bob" or userName eq "dave") and active eq false', ['u02', 'u04']],
    ['title eq "Engineer" and not (userName eq "grace") or userName eq "ivan"', ['u01', 'u10']],
    ['title eq "Engineer" and (not (userName eq "grace") or userName eq "ivan")', ['u01']],
    ['((((userName eq "bob"))))', ['u02']],
    ['userName eq "bob" OR userName eq "carol.c" Or userName eq "dave"', ['u02', 'u03', 'u04']],
  ])('%s', (filter, expected) => {
    expect(idsMatching(filter)).toEqual(expected);
  });
});

describe('filterToSql: multi-valued attributes match when any value matches', () => {
  it.each([
    ['emails[type eq "work" and value ew "@example.com"]', ['u01', 'u05']],
    ['emails[type eq "work"].value eq "bob@EXAMPLE.org"', ['u02']],
    ['emails[type eq "home"].value co "example"', ['u03']],
    ['emails[not (type eq "work")]', ['u01', 'u03']],
    ['emails[type eq "work" or primary eq true]', ['u01', 'u02', 'u05']],
    ['emails.value co "example.com"', ['u01', 'u03', 'u05']],
    ['emails.value ne "alice@example.com"', ['u01', 'u02', 'u03', 'u05']],
    ['not (emails.value eq "alice@example.com")', allUsersExcept('u01')],
    ['emails eq "ALICE@home.net"', ['u01']],
    ['emails.primary eq true', ['u01']],
    ['emails pr', ['u01', 'u02', 'u03', 'u05']],
    ['not (emails pr)', ['u04', 'u06', 'u07', 'u08', 'u10']],
    ['emails[display co "WORK"]', ['u01']],
    ['emails[type eq "work"].display pr', ['u01']],
    ['phoneNumbers[type eq "mobile"]', ['u10']],
    ['phoneNumbers.value sw "+1"', ['u01']],
    ['phoneNumbers pr', ['u01', 'u10']],
    ['roles[value eq "admin" and primary eq true]', ['u03']],
    ['roles.value eq "admin"', ['u03', 'u04']],
    ['roles[value eq "auditor"] and roles[value eq "admin"]', ['u03']],
    ['schemas eq "URN:custom"', ['u10']],
    ['groups.value eq "g1"', ['u01', 'u03']],
    ['groups.value eq "g4"', []],
    ['groups[display eq "retired"]', []],
    ['groups[display eq "engineers"]', ['u01', 'u03']],
    ['groups pr', ['u01', 'u02', 'u03']],
    ['groups[type eq "direct" and value eq "g2"]', ['u02']],
  ])('%s', (filter, expected) => {
    expect(idsMatching(filter)).toEqual(expected);
  });

  it.each([
    ['members.value eq "u01"', ['g1']],
    ['members[value eq "u02"]', ['g2']],
    ['members.value eq "u09"', []],
    ['members eq "u03"', ['g1']],
    ['members pr', ['g1', 'g2']],
    ['not (members pr)', ['g3']],
    ['members[type eq "user"]', ['g1', 'g2']],
    ['members[display pr] or members[value eq "u01" and type eq "User"]', ['g1', 'g2']],
    ['members.display eq "alice adams"', ['g1']],
    ['members[display co "ADAMS"]', ['g1']],
    ['displayName eq "sales"', ['g2']],
    ['urn:ietf:params:scim:schemas:core:2.0:Group:displayName sw "E"', ['g1', 'g3']],
    ['externalId eq "ext-g3"', ['g3']],
  ])('groups: %s', (filter, expected) => {
    expect(idsMatching(filter, 'group')).toEqual(expected);
  });
});

describe('filterToSql: values stay data', () => {
  it('matches a userName shaped like SQL injection as plain text', () => {
    expect(idsMatching(`userName eq "eve'; DROP TABLE users; --"`)).toEqual(['u05']);
    expect(db.prepare('SELECT count(*) AS n FROM users').get()).toEqual({ n: users.length });
  });

  it('keeps quotes and escapes inside strings', () => {
    expect(idsMatching('title eq "x\\" OR 1=1 --"')).toEqual(['u05']);
    expect(idsMatching('title eq "\\u0078\\" OR 1=1 --"')).toEqual(['u05']);
    expect(idsMatching('userName eq "x\\" or \\"1\\"=\\"1"')).toEqual([]);
  });

  it('never puts a value into the SQL text', () => {
    const { sql, params } = filterToSql(`userName eq "a' OR '1'='1" or title co "zz') --"`, 'user');
    expect(sql).not.toContain("'1'");
    expect(sql).not.toContain('zz');
    expect(params).toEqual(["a' or '1'='1", '%zz\') --%']); // userName is compared case-folded
  });
});

describe('filterToSql: rejects bad filters with a FilterError that says where', () => {
  it.each([
    ['userName eq "alice', /unterminated or invalid string starting at position 13/],
    ['userName xx "alice"', /expected an operator .* at position 10, found "xx"/],
    ['userName eq "alice" and', /expected an attribute, "\(" or "not" at position 24, found the end of the filter/],
    ['and userName eq "a"', /expected an operator/],
    ['userName eq', /expected a value .* after "eq" at position 12/],
    ['userName eq alice', /expected a value/],
    ['userName eq "a" "b"', /expected "and", "or" or the end of the filter at position 17/],
    ['(userName eq "a"', /expected "\)" to close the "\(" at position 1/],
    ['userName eq "a")', /at position 16/],
    ['not userName eq "a"', /expected "\(" after "not"/],
    ['emails[type eq "work"', /expected "\]" to close the "\[" at position 7/],
    ['emails[type eq "work"].', /expected a sub-attribute name/],
    ['emails[members[value eq "x"]]', /cannot be nested/],
    ['emails[foo eq "x"]', /emails has no sub-attribute "foo"/],
    ['emails[emails.value eq "x"]', /inside "\[...\]" name a sub-attribute/],
    ['userName[value eq "x"]', /not multi-valued/],
    ['userName.first eq "x"', /userName has no sub-attributes/],
    ['name eq "x"', /name is complex/],
    ['name.nickname eq "x"', /name has no sub-attribute "nickname"/],
    ['password eq "secret"', /cannot be used in a filter/],
    ['active gt true', /only eq, ne and pr/],
    ['active eq 1', /compare it with true or false/],
    ['userName eq true', /compare it with a quoted string/],
    ['title gt null', /not a valid comparison/],
    ['meta.lastModified gt "yesterday"', /not an ISO 8601 date-time/],
    ['meta.lastModified gt 2024', /quoted ISO 8601 string/],
    ['meta.lastModified gt "2024-02-30"', /not an ISO 8601 date-time/],
    ['meta.lastModified gt "2024-01-01T24:00:00Z"', /not an ISO 8601 date-time/],
    ['meta.lastModified gt "2024-01-01T10:00:00+0100"', /not an ISO 8601 date-time/],
    ['urn:ietf:params:scim:schemas:core:2.0:Group:displayName eq "x"', /not a schema of User resources/],
    [`${enterprise} pr`, /names a schema/],
    ['user#name eq "x"', /unexpected character "#" at position 5/],
    ['1userName eq "x"', /unexpected character "1" at position 1/],
    ['', /filter is empty/],
    ['   ', /filter is empty/],
  ])('%s', (filter, message) => {
    expect(() => filterToSql(filter, 'user')).toThrow(FilterError);
    expect(() => filterToSql(filter, 'user')).toThrow(message);
  });

  it('rejects a repeated query parameter that arrives as an array', () => {
    expect(() => filterToSql(['userName eq "a"', 'userName eq "b"'] as unknown as string, 'user')).toThrow('filter must be a single string');
  });

  it('rejects the User enterprise extension on groups', () => {
    expect(() => filterToSql(`${enterprise}:department eq "x"`, 'group')).toThrow(/not a schema of Group resources/);
  });

  it(`rejects nesting deeper than ${maxNestingDepth}`, () => {
    const nested = (depth: number) => `${'('.repeat(depth)}userName eq "bob"${')'.repeat(depth)}`;
    expect(idsMatching(nested(maxNestingDepth))).toEqual(['u02']);
    expect(() => filterToSql(nested(maxNestingDepth + 1), 'user')).toThrow(/nested more than 16 levels deep at position 17/);
    expect(() => filterToSql(`${'not ('.repeat(200)}title pr${')'.repeat(200)}`, 'user')).toThrow(FilterError);
  });

  it(`rejects filters longer than ${maxFilterLength} characters but runs long ones within the limit`, () => {
    const terms = Array.from({ length: 180 }, (_, index) => `userName eq "n${index}"`);
    const longFilter = [...terms, 'userName eq "ivan"'].join(' or ');
    expect(longFilter.length).toBeLessThanOrEqual(maxFilterLength);
    expect(idsMatching(longFilter)).toEqual(['u10']);
    expect(() => filterToSql(`userName eq "${'a'.repeat(maxFilterLength)}"`, 'user')).toThrow(/limit is 65536/);
  });

  it.each(['or', 'and'])('runs a chain of as many "%s" terms as fit in the limit (SQLite\'s expression depth is 1000)', (keyword) => {
    const term = keyword === 'or' ? 'id eq "x"' : 'id ne "x"';
    const count = Math.floor(maxFilterLength / `${term} ${keyword} `.length);
    const chain = [...Array.from({ length: count - 1 }, () => term), 'id eq "u10"'].join(` ${keyword} `);
    expect(chain.length).toBeLessThanOrEqual(maxFilterLength);
    expect(filterToSql(chain, 'user').params).toHaveLength(count);
    expect(idsMatching(chain)).toEqual(['u10']);
  });

  it('keeps a long "or" of ids an index lookup per id, not a scan', () => {
    const terms = Array.from({ length: 1000 }, (_, index) => `id eq "x${index}"`).join(' or ');
    expect(queryPlan(terms)).toMatch(/MULTI-INDEX OR/);
    expect(queryPlan(terms)).not.toMatch(/SCAN users/);
  });

  it('runs the densest filter the limit allows (one bound value per term, far below SQLite\'s 32766)', () => {
    const dense = Array.from({ length: Math.floor((maxFilterLength + 4) / 11) }, (_, index) => `id eq ${index % 10}`).join(' or ');
    expect(dense.length).toBeLessThanOrEqual(maxFilterLength);
    expect(idsMatching(dense)).toEqual([]);
  });
});

describe('filterToSql: query plans use the indexes', () => {
  it('looks up userName eq through the case-insensitive unique index', () => {
    expect(queryPlan('userName eq "ALICE"')).toMatch(/SEARCH users USING INDEX users_user_name_fold \(user_name_fold=\?\)/);
  });

  it('uses the userName index for sw, the email value index for email lookups and the externalId index', () => {
    expect(queryPlan('userName sw "fra"')).toMatch(/USING INDEX users_user_name_fold \(user_name_fold>\? AND user_name_fold<\?\)/);
    expect(queryPlan('emails.value eq "x@example.com"')).toMatch(/SEARCH em USING INDEX user_emails_value \(value=\?\)/);
    expect(queryPlan('emails[type eq "work"].value eq "x@example.com"')).toMatch(/SEARCH users USING INDEX sqlite_autoindex_users_1 \(id=\?\)/);
    expect(queryPlan('externalId eq "ext-A"')).toMatch(/SEARCH users USING INDEX users_external_id/);
    expect(queryPlan('displayName eq "Alice Adams"')).toMatch(/SEARCH users USING INDEX users_display_name/);
  });

  it('finds the groups of a member through the memberships index', () => {
    expect(queryPlan('members.value eq "u01"', 'group')).toMatch(/SEARCH m USING INDEX memberships_user \(user_id=\?\)/);
    expect(queryPlan('members.value eq "u01"', 'group')).not.toMatch(/SCAN/);
  });

  it('checks a non-selective value filter per candidate instead of listing every email', () => {
    const plan = queryPlan('userName eq "alice" and emails[type eq "work"]');
    expect(plan).toMatch(/SEARCH users USING INDEX users_user_name_fold \(user_name_fold=\?\)/);
    expect(plan).toMatch(/SEARCH em EXISTS USING INDEX user_emails_user \(user_id=\?\)/);
    expect(plan).not.toMatch(/LIST SUBQUERY|SCAN/);
  });
});
