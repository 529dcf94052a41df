import configSchema from '../../schemas/config.schema.json';
import targetSchema from '../../schemas/target.schema.json';
import lifecycleSchema from '../../schemas/lifecycle.schema.json';

/** The subset of JSON Schema the config schemas use, as far as documenting them needs. */
interface SchemaNode {
  $id?: string;
  $ref?: string;
  type?: string | string[];
  description?: string;
  default?: unknown;
  enum?: unknown[];
  const?: unknown;
  minimum?: number;
  maximum?: number;
  exclusiveMinimum?: number;
  properties?: Record<string, SchemaNode>;
  required?: string[];
  additionalProperties?: boolean | SchemaNode;
  items?: SchemaNode;
  oneOf?: SchemaNode[];
  anyOf?: SchemaNode[];
  definitions?: Record<string, SchemaNode>;
}

interface Row {
  key: string;
  type: string;
  defaultValue: string;
  description: string;
}

const SCHEMAS: SchemaNode[] = [configSchema, targetSchema, lifecycleSchema] as SchemaNode[];

/**
 * The configuration reference as a Markdown table, generated from schemas/*.schema.json so it lists
 * every key the loader accepts and cannot drift from it (docs/configuration.md is this output).
 */
export function configurationReference(): string {
  const rows: Row[] = [];
  describeObject(configSchema as SchemaNode, configSchema as SchemaNode, '', rows);
  return [
    '# Configuration reference',
    '',
    'Generated from `schemas/*.schema.json` by `npx scim-bridge config reference`; do not edit by hand.',
    'Every key is optional unless marked required. Any string value may be a secret reference:',
    '`${env:NAME}` (environment variable) or `${file:/path}` (file content, one trailing newline removed).',
    'Each target\'s `config` block is described in its connector\'s README (`connectors/<kind>/README.md`).',
    '',
    '| Key | Type | Default | Description |',
    '|---|---|---|---|',
    ...rows.map((row) => `| \`${row.key}\` | ${row.type} | ${row.defaultValue} | ${escapeCell(row.description)} |`),
    '',
  ].join('\n');
}

function describeObject(node: SchemaNode, root: SchemaNode, prefix: string, rows: Row[]): void {
  for (const [name, raw] of Object.entries(node.properties ?? {})) {
    const { node: property, root: propertyRoot } = resolve(raw, root);
    const key = prefix ? `${prefix}.${name}` : name;
    const required = node.required?.includes(name) ? ' **required**' : '';
    rows.push({
      key,
      type: `${typeOf(property, propertyRoot)}${required}`,
      defaultValue: defaultOf(property),
      description: raw.description ?? property.description ?? '',
    });
    describeChildren(property, propertyRoot, key, rows);
  }
}

function describeChildren(node: SchemaNode, root: SchemaNode, key: string, rows: Row[]): void {
  if (node.properties) describeObject(node, root, key, rows);
  for (const variant of node.oneOf ?? node.anyOf ?? []) {
    const resolved = resolve(variant, root);
    const before = new Set(rows.map((row) => row.key));
    const variantRows: Row[] = [];
    describeChildren(resolved.node, resolved.root, key, variantRows);
    rows.push(...variantRows.filter((row) => !before.has(row.key)));
  }
  if (node.items) {
    const items = resolve(node.items, root);
    describeChildren(items.node, items.root, `${key}[]`, rows);
  }
  if (typeof node.additionalProperties === 'object' && node.additionalProperties.anyOf === undefined) {
    const values = resolve(node.additionalProperties, root);
    describeChildren(values.node, values.root, `${key}.<name>`, rows);
  }
}

/** Follows a $ref to another schema file (by $id) or to this file's definitions. */
function resolve(node: SchemaNode, root: SchemaNode): { node: SchemaNode; root: SchemaNode } {
  if (!node.$ref) return { node, root };
  if (node.$ref.startsWith('#/definitions/')) {
    const target = root.definitions?.[node.$ref.slice('#/definitions/'.length)];
    if (!target) throw new Error(`unresolvable $ref ${node.$ref}`);
    return { node: { ...target, description: node.description ?? target.description }, root };
  }
  const schema = SCHEMAS.find((candidate) => candidate.$id === node.$ref);
  if (!schema) throw new Error(`unresolvable $ref ${node.$ref}`);
  return { node: schema, root: schema };
}

function typeOf(node: SchemaNode, root: SchemaNode): string {
  if (node.const !== undefined) return `\`${JSON.stringify(node.const)}\``;
  if (node.enum) return node.enum.map((value) => `\`${JSON.stringify(value)}\``).join(' \\| ');
  const variants = node.oneOf ?? node.anyOf;
  if (variants) return [...new Set(variants.map((variant) => typeOf(resolve(variant, root).node, root)))].join(' or ');
  if (node.type === 'array' && node.items) return `array of ${typeOf(resolve(node.items, root).node, root)}`;
  if (node.type === 'object' && typeof node.additionalProperties === 'object') {
    return `map of ${typeOf(resolve(node.additionalProperties, root).node, root)}`;
  }
  const base = Array.isArray(node.type) ? node.type.join(' \\| ') : node.type ?? 'any';
  return `${base}${range(node)}`;
}

function range(node: SchemaNode): string {
  const low = node.minimum ?? (node.exclusiveMinimum !== undefined ? `>${node.exclusiveMinimum}` : undefined);
  if (low === undefined && node.maximum === undefined) return '';
  return ` (${low ?? ''}–${node.maximum ?? ''})`;
}

function defaultOf(node: SchemaNode): string {
  return node.default === undefined ? '' : `\`${JSON.stringify(node.default)}\``;
}

function escapeCell(text: string): string {
  return text.replace(/\|/g, '\\|').replace(/\n/g, ' ');
}
