import { randomUUID } from 'node:crypto';
import type { AddressInfo } from 'node:net';
import express from 'express';
import SCIMMY from 'scimmy';
import { SCIMMYRouters } from 'scimmy-routers';

/**
 * The benchmark's yardstick: scimmy-routers with Users kept in a Map (no database, no ledger, no
 * queue, no logging). The bridge's write throughput is reported as a share of this server's.
 * Run: node dist/bench/baseline-server.js PORT TOKEN; prints {"message":"listening","port":N}.
 */
type StoredUser = Record<string, unknown> & { id: string; userName: string };

const usersById = new Map<string, StoredUser>();
const idByUserName = new Map<string, string>();

export function createBaselineApp(token: string): express.Express {
  SCIMMY.Resources.declare(SCIMMY.Resources.User)
    .ingress((resource, instance) => {
      const userName = String((instance as { userName: string }).userName);
      const existing = idByUserName.get(userName.toLowerCase());
      if (existing && existing !== resource.id) throw new SCIMMY.Types.Error(409, 'uniqueness', 'userName is already taken');
      const id = resource.id ?? randomUUID();
      const now = new Date().toISOString();
      const stored: StoredUser = { ...(instance as object), id, userName, meta: { created: now, lastModified: now } };
      usersById.set(id, stored);
      idByUserName.set(userName.toLowerCase(), id);
      return stored;
    })
    .egress((resource) => {
      if (!resource.id) return [...usersById.values()];
      const user = usersById.get(resource.id);
      if (!user) throw new SCIMMY.Types.Error(404, '', `Resource ${resource.id} not found`);
      return user;
    })
    .degress((resource) => {
      usersById.delete(resource.id!);
    });
  const app = express();
  app.use(
    '/scim/v2',
    new SCIMMYRouters({
      type: 'bearer',
      docUri: 'https://example.invalid/auth',
      handler: (req) => {
        if (req.header('authorization') !== `Bearer ${token}`) throw new Error('Authorization not detected!');
        return 'bench';
      },
    }),
  );
  return app;
}

if (require.main === module) {
  const [port = '0', token = 'bench-token'] = process.argv.slice(2);
  const server = createBaselineApp(token).listen(Number(port), '127.0.0.1', () => {
    process.stdout.write(`${JSON.stringify({ message: 'listening', port: (server.address() as AddressInfo).port })}\n`);
  });
  process.once('SIGTERM', () => server.close(() => process.exit(0)));
}
