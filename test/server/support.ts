import { join } from 'node:path';
import { PassThrough } from 'node:stream';
import { defaultConfig } from '../../src/config/defaults';
import type { BridgeConfig } from '../../src/config/types';
import { createLogger, type Logger } from '../../src/log';
import { tempDir } from '../cli/support/run-cli';

/** A config for a server on 127.0.0.1, an ephemeral port and a fresh database file. */
export function testConfig(overrides: Partial<BridgeConfig> = {}): BridgeConfig {
  const config = defaultConfig();
  return {
    ...config,
    server: { ...config.server, host: '127.0.0.1', port: 0 },
    database: { file: join(tempDir('server'), 'bridge.db') },
    ...overrides,
  };
}

/** A logger whose every line is kept, to assert on what was (and was not) logged. */
export function capturedLogger(): { logger: Logger; lines: () => string[] } {
  const stream = new PassThrough();
  const chunks: string[] = [];
  stream.on('data', (chunk: Buffer) => chunks.push(chunk.toString('utf8')));
  return { logger: createLogger({ stream, level: 'debug' }), lines: () => chunks.join('').split('\n').filter(Boolean) };
}
