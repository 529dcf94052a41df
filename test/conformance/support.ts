import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { Writable } from 'node:stream';
import request from 'supertest';
import { createApp } from '../../src/app';
import { defaultConfig } from '../../src/config/defaults';
import type { BridgeConfig } from '../../src/config/types';
import { createLogger } from '../../src/log';
import { Store } from '../../src/store';
import { openDatabase } from '../../src/store/db';
import { Tokens } from '../../src/store/tokens';
import { ERROR_SCHEMA, SCIM_JSON, type Harness } from '../scim/helpers';

export { counts, createUser, patchOps, scim, userBody, ENTERPRISE, ERROR_SCHEMA, GROUP_SCHEMA, PATCH_OP, SCIM_JSON, USER_SCHEMA } from '../scim/helpers';
export type { Harness } from '../scim/helpers';

export const LIST_RESPONSE = 'urn:ietf:params:scim:api:messages:2.0:ListResponse';

export interface FileHarness extends Harness {
  /** The bearer token, for raw requests. */
  token: string;
  close(): void;
}

/**
 * The same app the SCIM edge tests drive (test/scim/helpers.ts), but over a SQLite file in a temp
 * directory, as `serve` runs it: WAL, real fsync mode, real file locking.
 */
export function fileHarness(scim: Partial<BridgeConfig['scim']> = {}): FileHarness {
  const dir = mkdtempSync(join(tmpdir(), 'scim-bridge-conformance-'));
  const config = defaultConfig();
  config.scim = { ...config.scim, ...scim };
  const store = new Store(openDatabase(join(dir, 'bridge.db')));
  const tokens = new Tokens(store.db);
  const token = tokens.create('idp', 'scim');
  const logLines: string[] = [];
  const stream = new Writable({
    write(chunk: Buffer, _encoding, done) {
      logLines.push(chunk.toString());
      done();
    },
  });
  const app = createApp({ store, tokens, logger: createLogger({ stream }), config });
  return {
    app, store, config, logLines, token,
    auth: { Authorization: `Bearer ${token}` },
    close: () => {
      store.close();
      rmSync(dir, { recursive: true, force: true });
    },
  };
}

/** A GET with query parameters, encoded the way IdPs send them. */
export function getWith(h: Harness, path: string, query: Record<string, string | number>) {
  return request(h.app).get(`/scim/v2${path}`).query(query).set(h.auth);
}

/** Asserts an RFC 7644 3.12 error body with the right media type; returns it for further checks. */
export function expectScimError(res: request.Response, status: number, scimType?: string): Record<string, unknown> {
  expect({ status: res.status, type: res.headers['content-type'] }).toEqual({ status, type: expect.stringContaining(SCIM_JSON) });
  expect(res.body).toMatchObject({ schemas: [ERROR_SCHEMA], status: String(status), detail: expect.any(String) });
  if (scimType) expect(res.body.scimType).toBe(scimType);
  return res.body;
}

/** Asserts a 2xx answer in application/scim+json with the given status. */
export function expectScim(res: request.Response, status: number): Record<string, any> {
  expect({ status: res.status, body: res.status === status ? undefined : res.body }).toEqual({ status, body: undefined });
  if (status !== 204) expect(res.headers['content-type']).toContain(SCIM_JSON);
  return res.body;
}
