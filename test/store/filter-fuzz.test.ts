import { openDatabase, type Db } from '../../src/store/db';
import { FilterError, filterToSql, sortToSql } from '../../src/store/filter';

/**
 * Whatever a client sends, the compiler either rejects it with a FilterError (→ 400) or produces SQL that
 * SQLite runs, even over stored resources of unexpected shapes. Any other error would be a 500.
 */

// Deterministic PRNG (mulberry32), so a failure names a reproducible case.
function random(seed: number): () => number {
  let state = seed;
  return () => {
    state = (state + 0x6d2b79f5) | 0;
    let t = Math.imul(state ^ (state >>> 15), 1 | state);
    t = (t + Math.imul(t ^ (t >>> 7), 61 | t)) ^ t;
    return ((t ^ (t >>> 14)) >>> 0) / 4294967296;
  };
}

const attributes = [
  'userName', 'title', 'active', 'emails', 'emails.value', 'emails.type', 'emails.primary', 'emails.display', 'name',
  'name.givenName', 'meta.lastModified', 'meta.version', 'id', 'externalId', 'phoneNumbers', 'phoneNumbers.value',
  'roles.value', 'groups.value', 'groups.display', 'schemas', 'x509Certificates.value', 'favoriteColor', 'favoriteColor.shade',
  'urn:ietf:params:scim:schemas:extension:enterprise:2.0:User:department',
  'urn:ietf:params:scim:schemas:extension:enterprise:2.0:User:manager.value',
  'urn:ietf:params:scim:schemas:extension:acme:2.0:User:badge', 'members.value', 'displayName', 'password', 'nickName.x',
];
const subAttributes = ['value', 'type', 'primary', 'display', 'shade', 'givenName'];
const operators = ['eq', 'ne', 'co', 'sw', 'ew', 'gt', 'ge', 'lt', 'le', 'EQ', 'xx'];
const values = ['"a"', '""', '"%_\\\\*?[x]"', "\"it's\"", '"\\u00e9\\n"', '1', '-2.5e3', 'true', 'false', 'null', '"2024-01-01T00:00:00Z"', '"True"', 'bare'];

function pick<T>(next: () => number, items: readonly T[]): T {
  return items[Math.floor(next() * items.length)];
}

/** Mostly well-formed filters from the grammar, so the SQL side is exercised and not only the parser. */
function grammarFilter(next: () => number, depth: number, insideBrackets = false): string {
  const roll = next();
  const leafAttribute = insideBrackets ? pick(next, subAttributes) : pick(next, attributes);
  if (depth <= 0 || roll < 0.35) {
    return next() < 0.15 ? `${leafAttribute} pr` : `${leafAttribute} ${pick(next, operators)} ${pick(next, values)}`;
  }
  if (roll < 0.55) return `${grammarFilter(next, depth - 1, insideBrackets)} ${pick(next, ['and', 'or', 'AND'])} ${grammarFilter(next, depth - 1, insideBrackets)}`;
  if (roll < 0.7) return `not (${grammarFilter(next, depth - 1, insideBrackets)})`;
  if (roll < 0.8) return `(${grammarFilter(next, depth - 1, insideBrackets)})`;
  if (insideBrackets) return grammarFilter(next, depth - 1, true);
  const multi = pick(next, ['emails', 'phoneNumbers', 'roles', 'groups', 'members', 'schemas', 'favoriteColor', 'title']);
  const suffix = next() < 0.3 ? `.${pick(next, subAttributes)} ${pick(next, operators)} ${pick(next, values)}` : '';
  return `${multi}[${grammarFilter(next, depth - 1, true)}]${suffix}`;
}

const junk = ['(', ')', '[', ']', '"', '"unterminated', '\\', '#', '.', '.value', 'not', 'and', 'or', 'pr', ':', 'urn:', '1e999', '-', "'"];

/** Token soup: valid pieces in random order, plus junk. */
function soupFilter(next: () => number): string {
  const pieces = [...attributes, ...operators, ...values, ...junk];
  return Array.from({ length: 1 + Math.floor(next() * 10) }, () => pick(next, pieces)).join(next() < 0.5 ? ' ' : '');
}

let db: Db;

beforeAll(() => {
  db = openDatabase(':memory:');
  const insert = db.prepare(
    `INSERT INTO users (id, user_name, active, resource, created, last_modified) VALUES (?, ?, 1, ?, '2024-01-01T00:00:00.000Z', '2024-01-01T00:00:00.000Z')`,
  );
  const shapes: Record<string, unknown>[] = [
    { emails: [{ value: 'a@x', type: 'work', primary: true }], name: { givenName: 'A' }, favoriteColor: [{ shade: 'dark' }] },
    { emails: 'not-an-array', name: 'a string', phoneNumbers: { value: 'object, not array' }, title: ['an', 'array'] },
    { emails: [1, 'two', null, [3]], roles: [{}], schemas: 'urn:x', favoriteColor: 'red', meta: { version: 'W/"1"' } },
    { title: { nested: true }, groups: [{ value: 'g' }], 'urn:ietf:params:scim:schemas:extension:enterprise:2.0:User': 'flat' },
  ];
  shapes.forEach((shape, index) => insert.run(`f${index}`, `user${index}`, JSON.stringify(shape)));
  db.prepare('INSERT INTO user_emails (user_id, value, type, is_primary) VALUES (?, ?, ?, ?)').run('f0', 'a@x', 'work', 1);
  db.prepare(`INSERT INTO groups (id, display_name, resource, created, last_modified) VALUES ('g', 'G', '{"members":"odd"}', '', '')`).run();
  db.prepare(`INSERT INTO memberships (group_id, user_id) VALUES ('g', 'f0')`).run();
});

afterAll(() => db.close());

function outcome(filter: string, resource: 'user' | 'group'): 'rows' | 'rejected' {
  let compiled: { sql: string; params: unknown[] };
  try {
    compiled = filterToSql(filter, resource);
  } catch (error) {
    if (error instanceof FilterError) return 'rejected';
    throw new Error(`filter ${JSON.stringify(filter)} threw ${String(error)}`);
  }
  const table = resource === 'user' ? 'users' : 'groups';
  try {
    db.prepare(`SELECT id FROM ${table} WHERE deleted_at IS NULL AND ${compiled.sql} ORDER BY ${sortToSql('emails', 'descending', resource)}`).all(...compiled.params);
  } catch (error) {
    throw new Error(`filter ${JSON.stringify(filter)} compiled to SQL that failed: ${String(error)}\n${compiled.sql}`);
  }
  return 'rows';
}

describe('filterToSql under random input', () => {
  it.each([1, 2, 3])('grammar-shaped filters (seed %i) compile to SQL that runs, or are rejected', (seed) => {
    const next = random(seed);
    const counts = { rows: 0, rejected: 0 };
    for (let index = 0; index < 700; index += 1) counts[outcome(grammarFilter(next, 4), index % 5 === 0 ? 'group' : 'user')] += 1;
    // Guard against a generator that only ever produces rejected filters.
    expect(counts.rows).toBeGreaterThan(250);
  });

  it('token soup never escapes as anything but a FilterError', () => {
    const next = random(42);
    const counts = { rows: 0, rejected: 0 };
    for (let index = 0; index < 3000; index += 1) counts[outcome(soupFilter(next), 'user')] += 1;
    expect(counts.rejected).toBeGreaterThan(2000);
  });

  it('random sortBy values either sort or are rejected', () => {
    const next = random(7);
    for (let index = 0; index < 300; index += 1) {
      const sortBy = next() < 0.7 ? pick(next, attributes) : soupFilter(next);
      let orderBy: string;
      try {
        orderBy = sortToSql(sortBy, pick(next, ['ascending', 'descending', undefined]), 'user');
      } catch (error) {
        expect(error).toBeInstanceOf(FilterError);
        continue;
      }
      expect(() => db.prepare(`SELECT id FROM users ORDER BY ${orderBy}`).all()).not.toThrow();
    }
  });
});
