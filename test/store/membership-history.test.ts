import { accessReport } from '../../src/lifecycle/access-report';
import { Store, type ChangeContext } from '../../src/store';
import { openDatabase } from '../../src/store/db';
import type { UserResource } from '../../src/store/users';

const ctx: ChangeContext = { actor: 'idp', requestId: 'r', source: 'scim' };

/** A clock that stands still until a test moves it: nothing here may read the machine's time. */
function fixedClock(start: string) {
  let now = Date.parse(start);
  return { now: () => new Date(now), advance: (ms: number) => (now += ms) };
}

interface HistoryRow {
  user_id: string;
  source: string;
  added_at: string;
  removed_at: string | null;
}

describe('IdP membership history follows the store clock', () => {
  const clock = fixedClock('2031-05-01T09:00:00.000Z');
  const store = new Store(openDatabase(':memory:'), clock.now);
  const user = (userName: string) => store.users.create({ userName } as UserResource, ctx).id;
  const history = () => store.db.prepare('SELECT user_id, source, added_at, removed_at FROM membership_history ORDER BY id').all() as HistoryRow[];
  const ledgerAt = (kind: string) => store.ledger.forSubject(`group:${groupId}`).filter((row) => row.kind === kind).map((row) => row.at);
  let groupId: string;
  const [ada, bob] = [user('ada'), user('bob')];

  it('stamps joins and leaves with the time of the ledger row of the same change', () => {
    groupId = store.groups.create({ displayName: 'Engineering' }, [ada], ctx).id;
    clock.advance(60_000);
    store.groups.update(groupId, undefined, { add: [bob], remove: [ada] }, ctx);

    const [created] = ledgerAt('group.created');
    const [changed] = ledgerAt('group.members-changed');
    expect(created).toBe('2031-05-01T09:00:00.000Z');
    expect(changed).toBe('2031-05-01T09:01:00.000Z');
    expect(history()).toEqual([
      { user_id: ada, source: 'idp', added_at: created, removed_at: changed },
      { user_id: bob, source: 'idp', added_at: changed, removed_at: null },
    ]);
    const [bobAccess] = accessReport(store.db, { user: 'bob' });
    expect(bobAccess.since).toBe(changed);
  });

  it('a deleted user and a deleted group end their memberships at the store time of the delete', () => {
    const cy = user('cy');
    store.groups.update(groupId, undefined, { add: [cy] }, ctx);
    clock.advance(60_000);
    store.users.delete(cy, ctx);
    clock.advance(60_000);
    store.groups.delete(groupId, ctx);

    expect(history().find((row) => row.user_id === cy)).toMatchObject({ added_at: '2031-05-01T09:01:00.000Z', removed_at: '2031-05-01T09:02:00.000Z' });
    expect(history().find((row) => row.user_id === bob)!.removed_at).toBe('2031-05-01T09:03:00.000Z');
    expect(history().filter((row) => row.removed_at === null)).toEqual([]);
  });

  it('a replaced member list records only who really joined or left', () => {
    const team = store.groups.create({ displayName: 'Platform' }, [ada, bob], ctx).id;
    const rows = () => (store.db.prepare('SELECT user_id, removed_at FROM membership_history WHERE group_id = ? ORDER BY id').all(team) as HistoryRow[]);
    clock.advance(1000);
    store.groups.update(team, undefined, { replaceAll: [bob] }, ctx);
    store.groups.update(team, undefined, { add: [bob] }, ctx);
    expect(rows()).toEqual([{ user_id: ada, removed_at: '2031-05-01T09:03:01.000Z' }, { user_id: bob, removed_at: null }]);
  });
});
