import { openDatabase, type Db } from '../../src/store/db';
import { FilterError, filterToSql, sortToSql } from '../../src/store/filter';

const enterprise = 'urn:ietf:params:scim:schemas:extension:enterprise:2.0:User';

// ids deliberately out of userName order, ties on active, and some titles/emails missing.
const users = [
  { id: 's1', userName: 'bob', active: true, lastModified: '2024-03-01T00:00:00.000Z', title: 'b', department: 'Ops',
    emails: [{ value: 'z@x.test' }, { value: 'a@x.test', primary: true }] },
  { id: 's2', userName: 'Alice', active: false, lastModified: '2024-01-01T00:00:00.000Z', emails: [{ value: 'm@x.test' }] },
  { id: 's3', userName: 'carol', active: true, lastModified: '2024-05-01T00:00:00.000Z', title: 'A', department: 'eng' },
  { id: 's4', userName: 'dave', active: false, lastModified: '2024-02-01T00:00:00.000Z', emails: [{ value: 'B@x.test' }, { value: 'a0@x.test' }] },
  { id: 's5', userName: 'Eve', active: true, lastModified: '2024-04-01T00:00:00.000Z', title: 'c', department: 'Eng' },
];

let db: Db;

beforeAll(() => {
  db = openDatabase(':memory:');
  const insert = db.prepare(
    `INSERT INTO users (id, user_name, active, resource, created, last_modified) VALUES (?, ?, ?, ?, '2023-01-01T00:00:00.000Z', ?)`,
  );
  for (const { department, ...user } of users) {
    const resource = { ...user, ...(department ? { [enterprise]: { department } } : {}) };
    insert.run(user.id, user.userName, user.active ? 1 : 0, JSON.stringify(resource), user.lastModified);
  }
  for (const [id, name] of [['g2', 'beta'], ['g1', 'Alpha'], ['g3', 'gamma']]) {
    db.prepare(`INSERT INTO groups (id, display_name, resource, created, last_modified) VALUES (?, ?, '{}', '', '')`).run(id, name);
  }
});

afterAll(() => db.close());

function sortedIds(sortBy: string | undefined, sortOrder?: string, resource: 'user' | 'group' = 'user', page?: { limit: number; offset: number }): string[] {
  const table = resource === 'user' ? 'users' : 'groups';
  const paging = page ? ` LIMIT ${page.limit} OFFSET ${page.offset}` : '';
  const sql = `SELECT id FROM ${table} WHERE deleted_at IS NULL ORDER BY ${sortToSql(sortBy, sortOrder, resource)}${paging}`;
  return (db.prepare(sql).all() as { id: string }[]).map((row) => row.id);
}

describe('sortToSql', () => {
  it.each([
    ['userName', undefined, ['s2', 's1', 's3', 's4', 's5']],
    ['userName', 'ascending', ['s2', 's1', 's3', 's4', 's5']],
    ['USERNAME', 'DESCENDING', ['s5', 's4', 's3', 's1', 's2']],
    ['urn:ietf:params:scim:schemas:core:2.0:User:userName', 'descending', ['s5', 's4', 's3', 's1', 's2']],
    ['title', 'ascending', ['s3', 's1', 's5', 's2', 's4']],
    ['title', 'descending', ['s5', 's1', 's3', 's4', 's2']],
    ['active', 'ascending', ['s2', 's4', 's1', 's3', 's5']],
    ['meta.lastModified', 'descending', ['s3', 's5', 's1', 's4', 's2']],
    ['emails', 'ascending', ['s1', 's4', 's2', 's3', 's5']],
    ['emails.value', 'descending', ['s2', 's4', 's1', 's5', 's3']],
    [`${enterprise}:department`, 'ascending', ['s3', 's5', 's1', 's2', 's4']],
    ['nickName', 'ascending', ['s1', 's2', 's3', 's4', 's5']],
    ['id', 'descending', ['s5', 's4', 's3', 's2', 's1']],
    [undefined, undefined, ['s1', 's2', 's3', 's4', 's5']],
    ['', 'descending', ['s1', 's2', 's3', 's4', 's5']],
  ])('sortBy=%s sortOrder=%s', (sortBy, sortOrder, expected) => {
    expect(sortedIds(sortBy, sortOrder)).toEqual(expected);
  });

  it('sorts groups by displayName case-insensitively', () => {
    expect(sortedIds('displayName', undefined, 'group')).toEqual(['g1', 'g2', 'g3']);
  });

  it('pages through ties without repeating or skipping a row', () => {
    for (const order of ['ascending', 'descending']) {
      const pages = [0, 2, 4].flatMap((offset) => sortedIds('active', order, 'user', { limit: 2, offset }));
      expect(pages).toEqual(sortedIds('active', order));
      expect(new Set(pages).size).toBe(users.length);
    }
  });

  it('combines with a filter in one statement', () => {
    const { sql, params } = filterToSql('active eq true', 'user');
    const rows = db.prepare(`SELECT id FROM users WHERE deleted_at IS NULL AND ${sql} ORDER BY ${sortToSql('userName', 'descending', 'user')}`).all(...params);
    expect(rows).toEqual([{ id: 's5' }, { id: 's3' }, { id: 's1' }]);
  });

  it('sorts a long multi-valued attribute by its primary element, wherever it stands; elements that are no objects have no sub-attributes', () => {
    const long = openDatabase(':memory:');
    try {
      const insert = long.prepare(`INSERT INTO users (id, user_name, active, resource, created, last_modified) VALUES (?, ?, 1, ?, '', '')`);
      const phones = [...Array.from({ length: 5000 }, (_, i) => ({ value: `5${i}`, type: 'work' })), 'not an object', { value: '0', primary: true }];
      insert.run('long', 'long', JSON.stringify({ userName: 'long', phoneNumbers: phones }));
      insert.run('short', 'short', JSON.stringify({ userName: 'short', phoneNumbers: [{ value: '1' }] }));
      insert.run('odd', 'odd', JSON.stringify({ userName: 'odd', phoneNumbers: ['2', { value: '3' }] }));
      const sorted = (sortBy: string) => (long.prepare(`SELECT id FROM users ORDER BY ${sortToSql(sortBy, undefined, 'user')}`).all() as { id: string }[]).map((row) => row.id);
      expect(sorted('phoneNumbers.value')).toEqual(['long', 'short', 'odd']);
      const { sql, params } = filterToSql('phoneNumbers[value eq "0" and primary eq true]', 'user');
      expect(long.prepare(`SELECT id FROM users WHERE ${sql}`).all(...params)).toEqual([{ id: 'long' }]);
    } finally {
      long.close();
    }
  });

  it('walks the userName index instead of sorting', () => {
    const plan = db.prepare(`EXPLAIN QUERY PLAN SELECT id FROM users WHERE deleted_at IS NULL ORDER BY ${sortToSql('userName', undefined, 'user')} LIMIT 10`).all() as { detail: string }[];
    const details = plan.map((row) => row.detail).join('\n');
    expect(details).toMatch(/SCAN users USING INDEX users_user_name_fold/);
    // Only the id tiebreak is sorted, within runs of one folded userName (the index is unique): it streams.
    expect(details.replace('USE TEMP B-TREE FOR LAST TERM OF ORDER BY', '')).not.toMatch(/TEMP B-TREE/);
  });

  it.each([
    ['userName', 'up', /sortOrder must be "ascending" or "descending"/],
    ['emails[type eq "work"]', undefined, /invalid attribute path/],
    ['name', undefined, /is complex/],
    ['emails.foo', undefined, /emails has no sub-attribute "foo"/],
    ['userName; DROP TABLE users', undefined, /invalid attribute path/],
    ['urn:ietf:params:scim:schemas:core:2.0:Group:displayName', undefined, /not a schema of User resources/],
    ['a'.repeat(600), undefined, /longer than 512/],
  ])('rejects sortBy=%s sortOrder=%s', (sortBy, sortOrder, message) => {
    expect(() => sortToSql(sortBy, sortOrder, 'user')).toThrow(FilterError);
    expect(() => sortToSql(sortBy, sortOrder, 'user')).toThrow(message);
  });
});
