import type { Connector, Health } from '../../connectors/sdk/contract';
import { SecretRedactor } from '../../connectors/sdk/redact';
import { redact } from '../log';
import { RateLimiter } from './limiter';
import { createTargetMapping, type TargetMapping } from './mapping';
import type { TargetSettings } from './target-config';

/** One configured target while the engine runs: its connector, compiled mapping, limiter and health. */
export class TargetRuntime {
  readonly mapping: TargetMapping;
  readonly limiter: RateLimiter;
  health: Health = { ok: true, message: 'not checked yet' };
  /** The one the connector's env was given (targetRedactor), so the tokens it fetches at run time are scrubbed too. */
  private readonly redactor: SecretRedactor;

  constructor(readonly settings: TargetSettings, readonly connector: Connector) {
    this.mapping = createTargetMapping(settings);
    this.limiter = new RateLimiter(settings.delivery.requestsPerSecond);
    this.redactor = targetRedactor(settings);
  }

  /** Defence in depth: connectors must not put secrets in messages, and if one does, it goes no further. */
  scrub(message: string): string {
    return this.redactor.scrub(message);
  }

  get name(): string {
    return this.settings.name;
  }

  get kind(): string {
    return this.settings.definition.kind;
  }
}

const redactors = new WeakMap<Pick<TargetSettings, 'config'>, SecretRedactor>();

/**
 * The target's redactor: its config's secret values (tokens, keys…), the secrets its connector registers
 * at run time, and credential-shaped text. One per settings object, so the connector's env (connectorEnv)
 * and every TargetRuntime of that target share what the connector registered.
 */
export function targetRedactor(settings: Pick<TargetSettings, 'config'>): SecretRedactor {
  let redactor = redactors.get(settings);
  if (!redactor) redactors.set(settings, (redactor = new SecretRedactor(secretValues(settings.config, redact(settings.config)))));
  return redactor;
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
