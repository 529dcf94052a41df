import { randomUUID } from 'node:crypto';
import cron, { type ScheduledTask } from 'node-cron';
import type { BridgeConfig } from '../config/types';
import { cronLogger } from '../log';
import type { ServerModule } from '../server';
import type { Store } from '../store';
import { Grants } from '../store/grants';
import { lifecycleAdminRouter } from '../http/admin/grants';
import { identityAdminRouter } from '../http/admin/identities';
import { GrantService } from './grant-service';
import { IdentityAdmin } from './identity-admin';
import { PrivilegedGroups } from './privileged-groups';
import { ExpirySweeper } from './sweeper';

/** Grants, the grant service and the sweeper over one store, as `serve` and the CLI both build them. */
export function lifecycleParts(store: Store, config: Pick<BridgeConfig, 'lifecycle' | 'targets'>) {
  const grants = new Grants(store.db, store.changes, store.now, new PrivilegedGroups(store.db, config.lifecycle.privilegedGroups));
  return {
    grants,
    grantService: new GrantService(store, grants, config.targets),
    sweeper: new ExpirySweeper(store, grants, config.lifecycle),
    identities: new IdentityAdmin(store),
  };
}

/** Grants, identities, the expiry sweeper on its cron schedule, and their admin API. */
export const lifecycleModule: ServerModule = {
  name: 'lifecycle',
  setup({ config, store, logger }) {
    const { grants, grantService, sweeper, identities } = lifecycleParts(store, config);
    const targets = config.targets.map((target) => target.name);
    const sweepNow = (requestId: string) => {
      const result = sweeper.run(requestId);
      const changed = counts(result);
      // Every minute by default: a line at info only when the sweep changed something.
      const level = Object.values(changed).some((count) => count > 0) ? 'info' : 'debug';
      logger.log(level, 'expiry sweep', { requestId, ...changed });
      return result;
    };
    let task: ScheduledTask | undefined;
    return {
      adminRouters: [lifecycleAdminRouter({ store, grants, grantService, targets, sweepNow }), identityAdminRouter(identities)],
      services: [
        {
          name: 'expiry-sweeper',
          start() {
            task = cron.schedule(config.lifecycle.sweepSchedule, () => sweepNow(`sweep-${randomUUID()}`), {
              name: 'expiry-sweeper',
              timezone: config.lifecycle.timezone,
              noOverlap: true,
              logger: cronLogger(logger, 'expiry-sweeper'),
            });
          },
          async stop() {
            await task?.destroy();
          },
        },
      ],
    };
  },
};

export function counts(result: object): Record<string, number> {
  return Object.fromEntries(Object.entries(result).map(([key, ids]) => [key, ids.length]));
}
