import { connectors } from '../../connectors';
import { reconcileAdminRouter } from '../http/admin/reconcile';
import type { ServerModule } from '../server';
import { resolveTargets } from '../sync/target-config';
import { ReconcileScheduler } from './schedule';
import { ReconcileService } from './service';
import { resolveReconcileSettings } from './settings';

/** Reconciliation in `serve`: the per-target cron schedules and /admin/reconcile. */
export const reconcileModule: ServerModule = {
  name: 'reconcile',
  setup({ config, store, logger }) {
    const log = logger.child({ component: 'reconcile' });
    const service = new ReconcileService({
      store,
      targets: resolveTargets(config.targets, connectors),
      settings: resolveReconcileSettings(config.targets),
      logger: log,
    });
    return { services: [new ReconcileScheduler(service, log)], adminRouters: [reconcileAdminRouter(service)] };
  },
};
