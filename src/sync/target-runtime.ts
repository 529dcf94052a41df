import type { Connector, Health } from '../../connectors/sdk/contract';
import { redactSecrets } from '../../connectors/sdk/redact';
import { redact } from '../log';
import { RateLimiter } from './limiter';
import { createTargetMapping, type TargetMapping } from './mapping';
import type { TargetSettings } from './target-config';

/** One configured target while the engine runs: its connector, compiled mapping, limiter and health. */
export class TargetRuntime {
  readonly mapping: TargetMapping;
  readonly limiter: RateLimiter;
  health: Health = { ok: true, message: 'not checked yet' };
  /** The config's secret values (tokens, keys…): scrubbed from every message the engine stores. */
  private readonly secrets: string[];

  constructor(readonly settings: TargetSettings, readonly connector: Connector) {
    this.mapping = createTargetMapping(settings);
    this.limiter = new RateLimiter(settings.delivery.requestsPerSecond);
    this.secrets = secretValues(settings.config, redact(settings.config));
  }

  /** Defence in depth: connectors must not put secrets in messages, and if one does, it goes no further. */
  scrub(message: string): string {
    return redactSecrets(message, this.secrets);
  }

  get name(): string {
    return this.settings.name;
  }

  get kind(): string {
    return this.settings.definition.kind;
  }
}

/** The values the log redactor would hide (same rule for "secret-looking" keys), found by comparing. */
function secretValues(original: unknown, redacted: unknown): string[] {
  if (original === redacted) return [];
  if (typeof redacted === 'string') return allStrings(original); // hidden wholesale
  if (original === null || typeof original !== 'object' || redacted === null || typeof redacted !== 'object') return [];
  return Object.entries(original).flatMap(([key, value]) => secretValues(value, (redacted as Record<string, unknown>)[key]));
}

function allStrings(value: unknown): string[] {
  if (typeof value === 'string') return [value];
  if (value === null || typeof value !== 'object') return [];
  return Object.values(value).flatMap(allStrings);
}
