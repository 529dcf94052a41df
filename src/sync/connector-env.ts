import type { Connector, ConnectorEnv, Health, OpContext } from '../../connectors/sdk/contract';
import { SecretRedactor, mapStrings } from '../../connectors/sdk/redact';
import type { Logger } from '../log';

const CHECK_TIMEOUT_MS = 30_000;

/**
 * What a connector gets from the bridge: a logger tagged with its target whose lines are scrubbed of the
 * target's secrets, the bridge's clock, fetch, and the redactor it registers runtime secrets with.
 */
export function connectorEnv(
  logger: Logger,
  target: string,
  kind: string,
  now: () => Date,
  fetchImpl: typeof fetch = fetch,
  redactor = new SecretRedactor(),
): ConnectorEnv {
  const child = logger.child({ target, connector: kind });
  const scrub = (text: string) => redactor.scrub(text);
  const scrubbed = (message: string, meta?: Record<string, unknown>) => [scrub(message), meta && (mapStrings(meta, scrub) as Record<string, unknown>)] as const;
  return {
    logger: {
      debug: (message, meta) => child.debug(...scrubbed(message, meta)),
      info: (message, meta) => child.info(...scrubbed(message, meta)),
      warn: (message, meta) => child.warn(...scrubbed(message, meta)),
      error: (message, meta) => child.error(...scrubbed(message, meta)),
    },
    now,
    fetch: fetchImpl,
    redactor,
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
