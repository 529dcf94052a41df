import { defaultLifecycleConfig } from '../lifecycle/config';
import type { BridgeConfig } from './types';

export const DEFAULT_PORT = 8080;
export const DEFAULT_DB_FILE = './data/scim-bridge.db';

export function defaultConfig(): BridgeConfig {
  return {
    server: { port: DEFAULT_PORT, host: '0.0.0.0' },
    database: { file: DEFAULT_DB_FILE },
    scim: { maxBulkOperations: 1000, maxPayloadBytes: 1_048_576, maxResults: 1000 },
    targets: [],
    lifecycle: defaultLifecycleConfig(),
  };
}
