import { migrate, openDatabase, type Db } from '../../src/store/db';
import { databaseBefore } from './migrated-to';
import { filterToSql, sortToSql } from '../../src/store/filter';
import { caseFold } from '../../src/store/case-fold';

/** The ids of the users a SCIM filter selects, by the SQL the filter compiles to. */
function idsMatching(db: Db) {
  return (filter: string): string[] => {
    const { sql, params } = filterToSql(filter, 'user');
    return (db.prepare(`SELECT id FROM users WHERE ${sql} ORDER BY id`).all(...params) as { id: string }[]).map((row) => row.id);
  };
}

describe('userName compared case-folded beyond ASCII', () => {
  const db = openDatabase(':memory:');
  const insert = db.prepare(`INSERT INTO users (id, user_name, resource, created, last_modified) VALUES (?, ?, '{}', 'x', 'x')`);
  insert.run('u-anne', 'Änne@example.com');
  insert.run('u-strasse', 'straße@example.com');
  insert.run('u-sigma', 'ΟΔΥΣΣΕΥΣ');
  insert.run('u-bob', 'bob@example.com');
  const ids = idsMatching(db);

  it('matches every operator regardless of case, in any script', () => {
    expect(ids('userName eq "änne@EXAMPLE.com"')).toEqual(['u-anne']);
    expect(ids('userName eq "STRASSE@example.com"')).toEqual(['u-strasse']);
    expect(ids('userName eq "οδυσσευς"')).toEqual(['u-sigma']);
    expect(ids('userName sw "ÄN"')).toEqual(['u-anne']);
    expect(ids('userName co "ẞE@"')).toEqual(['u-strasse']);
    expect(ids('userName ew "@EXAMPLE.COM"')).toEqual(['u-anne', 'u-bob', 'u-strasse']);
    expect(ids('userName ne "ÄNNE@example.com"')).toEqual(['u-bob', 'u-sigma', 'u-strasse']);
    expect(ids('userName gt "C"')).toEqual(['u-anne', 'u-sigma', 'u-strasse']);
  });

  it('sorts case-insensitively (by code point of the folded name, as SQLite orders text)', () => {
    const order = (db.prepare(`SELECT user_name FROM users WHERE deleted_at IS NULL ORDER BY ${sortToSql('userName', 'descending', 'user')}`).all() as { user_name: string }[]).map((row) => row.user_name);
    expect(order).toEqual(['ΟΔΥΣΣΕΥΣ', 'Änne@example.com', 'straße@example.com', 'bob@example.com']);
  });

  it('keeps userName unique among live users under folding', () => {
    expect(() => insert.run('u-anne-2', 'äNNE@example.com')).toThrow(/UNIQUE/);
    db.prepare(`UPDATE users SET deleted_at = 'x' WHERE id = 'u-bob'`).run();
    expect(() => insert.run('u-bob-2', 'BOB@example.com')).not.toThrow(); // a tombstone does not hold the name
  });

  it('folds the way Unicode case folding does for the usual letters', () => {
    expect(caseFold('ÄNNE')).toBe(caseFold('änne'));
    expect(caseFold('STRASSE')).toBe(caseFold('straße'));
    expect(caseFold('STRAẞE')).toBe(caseFold('straße'));
    expect(caseFold('Ada')).toBe('ada');
  });
});

describe('other caseExact=false attributes compared case-folded when the literal goes beyond ASCII', () => {
  const db = openDatabase(':memory:');
  const insert = db.prepare(`INSERT INTO users (id, user_name, display_name, resource, created, last_modified) VALUES (?, ?, ?, ?, 'x', 'x')`);
  insert.run('u-aero', 'aero', 'Ærø Ünï', JSON.stringify({ title: 'ÉNGINEER', displayName: 'Ærø Ünï' }));
  insert.run('u-plain', 'plain', 'Plain Name', JSON.stringify({ title: 'Engineer', displayName: 'Plain Name' }));
  const ids = idsMatching(db);

  it('matches a column (displayName) and a JSON value (title) regardless of case, in any script', () => {
    expect(ids('displayName eq "ærø ünï"')).toEqual(['u-aero']);
    expect(ids('displayName co "ünï"')).toEqual(['u-aero']);
    expect(ids('displayName sw "ær"')).toEqual(['u-aero']);
    expect(ids('displayName ne "ÆRØ ÜNÏ"')).toEqual(['u-plain']);
    expect(ids('title eq "éngineer"')).toEqual(['u-aero']);
    expect(ids('title sw "É"')).toEqual(['u-aero']);
  });

  it('keeps the indexed NOCASE comparison for ASCII literals', () => {
    expect(filterToSql('displayName eq "plain name"', 'user').sql).not.toContain('scim_fold');
    expect(ids('displayName eq "PLAIN NAME"')).toEqual(['u-plain']);
    expect(ids('title eq "ENGINEER"')).toEqual(['u-plain']);
  });
});

describe('migration 13 (user-name-fold)', () => {
  it('folds existing names, and keeps every live user when two differ only in non-ASCII case', () => {
    const db = databaseBefore(13);
    const insert = db.prepare(`INSERT INTO users (id, user_name, resource, created, last_modified, deleted_at) VALUES (?, ?, '{}', 'x', 'x', ?)`);
    insert.run('u-1', 'änne@example.com', null);
    insert.run('u-2', 'ÄNNE@example.com', null); // allowed by the ASCII-only NOCASE index
    insert.run('u-3', 'Änne@example.com', 't'); // a tombstone
    insert.run('u-4', 'Bob', null);

    migrate(db);
    const rows = db.prepare('SELECT id, user_name_fold FROM users ORDER BY id').all();
    expect(rows).toEqual([
      { id: 'u-1', user_name_fold: 'änne@example.com' },
      { id: 'u-2', user_name_fold: 'änne@example.com #u-2' },
      { id: 'u-3', user_name_fold: 'änne@example.com' },
      { id: 'u-4', user_name_fold: 'bob' },
    ]);
    expect(() => insert.run('u-5', 'BOB', null)).toThrow(/UNIQUE/);
    db.close();
  });
});
