import { migrate } from '../../src/store/db';
import { databaseBefore } from '../store/migrated-to';

describe('migration 6 (grant evidence)', () => {
  it('fills people ids, activation and flags from the ledger, and every name a group has had', () => {
    const db = databaseBefore(6);
    const user = db.prepare(`INSERT INTO users (id, user_name, resource, created, last_modified) VALUES (?, ?, '{}', 'x', 'x')`);
    user.run('u-bob', 'bob@example.com');
    user.run('u-carol', 'carol@example.com');
    db.prepare(`INSERT INTO groups (id, display_name, resource, created, last_modified) VALUES ('g1', 'Admins (prod)', '{}', 'x', 'x')`).run();
    db.prepare(`INSERT INTO grants (id, user_id, group_id, reason, requester, requested_by, approver, approved_at, privileged, starts_at, expires_at, state, created_at)
                VALUES ('gr1', 'u-bob', 'g1', 'r', 'BOB@example.com', 'token', 'carol@example.com', 't1', 1, 't0', 't9', 'active', 't0')`).run();
    const ledger = db.prepare(`INSERT INTO ledger (seq, at, actor, source, kind, subject, after, reason, prev_hash, hash) VALUES (?, ?, 'a', 'admin', ?, ?, ?, ?, 'p', 'h')`);
    ledger.run(1, 't0', 'group.created', 'group:g1', JSON.stringify({ id: 'g1', displayName: 'Admins' }), null);
    ledger.run(2, 't2', 'grant.activated', 'user:u-bob', JSON.stringify({ id: 'gr1' }), null);
    ledger.run(3, 't3', 'grant.flagged', 'user:u-bob', JSON.stringify({ id: 'gr1' }), 'approver left');

    migrate(db);
    expect(db.prepare('SELECT requester_id, approver_id, activated_at, flagged_at, flag_reason FROM grants').get()).toEqual({
      requester_id: 'u-bob', approver_id: 'u-carol', activated_at: 't2', flagged_at: 't3', flag_reason: 'approver left',
    });
    expect(db.prepare('SELECT display_name FROM group_names ORDER BY display_name').all()).toEqual([{ display_name: 'Admins' }, { display_name: 'Admins (prod)' }]);
    db.prepare(`UPDATE groups SET display_name = 'Ops' WHERE id = 'g1'`).run();
    expect(db.prepare(`SELECT COUNT(*) AS n FROM group_names WHERE group_id = 'g1'`).get()).toEqual({ n: 3 });
  });
});
