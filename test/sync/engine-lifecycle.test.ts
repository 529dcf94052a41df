import { randomUUID } from 'node:crypto';
import { startServer } from '../../src/server';
import { Store } from '../../src/store';
import { syncModule } from '../../src/sync/module';
import { capturedLogger, testConfig } from '../server/support';
import { Harness, ctx, waitFor } from './harness';

describe('engine lifecycle', () => {
  let harness: Harness;
  afterEach(() => harness.close());

  it('stop() aborts the operation in flight and hands the item back without counting an attempt', async () => {
    harness = await Harness.start();
    harness.directory().latency(10_000);
    const ada = harness.createUser('ada');
    await waitFor(() => harness.directory().calls('users.create') === 1);
    const started = Date.now();
    await harness.engine.stop();
    expect(Date.now() - started).toBeLessThan(5000);
    expect(harness.store.queue.get('app', { kind: 'user', id: ada })).toMatchObject({ state: 'pending', attempts: 0 });

    harness.directory().latency(0);
    await harness.startEngine();
    await harness.settle();
    expect(harness.remoteUser('ada')).toBeDefined();
  });

  it('delivers to several targets independently: a dead target does not hold back the others', async () => {
    harness = await Harness.start([{ name: 'healthy' }, { name: 'broken', delivery: { maxAttempts: 2 } }]);
    harness.directory('broken').failNext(100, { kind: 'retryable', message: 'down' });
    const ada = harness.createUser('ada');
    await harness.settle();
    expect(harness.remoteUser('ada', 'healthy')).toBeDefined();
    expect(harness.store.queue.get('broken', { kind: 'user', id: ada })?.state).toBe('dead');
    expect(harness.store.queue.get('healthy', { kind: 'user', id: ada })).toBeUndefined();
  });

  it('honours requestsPerSecond from the target config (also for connector limits)', async () => {
    harness = await Harness.start([{ delivery: { requestsPerSecond: 10, concurrency: 4 } }]);
    const started = Date.now();
    for (let index = 0; index < 15; index++) harness.createUser(`user${index}`);
    await harness.settle();
    expect(harness.directory().allUsers()).toHaveLength(15);
    // 10 from the full bucket, 5 more at 10/s: the target never saw more than its rate allows.
    expect(Date.now() - started).toBeGreaterThanOrEqual(450);
  });
});

describe('engine under serve', () => {
  it('tells of deliveries it resumes after the listening line, which stays the first', async () => {
    const config = testConfig({ targets: [{ name: 'app', connector: 'memory', config: { directory: `dir-${randomUUID()}` } }] });
    const before = Store.open(config.database.file);
    const ada = before.users.create({ userName: 'ada' }, ctx()).id;
    before.queue.enqueue('app', { kind: 'user', id: ada }, 'r-1');
    expect(before.queue.claim('app', 10)).toHaveLength(1); // a crash left it in flight
    before.close();

    const { logger, lines } = capturedLogger();
    const running = await startServer({ config, logger, modules: [syncModule] });
    try {
      const messages = lines().map((line) => JSON.parse(line).message as string);
      expect(messages[0]).toBe('listening');
      expect(messages).toContain('resuming deliveries left in flight');
      await waitFor(() => running.context.store.queue.get('app', { kind: 'user', id: ada }) === undefined);
    } finally {
      await running.stop();
    }
  });
});
