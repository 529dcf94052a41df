import type { ServerModule } from './server';
import { lifecycleModule } from './lifecycle/module';
import { reconcileModule } from './reconcile/module';
import { syncModule } from './sync/module';

/**
 * Everything `scim-bridge serve` runs besides the SCIM edge, in start order: one line per module
 * (sync engine, reconciler, expiry sweeper, metrics). See ServerModule in ./server.ts.
 */
export const serverModules: ServerModule[] = [syncModule, reconcileModule, lifecycleModule];
