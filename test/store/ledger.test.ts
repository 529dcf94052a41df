import { openDatabase } from '../../src/store/db';
import { Store, type ChangeContext } from '../../src/store';
import { GENESIS_HASH } from '../../src/store/ledger';

const ctx: ChangeContext = { actor: 'okta', requestId: 'r', source: 'scim' };

function storeWithEntries(n: number): Store {
  const store = new Store(openDatabase(':memory:'));
  for (let i = 0; i < n; i++) {
    store.transaction(() =>
      store.ledger.append({ actor: 'okta', source: 'scim', requestId: `r${i}`, kind: 'user.created', subject: `user:${i}`, after: { i } }),
    );
  }
  return store;
}

describe('ledger', () => {
  it('chains every row to the one before and verifies', () => {
    const store = storeWithEntries(5);
    const rows = [...store.ledger.export()];
    expect(rows.map((r) => r.seq)).toEqual([1, 2, 3, 4, 5]);
    expect(rows[1].prev_hash).toBe(rows[0].hash);
    expect(store.ledger.verify()).toEqual({ ok: true, rows: 5 });
  });

  it('refuses UPDATE and DELETE through its triggers', () => {
    const store = storeWithEntries(2);
    expect(() => store.db.prepare("UPDATE ledger SET actor = 'x' WHERE seq = 1").run()).toThrow(/append-only/);
    expect(() => store.db.prepare('DELETE FROM ledger WHERE seq = 2').run()).toThrow(/append-only/);
  });

  it('names the first row edited with raw SQL once the triggers are dropped', () => {
    const store = storeWithEntries(4);
    store.db.exec('DROP TRIGGER ledger_no_update');
    store.db.prepare(`UPDATE ledger SET after = '{"i":99}' WHERE seq = 3`).run();
    expect(store.ledger.verify()).toMatchObject({ ok: false, firstBadSeq: 3 });
  });

  it('detects a deleted row', () => {
    const store = storeWithEntries(4);
    store.db.exec('DROP TRIGGER ledger_no_delete');
    store.db.prepare('DELETE FROM ledger WHERE seq = 2').run();
    expect(store.ledger.verify()).toMatchObject({ ok: false, firstBadSeq: 2 });
  });

  it.each([
    ['REPLACE INTO over an existing seq', (tail: number) => `REPLACE INTO ledger (seq, at, actor, source, kind, prev_hash, hash) VALUES (${tail - 1}, 'x', 'm', 'm', 'k', 'p', 'h')`],
    ['INSERT OR REPLACE over an existing seq', (tail: number) => `INSERT OR REPLACE INTO ledger (seq, at, actor, source, kind, prev_hash, hash) VALUES (1, 'x', 'm', 'm', 'k', '${GENESIS_HASH}', 'h')`],
    ['an insert leaving a gap', (tail: number) => `INSERT INTO ledger (seq, at, actor, source, kind, prev_hash, hash) VALUES (${tail + 2}, 'x', 'm', 'm', 'k', 'p', 'h')`],
    ['an insert without a seq', () => `INSERT INTO ledger (at, actor, source, kind, prev_hash, hash) VALUES ('x', 'm', 'm', 'k', 'p', 'h')`],
    ['an insert not linked to the last row', (tail: number) => `INSERT INTO ledger (seq, at, actor, source, kind, prev_hash, hash) VALUES (${tail + 1}, 'x', 'm', 'm', 'k', '${GENESIS_HASH}', 'h')`],
  ])('refuses %s (REPLACE deletes without firing the DELETE trigger)', (_label, sql) => {
    const store = storeWithEntries(3);
    const before = [...store.ledger.export()];
    expect(() => store.db.exec(sql(3))).toThrow(/append-only/);
    expect([...store.ledger.export()]).toEqual(before);
  });

  it('reports the head and whether the chain still holds an anchored one', () => {
    const store = storeWithEntries(3);
    const head = store.ledger.head()!;
    expect(head).toEqual({ seq: 3, hash: [...store.ledger.export()][2].hash });
    expect(store.ledger.holds(head)).toBe(true);
    expect(store.ledger.holds({ seq: 3, hash: GENESIS_HASH })).toBe(false);
    expect(store.ledger.holds({ seq: 4, hash: head.hash })).toBe(false);
    expect(new Store(openDatabase(':memory:')).ledger.head()).toBeUndefined();
  });

  describe('checked against the users and groups (what no hash link shows)', () => {
    function storeWithHistory() {
      const store = new Store(openDatabase(':memory:'));
      const alice = store.users.create({ schemas: [], userName: 'alice' } as never, ctx);
      const bob = store.users.create({ schemas: [], userName: 'bob' } as never, ctx);
      store.users.replace(bob.id, { schemas: [], userName: 'bob', displayName: 'Bob' } as never, ctx);
      const team = store.groups.create({ schemas: [], displayName: 'Team' } as never, [alice.id], ctx);
      store.groups.update(team.id, undefined, { add: [bob.id] }, ctx);
      store.users.delete(alice.id, ctx);
      store.db.exec('DROP TRIGGER ledger_no_delete');
      return { store, alice, bob, team };
    }

    it('passes a store written through its API', () => {
      expect(storeWithHistory().store.ledger.verify()).toEqual({ ok: true, rows: 6 });
    });

    it('fails when the tail is cut, although the remaining chain links up', () => {
      const { store, alice } = storeWithHistory();
      store.db.exec('DELETE FROM ledger WHERE seq >= 6');
      expect(store.ledger.verify()).toEqual({ ok: false, rows: 5, problem: `user ${alice.id} is deleted but the ledger has no user.deleted row for it (rows were removed)` });
    });

    it('fails when the last change to a user is cut', () => {
      const { store, bob } = storeWithHistory();
      store.users.replace(bob.id, { schemas: [], userName: 'bob', displayName: 'Robert' } as never, ctx);
      store.db.exec('DELETE FROM ledger WHERE seq = (SELECT max(seq) FROM ledger)');
      expect(store.ledger.verify()).toMatchObject({ ok: false, problem: expect.stringContaining(`user ${bob.id} differs from its last recorded state`) });
    });

    it('fails when the whole ledger is emptied', () => {
      const { store } = storeWithHistory();
      store.db.exec('DELETE FROM ledger');
      expect(store.ledger.verify()).toMatchObject({ ok: false, rows: 0, problem: expect.stringMatching(/has no user.created row/) });
      expect(store.ledger.verify()).not.toHaveProperty('firstBadSeq');
    });

    it('fails when a resource is edited behind the ledger', () => {
      const { store, team } = storeWithHistory();
      store.db.prepare(`UPDATE groups SET resource = json_set(resource, '$.displayName', 'Admins') WHERE id = ?`).run(team.id);
      expect(store.ledger.verify()).toMatchObject({ ok: false, problem: `group ${team.id} differs from its last recorded state in the ledger (rows were removed or the groups table was edited)` });
    });
  });

  it('refuses appends outside a transaction', () => {
    const store = new Store(openDatabase(':memory:'));
    expect(() => store.ledger.append({ actor: 'a', source: 'scim', kind: 'k' })).toThrow(/transaction/);
  });
});
