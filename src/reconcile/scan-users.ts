import type { RemoteUser } from '../../connectors/sdk/contract';
import type { Link } from '../store';
import { attributeDrift, projectAttributes, sameKey, type FieldDrift, type FixAction } from './drift';
import type { DesiredAccount, DesiredAccounts } from './desired-index';
import { deliveryState, type RunContext } from './run-context';

const PROGRESS_EVERY = 500;

/**
 * Streams the target's accounts once and sorts each into: in line, attribute drift, orphaned (linked to,
 * or marked with the id of, a user no longer desired here), unlinked match, or unmanaged. Desired users
 * no account was seen for are missing. Returns how many accounts the target listed.
 */
export async function scanUsers(run: RunContext, accounts: DesiredAccounts): Promise<number> {
  const userExists = run.store.db.prepare('SELECT 1 FROM users WHERE id = ?').pluck();
  let listed = 0;
  for await (const remote of run.connector.users.list({ pageSize: run.pageSize }, run.op)) {
    classify(run, accounts, remote, (id) => userExists.get(id) !== undefined);
    if (++listed % PROGRESS_EVERY === 0) run.progress('users', listed);
  }
  run.progress('users', listed);
  reportMissing(run, accounts);
  return listed;
}

function classify(run: RunContext, accounts: DesiredAccounts, remote: RemoteUser, userExists: (id: string) => boolean): void {
  const { store, target, sink } = run;
  const link = store.links.byRemoteId(target.name, 'user', remote.id);
  if (link) {
    const account = accounts.byIdOf(link.subject_id);
    if (!account) return orphan(run, remote, link.subject_id, 'linked to a user that is no longer desired on this target');
    account.seen = true;
    return checkDrift(run, accounts, account, remote);
  }
  const match = accounts.byKey(remote.key) ?? (remote.scimId ? accounts.byIdOf(remote.scimId) : undefined);
  if (match && !match.seen && !store.links.get(target.name, { kind: 'user', id: match.id })) {
    match.seen = true;
    const mapped = run.mapping.user(run.desired.user(match.id)!);
    sink.emit({
      kind: 'unlinked-match',
      subject: { kind: 'user', id: match.id },
      remote: { id: remote.id, key: remote.key, active: remote.active, attributes: projectAttributes(Object.keys(mapped.attributes), remote.attributes) },
      fields: attributeDrift(mapped.attributes, remote.attributes),
      action: 'link',
    });
    return;
  }
  if (remote.scimId && !match && userExists(remote.scimId)) {
    return orphan(run, remote, remote.scimId, "not linked, but carries the bridge's id of a user no longer desired on this target");
  }
  sink.emit({
    kind: 'unmanaged-account',
    remote: { id: remote.id, key: remote.key, active: remote.active },
    action: 'none',
    ...(match ? { note: `same key as bridge user ${match.id}, which is linked to another account` } : {}),
  });
}

/** Hash first; only an account whose hash, key or state differs has its desired resource read again. */
function checkDrift(run: RunContext, accounts: DesiredAccounts, account: DesiredAccount, remote: RemoteUser): void {
  const keyDiffers = !sameKey(account.key, remote.key);
  if (!keyDiffers && remote.active && accounts.remoteHash(account.mask, remote.attributes) === account.hash) return;
  const user = run.desired.user(account.id);
  if (!user) return;
  const mapped = run.mapping.user(user);
  const fields: FieldDrift[] = attributeDrift(mapped.attributes, remote.attributes);
  if (!sameKey(mapped.key, remote.key)) fields.unshift({ field: 'key', desired: mapped.key, actual: remote.key });
  if (!remote.active) fields.push({ field: 'active', desired: true, actual: false });
  if (fields.length === 0) return;
  run.sink.emit({ kind: 'attribute-drift', subject: { kind: 'user', id: account.id }, remote: { id: remote.id, key: remote.key, active: remote.active }, fields, action: 'update' });
}

/** An account that should not be here: reported with what the deprovision policy does, unless already done. */
function orphan(run: RunContext, remote: RemoteUser, subjectId: string, note: string): void {
  const action = deprovisionAction(run);
  if (action === 'suspend' && !remote.active) return; // suspended, as the policy wants
  run.sink.emit({ kind: 'orphaned-account', subject: { kind: 'user', id: subjectId }, remote: { id: remote.id, key: remote.key, active: remote.active }, action, note });
}

/** The target's policy, falling back like the engine does when the connector lacks the capability. */
function deprovisionAction(run: RunContext): FixAction {
  const users = run.connector.users;
  const wanted = run.target.deprovision.mode === 'delete' ? 'delete' : 'suspend';
  if (wanted === 'delete') return users.delete ? 'delete' : 'suspend';
  return users.disable ? 'suspend' : 'delete';
}

function reportMissing(run: RunContext, accounts: DesiredAccounts): void {
  for (const account of accounts.values()) {
    if (account.seen) continue;
    const subject = { kind: 'user' as const, id: account.id };
    const link: Link | undefined = run.store.links.get(run.target.name, subject);
    const delivery = deliveryState(run, subject);
    const note = link ? 'the linked account no longer exists on the target' : delivery ? `not provisioned: ${delivery}` : 'not provisioned';
    run.sink.emit({ kind: 'missing-account', subject, key: account.key, action: 'create', note });
  }
}
