import { Harness, waitFor } from './harness';

describe('delivery failures', () => {
  let harness: Harness;
  afterEach(() => harness.close());

  it('Retry-After pauses the whole target and the wait does not count as an attempt', async () => {
    harness = await Harness.start([{ delivery: { concurrency: 1 } }]);
    harness.directory().failNext(1, { kind: 'rate-limited', retryAfterMs: 400 }, 'users.create');
    const started = Date.now();
    const ada = harness.createUser('ada');
    await waitFor(() => harness.store.queue.get('app', { kind: 'user', id: ada })?.last_error !== null);
    const waiting = harness.store.queue.get('app', { kind: 'user', id: ada })!;
    expect(waiting).toMatchObject({ state: 'pending', attempts: 0 });
    expect(waiting.last_error).toMatch(/rate limited/);

    harness.createUser('bob'); // same target, other subject: must also wait for the pause
    await harness.settle();
    expect(Date.now() - started).toBeGreaterThanOrEqual(390);
    expect(harness.directory().allUsers().map((user) => user.key).sort()).toEqual(['ada', 'bob']);
    expect(harness.directory().calls('users.create')).toBe(3); // one refused, then one per user
    expect(harness.ledgerKinds(`user:${ada}`)).toEqual(['user.created', 'delivery.retry', 'delivery.applied']);
  });

  it('a Retry-After of 0 still rests the target a second, and a run of refusals is not a ledger row each', async () => {
    harness = await Harness.start();
    harness.directory().rateLimitAfter(0, 0);
    const ada = harness.createUser('ada');
    const row = () => harness.store.queue.get('app', { kind: 'user', id: ada })!;
    await waitFor(() => row().throttled === 1);
    expect(row().due_at - harness.clock.now().getTime()).toBeGreaterThan(900);
    expect(harness.directory().calls('users.create')).toBe(1);

    await waitFor(() => row().throttled === 3);
    expect(harness.directory().calls('users.create')).toBe(3);
    const retries = harness.store.ledger.forSubject(`user:${ada}`).filter((entry) => entry.kind === 'delivery.retry');
    expect(retries.map((entry) => entry.reason)).toEqual(['rate limited for 1000 ms', 'rate limited for 1000 ms (2 times in a row)']);

    harness.directory().rateLimitAfter(1_000_000, 0);
    await harness.settle(1500);
    expect(harness.remoteUser('ada')).toBeDefined();
    expect(harness.ledgerKinds(`user:${ada}`).at(-1)).toBe('delivery.applied');
  });

  it('backs off after transient failures, then succeeds', async () => {
    harness = await Harness.start([{ delivery: { maxAttempts: 5, backoff: { baseMs: 20, maxMs: 100 } } }]);
    harness.directory().failNext(2, { kind: 'retryable', message: 'HTTP 503 from target' }, 'users.create');
    const ada = harness.createUser('ada');
    await harness.settle();
    expect(harness.remoteUser('ada')).toBeDefined();
    expect(harness.directory().calls('users.create')).toBe(3);
    const retries = harness.store.ledger.forSubject(`user:${ada}`).filter((row) => row.kind === 'delivery.retry');
    expect(retries.map((row) => row.reason)).toEqual([
      expect.stringMatching(/^attempt 1 failed; retrying in \d+ ms$/),
      expect.stringMatching(/^attempt 2 failed; retrying in \d+ ms$/),
    ]);
    expect(JSON.parse(retries[0].after!).error).toBe('HTTP 503 from target');
  });

  it('dead-letters after maxAttempts with the error, and a retry of the dead item delivers it', async () => {
    harness = await Harness.start([{ delivery: { maxAttempts: 3 } }]);
    harness.directory().failNext(3, { kind: 'retryable', message: 'target down' }, 'users.create');
    const ada = harness.createUser('ada');
    await harness.settle();
    expect(harness.store.queue.get('app', { kind: 'user', id: ada })).toMatchObject({ state: 'dead', attempts: 3, last_error: 'target down' });
    expect(harness.ledgerKinds(`user:${ada}`).at(-1)).toBe('delivery.dead');

    expect(harness.store.queue.retryDead('app', { kind: 'user', id: ada })).toBe(1);
    await harness.settle();
    expect(harness.remoteUser('ada')).toBeDefined();
    expect(harness.store.queue.get('app', { kind: 'user', id: ada })).toBeUndefined();
  });

  it.each([
    ['refused permanently', { maxAttempts: 5 }, { kind: 'permanent', message: 'displayName "Forbidden" not allowed' }],
    ['failing its last attempt', { maxAttempts: 1 }, { kind: 'retryable', message: 'HTTP 503' }],
  ] as const)('a corrected change that arrives while the attempt is %s is delivered, not dead-lettered', async (_case, delivery, fault) => {
    harness = await Harness.start([{ delivery }]);
    harness.directory().latency(300).failNext(1, fault, 'users.create');
    const eve = harness.createUser('eve', { displayName: 'Forbidden' } as never);
    await waitFor(() => harness.directory().calls('users.create') === 1);
    harness.patchUser(eve, (user) => (user.displayName = 'Eve Fixed'));
    await harness.settle();

    expect(harness.store.queue.get('app', { kind: 'user', id: eve })).toBeUndefined();
    expect(harness.remoteUser('eve')!.attributes.displayName).toBe('Eve Fixed');
    const kinds = harness.ledgerKinds(`user:${eve}`).filter((kind) => kind.startsWith('delivery.'));
    expect(kinds).toEqual(['delivery.retry', 'delivery.applied']);
  });

  it('a permanent refusal is dead at once with the target\'s message', async () => {
    harness = await Harness.start([{ delivery: { maxAttempts: 5 } }]);
    harness.directory().failNext(1, { kind: 'permanent', message: 'email domain not allowed' }, 'users.create');
    const ada = harness.createUser('ada');
    await harness.settle();
    expect(harness.store.queue.get('app', { kind: 'user', id: ada })).toMatchObject({ state: 'dead', attempts: 1, last_error: 'email domain not allowed' });
    expect(harness.directory().calls('users.create')).toBe(1);
  });

  it('never stores a secret of the target\'s config, even when a connector puts it in an error', async () => {
    const token = 'tok_9f8e7d6c5b4a';
    harness = await Harness.start([{ connectorConfig: { token } }]);
    harness.directory().failNext(1, { kind: 'permanent', message: `refused request with token ${token}` }, 'users.create');
    const ada = harness.createUser('ada');
    await harness.settle();
    const item = harness.store.queue.get('app', { kind: 'user', id: ada })!;
    expect(item.last_error).toBe('refused request with token [redacted]');
    const ledger = JSON.stringify(harness.store.ledger.forSubject(`user:${ada}`));
    expect(ledger).toContain('[redacted]');
    expect(ledger).not.toContain(token);
  });

  it('a configuration error pauses the target and keeps the item pending until resumed', async () => {
    harness = await Harness.start();
    harness.directory().failNext(1, { kind: 'config', message: 'token lacks scope admin:org' }, 'users.create');
    const ada = harness.createUser('ada');
    await waitFor(() => harness.engine.status()[0].paused);
    const status = harness.engine.status()[0];
    expect(status.pausedReason).toMatch(/token lacks scope admin:org/);
    expect(status.health.ok).toBe(false);
    expect(harness.store.queue.get('app', { kind: 'user', id: ada })).toMatchObject({ state: 'pending', attempts: 0 });
    expect(harness.store.ledger.forSubject('target:app').map((row) => row.kind)).toEqual(['target.paused']);

    harness.engine.resume('app');
    await harness.settle();
    expect(harness.remoteUser('ada')).toBeDefined();
  });

  it('a pause for a configuration error ends at a start whose check passes; an operator\'s pause does not', async () => {
    harness = await Harness.start([{}, { name: 'other' }]);
    harness.directory().failNext(1, { kind: 'config', message: 'token lacks scope admin:org' }, 'users.create');
    harness.engine.pause('other', 'maintenance window');
    const ada = harness.createUser('ada');
    await waitFor(() => harness.engine.status()[0].paused);

    await harness.restartWith((targets) => targets);
    await waitFor(() => !harness.engine.status()[0].paused);
    await harness.settle();

    expect(harness.remoteUser('ada')).toBeDefined();
    expect(harness.store.queue.get('app', { kind: 'user', id: ada })).toBeUndefined();
    expect(harness.store.ledger.forSubject('target:app').map((row) => row.kind)).toEqual(['target.paused', 'target.resumed']);
    expect(harness.engine.status()[1]).toMatchObject({ paused: true, pausedReason: 'maintenance window' });
  });

  it('a paused target receives nothing until it is resumed', async () => {
    harness = await Harness.start();
    harness.engine.pause('app', 'maintenance window');
    harness.createUser('ada');
    await new Promise((resolve) => setTimeout(resolve, 100));
    expect(harness.directory().requestCount()).toBeLessThanOrEqual(1); // at most the health check
    expect(harness.directory().allUsers()).toEqual([]);

    harness.engine.resume('app');
    await harness.settle();
    expect(harness.remoteUser('ada')).toBeDefined();
  });

  it('a restart resumes what the queue holds, including items left in flight by a crash', async () => {
    harness = await Harness.start();
    await harness.engine.stop();
    const ada = harness.createUser('ada');
    const bob = harness.createUser('bob');
    harness.store.db.prepare(`UPDATE sync_queue SET state = 'inflight' WHERE subject_id = ?`).run(ada);

    await harness.startEngine();
    await harness.settle();
    expect(harness.directory().allUsers().map((user) => user.key).sort()).toEqual(['ada', 'bob']);
    expect(harness.store.queue.get('app', { kind: 'user', id: bob })).toBeUndefined();
  });
});
