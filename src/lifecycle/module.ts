import { randomUUID } from 'node:crypto';
import cron, { type ScheduledTask } from 'node-cron';
import { cronLogger } from '../log';
import type { ServerModule } from '../server';
import { Grants } from '../store/grants';
import { lifecycleAdminRouter } from '../http/admin/grants';
import { GrantService } from './grant-service';
import { ExpirySweeper } from './sweeper';

/** Grants, the expiry sweeper on its cron schedule, and their admin API. */
export const lifecycleModule: ServerModule = {
  name: 'lifecycle',
  setup({ config, store, logger }) {
    const grants = new Grants(store.db, store.changes, store.now);
    const sweeper = new ExpirySweeper(store, grants, config.lifecycle);
    const sweepNow = (requestId: string) => {
      const result = sweeper.run(requestId);
      logger.info('expiry sweep', { requestId, ...counts(result) });
      return result;
    };
    let task: ScheduledTask | undefined;
    return {
      adminRouters: [lifecycleAdminRouter({ store, grants, grantService: new GrantService(store.db, grants, config.lifecycle, store.now), sweepNow })],
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

function counts(result: object): Record<string, number> {
  return Object.fromEntries(Object.entries(result).map(([key, ids]) => [key, ids.length]));
}
