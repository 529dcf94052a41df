import { Harness } from '../sync/harness';
import type { TargetConfig } from '../../src/config/types';
import type { ReconcileProgress } from '../../src/reconcile/reconciler';
import type { ReconcileService } from '../../src/reconcile/service';
import { findingLines, reconcileService } from './support';

const LISTING = ['users.list', 'groups.list', 'groups.listMembers'];

function targetConfigs(h: Harness, overrides: Partial<TargetConfig> = {}): TargetConfig[] {
  return [{
    name: 'app',
    connector: 'memory',
    config: h.engine.targets[0].config,
    groups: [{ scim: 'Engineering', target: 'engineering', create: true }],
    ...overrides,
  }];
}

describe('reconcile against the memory connector', () => {
  let h: Harness;
  let service: ReconcileService;
  beforeEach(async () => {
    h = await Harness.start([{ groups: [{ scim: 'Engineering', target: 'engineering', create: true }] }]);
    service = reconcileService(h.store, targetConfigs(h));
  });
  afterEach(async () => {
    await service.close();
    await h.close();
  });

  async function provisionTeam() {
    const ada = h.createUser('ada');
    const bob = h.createUser('bob');
    const cy = h.createUser('cy');
    const eve = h.createUser('eve');
    const engineering = h.createGroup('Engineering', [ada, bob]);
    await h.settle();
    return { ada, bob, cy, eve, engineering };
  }

  it('reports an in-sync target as in-sync, with only listing calls', async () => {
    await provisionTeam();
    h.directory().resetCounts();
    const report = await service.start('app', { trigger: 'cli', actor: 'test' }).done;
    expect(report).toMatchObject({ status: 'succeeded', verdict: 'in-sync', summary: { remoteUsers: 4, desiredUsers: 4, remoteGroups: 1, desiredGroups: 1, findings: {} } });
    expect(Object.keys(h.directory().callCounts()).every((operation) => LISTING.includes(operation))).toBe(true);
  });

  it('lists exactly the out-of-band changes, fixes them through the engine, and then reports no drift', async () => {
    await provisionTeam();
    const directory = h.directory();
    const remote = (key: string) => h.remoteUser(key)!;
    // A desired user the target does not have yet, whose account an admin created by hand.
    h.engine.pause('app');
    const dan = h.createUser('dan');
    directory.createUser({ key: 'dan', active: true, attributes: { givenName: 'Dan', familyName: 'Lovelace' } });
    directory.updateUser(remote('ada').id, { attributes: { familyName: 'Byron' } });
    const group = directory.allGroups()[0];
    directory.removeMember(group.id, remote('bob').id);
    directory.addMember(group.id, remote('eve').id);
    directory.removeUserDirectly(remote('cy').id);
    directory.createUser({ key: 'mallory', active: true, attributes: { givenName: 'Mallory' } });
    directory.resetCounts();

    const report = await service.start('app', { trigger: 'cli', actor: 'test' }).done;
    expect(report).toMatchObject({ status: 'succeeded', verdict: 'drift', mode: 'report' });
    expect(findingLines(service, report)).toEqual([
      'attribute-drift ada familyName:Byron→Lovelace [update]',
      'extra-membership engineering member=eve [remove-member]',
      'missing-account cy [create]',
      'missing-membership engineering member=bob [add-member]',
      'unlinked-match dan givenName:Dan→Ada,email:null→dan@example.com [link]',
      'unmanaged-account mallory [none]',
    ]);
    expect(directory.writeCalls()).toBe(0);

    const fix = await service.start('app', { trigger: 'cli', actor: 'test', mode: 'fix' }).done;
    expect(fix).toMatchObject({ status: 'succeeded', verdict: 'fixed', summary: { fixes: { applied: 5, 'not-fixable': 1 } } });
    expect(directory.writeCalls()).toBe(0); // the reconciler only enqueued
    h.engine.resume('app');
    await h.settle();

    expect(directory.allUsers().filter((user) => user.key === 'dan')).toHaveLength(1);
    expect(h.store.links.get('app', { kind: 'user', id: dan })?.remote_id).toBe(remote('dan').id);
    expect(remote('ada').attributes.familyName).toBe('Lovelace');
    expect(remote('cy')).toBeDefined();
    expect(remote('mallory')).toMatchObject({ active: true, attributes: { givenName: 'Mallory' } });
    const members = directory.allGroups()[0].memberIds.map((id) => directory.user(id)!.key).sort();
    expect(members).toEqual(['ada', 'bob']);

    const again = await service.start('app', { trigger: 'cli', actor: 'test' }).done;
    expect(again).toMatchObject({ status: 'succeeded', verdict: 'in-sync' });
    expect(findingLines(service, again)).toEqual(['unmanaged-account mallory [none]']);
  });

  it('leaves a delivery already queued its request id: the IdP change it carries is not credited to the fix', async () => {
    const { ada } = await provisionTeam();
    h.engine.pause('app');
    h.patchUser(ada, (resource) => ((resource.name as Record<string, string>).familyName = 'King'), 'req-idp-rename');
    const report = await service.start('app', { trigger: 'cli', actor: 'test', mode: 'fix' }).done;
    expect(findingLines(service, report)).toEqual(['attribute-drift ada familyName:Lovelace→King [update]']);
    expect(h.store.queue.get('app', { kind: 'user', id: ada })).toMatchObject({ state: 'pending', request_id: 'req-idp-rename' });
    h.engine.resume('app');
    await h.settle();
    expect(h.remoteUser('ada')!.attributes.familyName).toBe('King');
    const delivered = h.store.ledger.forRequest('req-idp-rename').map((row) => row.kind);
    expect(delivered).toContain('delivery.applied');
  });

  it('recreates a group deleted on the target, and lists an unmanaged member of a managed group without removing it', async () => {
    await provisionTeam();
    const directory = h.directory();
    directory.deleteGroup(directory.allGroups()[0].id);
    const report = await service.start('app', { trigger: 'cli', actor: 'test', mode: 'fix' }).done;
    expect(findingLines(service, report)).toEqual(['missing-group engineering [create]']);
    await h.settle();
    const group = () => directory.allGroups()[0];
    expect(group().memberIds.map((id) => directory.user(id)!.key).sort()).toEqual(['ada', 'bob']);

    const mallory = directory.createUser({ key: 'mallory', active: true, attributes: {} });
    directory.addMember(group().id, mallory.id);
    const again = await service.start('app', { trigger: 'cli', actor: 'test', mode: 'fix' }).done;
    expect(again.verdict).toBe('in-sync');
    expect(findingLines(service, again)).toEqual(['extra-membership engineering member=mallory [none]', 'unmanaged-account mallory [none]']);
    await h.settle();
    expect(group().memberIds).toContain(mallory.id);
  });

  it('finds an account carrying the id of a user no longer desired even when the link is lost, and suspends it', async () => {
    const { cy } = await provisionTeam();
    h.engine.pause('app');
    h.patchUser(cy, (resource) => (resource.active = false));
    h.store.db.prepare(`DELETE FROM links WHERE subject_id = ?`).run(cy); // e.g. a database restored from an older backup
    const report = await service.start('app', { trigger: 'cli', actor: 'test', mode: 'fix' }).done;
    expect(findingLines(service, report)).toEqual(['orphaned-account cy [suspend]']);
    h.engine.resume('app');
    await h.settle();
    expect(h.remoteUser('cy')!.active).toBe(false);
    expect(h.directory().allUsers().filter((user) => user.key === 'cy')).toHaveLength(1);
  });

  it('finds a group the target mapping no longer pushes and enqueues it for the engine to withdraw', async () => {
    const { engineering } = await provisionTeam();
    await h.engine.stop(); // it still runs the old mapping; a restarted serve would run the new one
    const unmapped = reconcileService(h.store, targetConfigs(h, { groups: [] }));
    try {
      const report = await unmapped.start('app', { trigger: 'cli', actor: 'test', mode: 'fix' }).done;
      expect(findingLines(unmapped, report)).toEqual(['orphaned-group engineering [withdraw]']);
      expect(h.store.queue.get('app', { kind: 'group', id: engineering })).toBeDefined();
    } finally {
      await unmapped.close();
    }
  });

  it("says a missing account's delivery is dead, with its last error, and --fix retries it through the queue", async () => {
    await provisionTeam();
    h.directory().failNext(1, { kind: 'permanent', message: 'login svc-bot refused by policy P-17' }, 'users.create');
    const bot = h.createUser('svc-bot');
    await h.settle();
    expect(h.store.queue.get('app', { kind: 'user', id: bot })).toMatchObject({ state: 'dead' });
    const report = await service.start('app', { trigger: 'cli', actor: 'test' }).done;
    const [missing] = service.reports.findings(report.id);
    expect(missing).toMatchObject({ kind: 'missing-account', key: 'svc-bot' });
    expect(missing.note).toMatch(/^not provisioned: its delivery is dead after 1 attempt: .*login svc-bot refused by policy P-17.*; fixing retries it$/);

    h.engine.pause('app');
    const fix = await service.start('app', { trigger: 'cli', actor: 'test', mode: 'fix' }).done;
    expect(fix.summary?.fixes).toEqual({ applied: 1 });
    expect(h.store.queue.get('app', { kind: 'user', id: bot })).toMatchObject({ state: 'pending', attempts: 0 });
    h.engine.resume('app');
    await h.settle();
    expect(h.remoteUser('svc-bot')).toMatchObject({ active: true });
  });

  it('reports the findings made so far with each progress update, before any batch is stored', async () => {
    await provisionTeam();
    for (const key of ['x1', 'x2', 'x3']) h.directory().createUser({ key, active: true, attributes: {} });
    const updates: ReconcileProgress[] = [];
    await service.start('app', { trigger: 'cli', actor: 'test', onProgress: (progress) => updates.push(progress) }).done;
    expect(updates.filter((update) => update.phase === 'users').at(-1)).toMatchObject({ count: 7, findings: 3 });
    expect(updates.at(-1)).toMatchObject({ phase: 'done', findings: 3 });
  });

  it('a target that fails while listing ends the run as failed, with the reason, and changes nothing', async () => {
    await provisionTeam();
    h.directory().failNext(1, { kind: 'permanent', message: 'directory is read-only for maintenance' }, 'groups.list');
    const report = await service.start('app', { trigger: 'cli', actor: 'test', mode: 'fix' }).done;
    expect(report).toMatchObject({ status: 'failed', verdict: 'error', reason: 'run failed: directory is read-only for maintenance', summary: { remoteUsers: 4 } });
    expect(h.store.queue.list({ target: 'app' })).toEqual([]);
    expect(h.store.ledger.forRequest(report.requestId).map((row) => row.kind)).toEqual(['reconcile.started', 'reconcile.verdict']);
  });

  it('writes the run to the ledger under one request id: start, each finding, each fix, verdict, then the delivery of the fix', async () => {
    const { ada } = await provisionTeam();
    h.directory().updateUser(h.remoteUser('ada')!.id, { attributes: { givenName: 'Augusta' } });
    // The engine delivers the fix under the run's request id as soon as it is enqueued: held back until the
    // run has ended, its row comes after the verdict instead of anywhere between the fix and the read below.
    h.engine.pause('app');
    const started = service.start('app', { trigger: 'admin', actor: 'admin:ops', mode: 'fix' });
    await started.done;
    h.engine.resume('app');
    await h.settle();
    const rows = h.store.ledger.forRequest(started.requestId);
    expect(rows.map((row) => row.kind)).toEqual(['reconcile.started', 'reconcile.finding', 'reconcile.fix', 'reconcile.verdict', 'delivery.applied']);
    const [delivery, ...run] = [rows[4], ...rows.slice(0, 4)];
    expect(run.every((row) => row.actor === 'admin:ops' && row.source === 'reconciler' && row.target === 'app')).toBe(true);
    expect(delivery).toMatchObject({ actor: 'sync-engine', source: 'engine', target: 'app', subject: `user:${ada}` });
    expect(JSON.parse(rows[1].after!)).toMatchObject({ finding: 'attribute-drift', fields: [{ field: 'givenName', desired: 'Ada', actual: 'Augusta' }] });
    expect(h.store.ledger.verify().ok).toBe(true);
  });
});
