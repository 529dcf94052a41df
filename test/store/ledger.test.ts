import { openDatabase } from '../../src/store/db';
import { Store } from '../../src/store';

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

  it('refuses appends outside a transaction', () => {
    const store = new Store(openDatabase(':memory:'));
    expect(() => store.ledger.append({ actor: 'a', source: 'scim', kind: 'k' })).toThrow(/transaction/);
  });
});
