import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { configurationReference } from '../../src/config/reference';
import configSchema from '../../schemas/config.schema.json';

describe('configuration reference', () => {
  const reference = configurationReference();

  it('documents every top-level key of the config schema and the keys of each section', () => {
    for (const [section, schema] of Object.entries(configSchema.properties)) {
      expect(reference).toContain(`| \`${section}\` |`);
      for (const key of Object.keys((schema as { properties?: object }).properties ?? {})) expect(reference).toContain(`| \`${section}.${key}\` |`);
    }
    expect(reference).toMatch(/\| `server.port` \| integer \(0–65535\) \| `8080` \| TCP port/);
    expect(reference).toMatch(/\| `targets\[\].name` \| string \*\*required\*\* \|/);
  });

  it('is what docs/configuration.md says (regenerate: npx scim-bridge config reference > docs/configuration.md)', () => {
    expect(readFileSync(join(__dirname, '../../docs/configuration.md'), 'utf8')).toBe(reference);
  });
});
