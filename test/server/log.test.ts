import { PassThrough } from 'node:stream';
import { InvalidConfigError } from '../../src/config/errors';
import { createLogger, logLevel } from '../../src/log';
import { capturedLogger } from './support';

describe('log lines', () => {
  it('scrub credential-shaped text from every string field, at any depth, not only the message', () => {
    const { logger, lines } = capturedLogger();
    logger.error('target said Authorization: Bearer AccessTok_98765abc', {
      error: 'HTTP 400: rejected Authorization: Bearer AccessTok_98765abc',
      detail: { response: '{"access_token":"ya29.secret-1","token_type":"Bearer"}', list: ['Basic Y2lkOnNlY3JldA=='] },
    });
    const line = lines()[0];
    expect(line).not.toMatch(/AccessTok_98765abc|ya29\.secret-1|Y2lkOnNlY3JldA==/);
    expect(JSON.parse(line)).toMatchObject({
      message: 'target said Authorization: Bearer [redacted]',
      error: 'HTTP 400: rejected Authorization: Bearer [redacted]',
      detail: { response: '{"access_token":"[redacted]","token_type":"Bearer"}', list: ['Basic [redacted]'] },
    });
  });

  it('still hide whole values under secret-looking keys', () => {
    const { logger, lines } = capturedLogger();
    logger.info('request', { headers: { authorization: 'anything at all' }, clientSecret: 'x' });
    expect(JSON.parse(lines()[0])).toMatchObject({ headers: { authorization: '[redacted]' }, clientSecret: '[redacted]' });
  });

  it('never throw when the stream fails (a closed stdout): the line is dropped', () => {
    const stream = new PassThrough();
    const logger = createLogger({ stream });
    expect(() => stream.emit('error', Object.assign(new Error('write EPIPE'), { code: 'EPIPE' }))).not.toThrow();
    stream.destroy();
    expect(() => logger.info('after the stream died')).not.toThrow();
  });
});

describe('logLevel (SCIM_BRIDGE_LOG_LEVEL)', () => {
  it.each([
    [undefined, 'info'],
    ['', 'info'],
    ['DEBUG', 'debug'],
    [' Warn ', 'warn'],
    ['silly', 'silly'],
  ])('%p → %p', (name, level) => expect(logLevel(name)).toBe(level));

  it.each(['verbose2', 'trace', 'fatal'])('refuses %p: winston would log nothing at all', (name) => {
    expect(() => logLevel(name)).toThrow(InvalidConfigError);
    expect(() => logLevel(name)).toThrow(`SCIM_BRIDGE_LOG_LEVEL: must be one of error, warn, info, http, verbose, debug, silly (got "${name}")`);
  });
});
