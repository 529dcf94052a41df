import request from 'supertest';
import type { Express } from 'express';
import { createApp } from '../../src/app';
import { defaultConfig } from '../../src/config/defaults';
import type { BridgeConfig } from '../../src/config/types';
import { createLogger } from '../../src/log';
import { Store } from '../../src/store';
import { openDatabase } from '../../src/store/db';
import { Tokens } from '../../src/store/tokens';

export const SCIM_JSON = 'application/scim+json';
export const USER_SCHEMA = 'urn:ietf:params:scim:schemas:core:2.0:User';
export const GROUP_SCHEMA = 'urn:ietf:params:scim:schemas:core:2.0:Group';
export const ENTERPRISE = 'urn:ietf:params:scim:schemas:extension:enterprise:2.0:User';
export const PATCH_OP = 'urn:ietf:params:scim:api:messages:2.0:PatchOp';
export const ERROR_SCHEMA = 'urn:ietf:params:scim:api:messages:2.0:Error';

export interface Harness {
  app: Express;
  store: Store;
  auth: { Authorization: string };
  config: BridgeConfig;
  logLines: string[];
}

/** A real app over a real in-memory SQLite store, with a scim token, and the log lines it writes. */
export function harness(scim: Partial<BridgeConfig['scim']> = {}, server: Partial<BridgeConfig['server']> = {}): Harness {
  const config = defaultConfig();
  config.scim = { ...config.scim, ...scim };
  config.server = { ...config.server, ...server };
  const store = new Store(openDatabase(':memory:'));
  const tokens = new Tokens(store.db);
  const token = tokens.create('okta', 'scim');
  const logLines: string[] = [];
  const stream = new (require('node:stream').Writable)({
    write(chunk: Buffer, _enc: string, done: () => void) {
      logLines.push(chunk.toString());
      done();
    },
  });
  const logger = createLogger({ stream });
  const app = createApp({ store, tokens, logger, config });
  return { app, store, auth: { Authorization: `Bearer ${token}` }, config, logLines };
}

export function scim(h: Harness) {
  const agent = request(h.app);
  const withAuth = (test: request.Test) => test.set(h.auth).set('Content-Type', SCIM_JSON);
  return {
    get: (path: string) => agent.get(`/scim/v2${path}`).set(h.auth),
    post: (path: string, body: unknown) => withAuth(agent.post(`/scim/v2${path}`)).send(body as object),
    put: (path: string, body: unknown) => withAuth(agent.put(`/scim/v2${path}`)).send(body as object),
    patch: (path: string, body: unknown) => withAuth(agent.patch(`/scim/v2${path}`)).send(body as object),
    delete: (path: string) => agent.delete(`/scim/v2${path}`).set(h.auth),
    raw: (method: 'post' | 'put' | 'patch', path: string, body: string) =>
      agent[method](`/scim/v2${path}`).set(h.auth).set('Content-Type', SCIM_JSON).send(body),
  };
}

export function userBody(userName: string, extra: Record<string, unknown> = {}) {
  return { schemas: [USER_SCHEMA], userName, name: { givenName: 'Given', familyName: 'Family' }, emails: [{ value: `${userName}@example.com`, type: 'work', primary: true }], active: true, ...extra };
}

export function patchOps(...Operations: unknown[]) {
  return { schemas: [PATCH_OP], Operations };
}

export async function createUser(h: Harness, userName: string, extra: Record<string, unknown> = {}): Promise<{ id: string; version: string }> {
  const res = await scim(h).post('/Users', userBody(userName, extra));
  if (res.status !== 201) throw new Error(`create ${userName}: ${res.status} ${JSON.stringify(res.body)}`);
  return { id: res.body.id, version: res.body.meta.version };
}

export function counts(store: Store): Record<string, number> {
  const count = (table: string) => (store.db.prepare(`SELECT COUNT(*) AS n FROM ${table}`).get() as { n: number }).n;
  return {
    users: count('users'),
    user_emails: count('user_emails'),
    groups: count('groups'),
    memberships: count('memberships'),
    ledger: count('ledger'),
    sync_queue: count('sync_queue'),
  };
}
