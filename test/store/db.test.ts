import { InvalidConfigError } from '../../src/config/errors';
import { openDatabase } from '../../src/store/db';

describe('openDatabase', () => {
  const saved = process.env.SCIM_BRIDGE_SYNCHRONOUS;
  afterEach(() => {
    if (saved === undefined) delete process.env.SCIM_BRIDGE_SYNCHRONOUS;
    else process.env.SCIM_BRIDGE_SYNCHRONOUS = saved;
  });

  it.each([
    ['FULL', 2],
    ['full', 2],
    ['Normal', 1],
    ['', 1],
  ])('SCIM_BRIDGE_SYNCHRONOUS=%p sets synchronous to %p', (value, expected) => {
    process.env.SCIM_BRIDGE_SYNCHRONOUS = value;
    const db = openDatabase(':memory:');
    expect(db.pragma('synchronous', { simple: true })).toBe(expected);
    db.close();
  });

  it.each(['FULLL', 'OFF', '2'])('refuses SCIM_BRIDGE_SYNCHRONOUS=%p instead of silently running NORMAL', (value) => {
    process.env.SCIM_BRIDGE_SYNCHRONOUS = value;
    expect(() => openDatabase(':memory:')).toThrow(InvalidConfigError);
    expect(() => openDatabase(':memory:')).toThrow(`SCIM_BRIDGE_SYNCHRONOUS: must be NORMAL or FULL (got "${value}")`);
  });

  it('keeps the serving connection\'s lock wait short (the event loop waits with it)', () => {
    const db = openDatabase(':memory:');
    expect(db.pragma('busy_timeout', { simple: true })).toBe(1000);
    db.close();
  });
});
