import { openDatabase } from '../../src/store/db';
import { Store, type ChangeContext } from '../../src/store';
import type { UserResource } from '../../src/store/users';
import type { BridgeConfig } from '../../src/config/types';
import { defaultLifecycleConfig, type LifecycleConfig } from '../../src/lifecycle/config';
import { lifecycleParts } from '../../src/lifecycle/module';

export const HOUR = 3_600_000;
export const DAY = 24 * HOUR;
export const idp: ChangeContext = { actor: 'okta', requestId: 'idp-1', source: 'scim' };
export const admin: ChangeContext = { actor: 'secops-token', requestId: 'admin-1', source: 'admin' };

/** A store on an injected clock with the lifecycle parts as serve builds them; users and groups go through the store. */
export function lifecycleFixture(lifecycle: Partial<LifecycleConfig> = {}, targets: BridgeConfig['targets'] = [], file = ':memory:') {
  let now = new Date('2026-03-01T10:00:00Z');
  const clock = () => now;
  const store = new Store(openDatabase(file), clock);
  store.changes.routeWith(() => ['github']);
  const parts = lifecycleParts(store, { lifecycle: { ...defaultLifecycleConfig(), ...lifecycle }, targets });
  const user = (userName: string, extra: Partial<UserResource> = {}) => store.users.create({ userName, active: true, ...extra }, idp).id;
  const group = (displayName: string, extra: Record<string, unknown> = {}) => store.groups.create({ displayName, ...extra }, [], idp).id;
  const deactivate = (id: string) => store.users.replace(id, { ...(store.users.get(id)!.resource as UserResource), active: false }, idp);
  const advance = (ms: number) => (now = new Date(now.getTime() + ms));
  const members = () => store.db.prepare(`SELECT user_id, grant_id FROM memberships WHERE source = 'grant' ORDER BY user_id`).all();
  return { store, clock, advance, user, group, deactivate, members, ...parts };
}
