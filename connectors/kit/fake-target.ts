/**
 * What the kit needs from any fake target, HTTP or in-process: a way to count the calls it served,
 * to revoke the connector's credentials, to go back to a fresh state, and to stop.
 */
export interface FakeTarget {
  /** Calls served since the last reset, faults included. */
  requestCount(): number;
  /** From now on every call fails authentication (401 or the target's equivalent) until reset(). */
  revokeCredentials(): void;
  /** Back to a fresh fake: no data, no faults, no latency, valid credentials, counters at zero. */
  reset(): void;
  stop(): Promise<void>;
}
