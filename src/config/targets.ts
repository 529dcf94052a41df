import type Ajv from 'ajv';
import type { AnySchema } from 'ajv';
import { schemaProblems } from './schema-validator';
import type { TargetConfig } from './types';

/** What config validation needs from a connector definition (any ConnectorDefinition<C> has it). */
export interface ConnectorSchema {
  kind: string;
  configSchema: AnySchema;
}

/**
 * Checks what the JSON schema cannot: target names are unique, each connector exists in the registry,
 * and each target's `config` satisfies that connector's own configSchema.
 */
export function targetProblems(ajv: Ajv, targets: readonly TargetConfig[], connectors: readonly ConnectorSchema[], unresolvedPaths: readonly string[] = []): string[] {
  const problems: string[] = [];
  const firstIndexByName = new Map<string, number>();
  targets.forEach((target, index) => {
    const earlier = firstIndexByName.get(target.name);
    if (earlier !== undefined) problems.push(`targets[${index}].name: '${target.name}' is already the name of targets[${earlier}]`);
    else firstIndexByName.set(target.name, index);

    const definition = connectors.find((candidate) => candidate.kind === target.connector);
    if (!definition) {
      problems.push(`targets[${index}].connector: must be one of ${connectors.map((c) => c.kind).join(', ') || '(no connectors registered)'}`);
      return;
    }
    problems.push(...schemaProblems(ajv, definition.configSchema, target.config, ['targets', index, 'config'], unresolvedPaths));
  });
  return problems;
}
