import { randomUUID } from 'node:crypto';
import { mkdtempSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import request from 'supertest';
import { memoryDirectory, type MemoryDirectory } from '../../connectors/memory';
import { createApp } from '../../src/app';
import { defaultConfig } from '../../src/config/defaults';
import type { BridgeConfig } from '../../src/config/types';
import { createLogger } from '../../src/log';
import type { Service } from '../../src/server';
import { Store } from '../../src/store';
import { Tokens } from '../../src/store/tokens';
import { syncModule } from '../../src/sync/module';

const USER_SCHEMA = 'urn:ietf:params:scim:schemas:core:2.0:User';
const GROUP_SCHEMA = 'urn:ietf:params:scim:schemas:core:2.0:Group';
const PATCH_SCHEMA = 'urn:ietf:params:scim:api:messages:2.0:PatchOp';

/** The bridge as `serve` builds it (SCIM edge + sync module), driven over HTTP the way Entra drives it. */
async function bridge() {
  const directoryName = `e2e-${randomUUID()}`;
  const config: BridgeConfig = {
    ...defaultConfig(),
    database: { file: join(mkdtempSync(join(tmpdir(), 'e2e-delivery-')), 'bridge.db') },
    targets: [{
      name: 'saas',
      connector: 'memory',
      config: { directory: directoryName },
      attributes: { title: 'title' },
      groups: [{ scim: 'Engineering', target: 'engineering', create: true }],
      deprovision: { mode: 'suspend' },
    }],
  };
  const store = Store.open(config.database.file);
  const tokens = new Tokens(store.db);
  const logger = createLogger({ silent: true });
  const contribution = await syncModule.setup({ config, store, tokens, logger });
  const app = createApp({ store, tokens, logger, config, adminRouters: contribution.adminRouters, rootRouters: contribution.rootRouters });
  const services: Service[] = contribution.services ?? [];
  for (const service of services) await service.start();
  const token = tokens.create('entra', 'scim');
  const scim = (method: 'post' | 'patch' | 'delete' | 'get', path: string) =>
    request(app)[method](`/scim/v2${path}`).set('Authorization', `Bearer ${token}`).set('Content-Type', 'application/scim+json');
  const directory: MemoryDirectory = memoryDirectory(directoryName);
  const settled = async () => {
    const deadline = Date.now() + 10_000;
    for (;;) {
      const open = store.db.prepare(`SELECT COUNT(*) AS n FROM sync_queue WHERE state = 'inflight' OR (state = 'pending' AND due_at <= ?)`).get(Date.now() + 1000) as { n: number };
      if (open.n === 0) return;
      if (Date.now() > deadline) throw new Error('deliveries did not settle');
      await new Promise((resolve) => setTimeout(resolve, 5));
    }
  };
  const close = async () => {
    for (const service of services) await service.stop();
    store.close();
    await directory.stop();
  };
  return { scim, directory, settled, close, store };
}

describe('IdP → bridge → target', () => {
  let b: Awaited<ReturnType<typeof bridge>>;
  beforeEach(async () => (b = await bridge()));
  afterEach(() => b.close());

  it('delivers an Entra-style lifecycle: create, PATCHes, group membership, disable, delete', async () => {
    const created = await b.scim('post', '/Users').send({
      schemas: [USER_SCHEMA], userName: 'ada@example.com', name: { givenName: 'Ada', familyName: 'Lovelace' },
      emails: [{ type: 'work', value: 'ada@example.com', primary: true }], title: 'Engineer', active: true,
    });
    expect(created.status).toBe(201);
    const adaId = created.body.id as string;
    await b.settled();
    const remote = () => b.directory.allUsers().find((user) => user.key === 'ada@example.com');
    expect(remote()).toMatchObject({ active: true, scimId: adaId, attributes: { email: 'ada@example.com', title: 'Engineer', givenName: 'Ada' } });

    b.directory.resetCounts();
    const unmapped = await b.scim('patch', `/Users/${adaId}`).send({ schemas: [PATCH_SCHEMA], Operations: [{ op: 'Replace', path: 'nickName', value: 'Countess' }] });
    expect(unmapped.status).toBe(200);
    await b.settled();
    expect(b.directory.requestCount()).toBe(0);

    await b.scim('patch', `/Users/${adaId}`).send({ schemas: [PATCH_SCHEMA], Operations: [{ op: 'Replace', value: { title: 'Principal Engineer' } }] });
    await b.settled();
    expect(b.directory.callCounts()).toEqual({ 'users.update': 1 });
    expect(remote()!.attributes.title).toBe('Principal Engineer');

    const group = await b.scim('post', '/Groups').send({ schemas: [GROUP_SCHEMA], displayName: 'Engineering', members: [{ value: adaId }] });
    expect(group.status).toBe(201);
    await b.settled();
    const remoteGroup = () => b.directory.allGroups().find((candidate) => candidate.key === 'engineering');
    expect(remoteGroup()!.memberIds).toEqual([remote()!.id]);

    await b.scim('patch', `/Groups/${group.body.id}`).send({ schemas: [PATCH_SCHEMA], Operations: [{ op: 'Remove', path: `members[value eq "${adaId}"]` }] });
    await b.settled();
    expect(remoteGroup()!.memberIds).toEqual([]);

    await b.scim('patch', `/Users/${adaId}`).send({ schemas: [PATCH_SCHEMA], Operations: [{ op: 'Replace', path: 'active', value: 'False' }] });
    await b.settled();
    expect(remote()!.active).toBe(false);

    expect((await b.scim('delete', `/Users/${adaId}`)).status).toBe(204);
    await b.settled();
    expect(remote()!.active).toBe(false);
    expect(b.store.db.prepare('SELECT id FROM users WHERE id = ?').get(adaId)).toBeUndefined();
  });
});
