import winston from 'winston';
import { mapStrings, scrubCredentials } from '../connectors/sdk/redact';
import { InvalidConfigError } from './config/errors';

export type Logger = winston.Logger;

const SECRET_KEY = /authorization|cookie|token|password|secret|private_?key|client_?secret|credential|api_?key/i;
const REDACTED = '[redacted]';
const MAX_DEPTH = 8;

/** Replaces values under secret-looking keys, at any depth, so secrets cannot reach a log line. */
export function redact(value: unknown, depth = 0): unknown {
  if (depth > MAX_DEPTH || value === null || typeof value !== 'object') return value;
  if (Array.isArray(value)) return value.map((item) => redact(item, depth + 1));
  const out: Record<string, unknown> = {};
  for (const [key, inner] of Object.entries(value as Record<string, unknown>)) {
    out[key] = SECRET_KEY.test(key) ? REDACTED : redact(inner, depth + 1);
  }
  return out;
}

/** Values under secret-looking keys are replaced; credential-shaped text (`Bearer …`) is scrubbed from every string. */
const redactFormat = winston.format((info) => {
  for (const key of Object.keys(info)) {
    if (key === 'level') continue;
    (info as Record<string, unknown>)[key] = key !== 'message' && SECRET_KEY.test(key) ? REDACTED : mapStrings(redact(info[key]), scrubCredentials);
  }
  return info;
});

const LEVELS = Object.keys(winston.config.npm.levels);

/** A winston level from its name in any case; anything else is an error (winston would log nothing at all). */
export function logLevel(name: string | undefined): string {
  const level = name?.trim().toLowerCase() || 'info';
  if (!LEVELS.includes(level)) {
    throw new InvalidConfigError([`SCIM_BRIDGE_LOG_LEVEL: must be one of ${LEVELS.join(', ')} (got ${JSON.stringify(name)})`], 'environment');
  }
  return level;
}

/** JSON lines on stdout (stderr for the CLI, whose stdout is data). Level from SCIM_BRIDGE_LOG_LEVEL. */
export function createLogger(options: { level?: string; stream?: NodeJS.WritableStream; silent?: boolean } = {}): Logger {
  const stream = options.stream ?? process.stdout;
  ignoreWriteErrors(stream);
  const logger = winston.createLogger({
    level: logLevel(options.level ?? process.env.SCIM_BRIDGE_LOG_LEVEL),
    silent: options.silent,
    format: winston.format.combine(redactFormat(), winston.format.timestamp(), winston.format.json()),
    transports: [new winston.transports.Stream({ stream })],
  });
  logger.on('error', () => undefined);
  return logger;
}

const guarded = new WeakSet<NodeJS.WritableStream>();

/**
 * A log stream that fails (stdout closed: `serve | head -1`, a gone log collector) must not take the bridge
 * down with an unhandled EPIPE: serving IdPs matters more than the log line, which is dropped.
 */
function ignoreWriteErrors(stream: NodeJS.WritableStream): void {
  if (guarded.has(stream)) return;
  guarded.add(stream);
  stream.on('error', () => undefined);
}

/** node-cron's logger interface, routed to winston (its own default writes to the console). */
export function cronLogger(logger: Logger, task: string) {
  const meta = { task };
  return {
    info: (message: string) => logger.info(message, meta),
    warn: (message: string) => logger.warn(message, meta),
    error: (message: string | Error, error?: Error) => logger.error(String(message), { ...meta, error: error ? String(error) : undefined }),
    debug: (message: string | Error) => logger.debug(String(message), meta),
  };
}
