import winston from 'winston';

export type Logger = winston.Logger;

const SECRET_KEY = /authorization|cookie|token|password|secret|private_?key|client_?secret|credential|api_?key/i;
const REDACTED = '[redacted]';

/** Replaces values under secret-looking keys, at any depth, so secrets cannot reach a log line. */
export function redact(value: unknown, depth = 0): unknown {
  if (depth > 8 || value === null || typeof value !== 'object') return value;
  if (Array.isArray(value)) return value.map((item) => redact(item, depth + 1));
  const out: Record<string, unknown> = {};
  for (const [key, inner] of Object.entries(value as Record<string, unknown>)) {
    out[key] = SECRET_KEY.test(key) ? REDACTED : redact(inner, depth + 1);
  }
  return out;
}

const redactFormat = winston.format((info) => {
  for (const key of Object.keys(info)) {
    if (key === 'level' || key === 'message') continue;
    (info as Record<string, unknown>)[key] = SECRET_KEY.test(key) ? REDACTED : redact(info[key]);
  }
  info.message = typeof info.message === 'string' ? info.message.replace(/Bearer\s+\S+/gi, `Bearer ${REDACTED}`) : info.message;
  return info;
});

/** JSON lines on stdout (stderr for the CLI, whose stdout is data). Level from SCIM_BRIDGE_LOG_LEVEL. */
export function createLogger(options: { level?: string; stream?: NodeJS.WritableStream; silent?: boolean } = {}): Logger {
  return winston.createLogger({
    level: options.level ?? process.env.SCIM_BRIDGE_LOG_LEVEL ?? 'info',
    silent: options.silent,
    format: winston.format.combine(redactFormat(), winston.format.timestamp(), winston.format.json()),
    transports: [new winston.transports.Stream({ stream: options.stream ?? process.stdout })],
  });
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
