import type { Connector, ConnectorEnv, Health, OpContext } from '../../connectors/sdk/contract';
import type { Logger } from '../log';

const CHECK_TIMEOUT_MS = 30_000;

/** What a connector gets from the bridge: a logger tagged with its target, the bridge's clock, fetch. */
export function connectorEnv(logger: Logger, target: string, kind: string, now: () => Date, fetchImpl: typeof fetch = fetch): ConnectorEnv {
  const child = logger.child({ target, connector: kind });
  return {
    logger: {
      debug: (message, meta) => child.debug(message, meta),
      info: (message, meta) => child.info(message, meta),
      warn: (message, meta) => child.warn(message, meta),
      error: (message, meta) => child.error(message, meta),
    },
    now,
    fetch: fetchImpl,
  };
}

/** The connector's own check() (credentials and permissions, no writes), bounded in time; never throws. */
export async function checkConnector(connector: Connector, target: string): Promise<Health> {
  const ctx: OpContext = { idempotencyKey: `check:${target}`, signal: AbortSignal.timeout(CHECK_TIMEOUT_MS), requestId: `check-${target}` };
  try {
    return await connector.check(ctx);
  } catch (error) {
    return { ok: false, message: `check failed: ${(error as Error).message}` };
  }
}
