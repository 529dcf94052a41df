import type { Connector, Health } from '../../connectors/sdk/contract';
import { RateLimiter } from './limiter';
import { createTargetMapping, type TargetMapping } from './mapping';
import type { TargetSettings } from './target-config';

/** One configured target while the engine runs: its connector, compiled mapping, limiter and health. */
export class TargetRuntime {
  readonly mapping: TargetMapping;
  readonly limiter: RateLimiter;
  health: Health = { ok: true, message: 'not checked yet' };

  constructor(readonly settings: TargetSettings, readonly connector: Connector) {
    this.mapping = createTargetMapping(settings);
    this.limiter = new RateLimiter(settings.delivery.requestsPerSecond);
  }

  get name(): string {
    return this.settings.name;
  }

  get kind(): string {
    return this.settings.definition.kind;
  }
}
