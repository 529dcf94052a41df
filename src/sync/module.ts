import { connectors } from '../../connectors';
import { deliveriesAdminRouter } from '../http/admin/deliveries';
import { createMetrics } from '../http/metrics';
import type { ServerModule } from '../server';
import { DeliveryAdmin } from './delivery-admin';
import { SyncEngine } from './engine';

/** The sync engine as part of `serve`: the engine service, its admin API and /metrics. */
export const syncModule: ServerModule = {
  name: 'sync',
  setup({ config, store, logger }) {
    const metrics = createMetrics(store, { targets: config.targets.map((target) => target.name) });
    const engine = new SyncEngine({ store, targets: config.targets, connectors, logger: logger.child({ component: 'sync' }), observer: metrics.observer });
    const admin = new DeliveryAdmin(store, engine.targets.map((target) => target.name), (target) => target && engine.refresh(target));
    return {
      services: [engine],
      adminRouters: [deliveriesAdminRouter({ admin, engineStatus: () => engine.status() })],
      rootRouters: [metrics.router],
    };
  },
};
