/**
 * A configuration that cannot be used. Each problem names where it is (`targets[0].connector`) and what
 * is wrong; messages never contain a secret's value.
 */
export class InvalidConfigError extends Error {
  constructor(readonly problems: string[], readonly source = 'configuration') {
    super(`invalid ${source}:\n${problems.map((problem) => `  - ${problem}`).join('\n')}`);
    this.name = 'InvalidConfigError';
  }
}
