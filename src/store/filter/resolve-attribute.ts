import type { AttributePath } from './ast';
import { FilterError } from './filter-error';
import {
  coreGroupSchema,
  coreUserSchema,
  enterpriseUserSchema,
  findAttribute,
  type AttributeDefinition,
  type ResourceCatalogue,
} from './schema-catalogue';
import { jsonPath, jsonPathSuffix, jsonPresence, jsonValue, sqlLiteral, type SqlValue } from './sql-value';

/** A multi-valued attribute: its values are matched one element at a time. */
export interface MultiValuedAttribute {
  label: string;
  /** Undefined for attributes the catalogue does not know (read from JSON, any sub-attribute allowed). */
  definition?: AttributeDefinition;
  /** Literal JSON path of the array inside the stored resource. */
  path: string;
}

export type ResolvedAttribute =
  | { kind: 'value'; value: SqlValue }
  | { kind: 'complex'; label: string; presence: string; defaultValue?: SqlValue }
  | { kind: 'multiValued'; attribute: MultiValuedAttribute; subAttribute?: string };

const knownSchemas = [coreUserSchema, coreGroupSchema, enterpriseUserSchema].map((schema) => schema.toLowerCase());

/** Maps an attribute path to SQL through the catalogue (the allow-list); unknown names read the stored JSON. */
export function resolveAttribute(path: AttributePath, catalogue: ResourceCatalogue): ResolvedAttribute {
  const scope = schemaScope(path, catalogue);
  const definition = findAttribute(scope.definitions, path.name);
  if (!definition) return unknownAttribute(path, scope.prefix, catalogue);
  if (definition.filterable === false) throw new FilterError(`${path.text} cannot be used in a filter`);
  const segments = [...scope.prefix, definition.name];
  if (definition.multiValued) {
    const attribute = { label: withoutSubAttribute(path), definition, path: jsonPath(segments) };
    return { kind: 'multiValued', attribute, subAttribute: path.subAttribute };
  }
  if (definition.type === 'complex') return complexAttribute(path, definition, segments, catalogue);
  if (path.subAttribute) throw new FilterError(`${definition.name} has no sub-attributes (in ${JSON.stringify(path.text)})`);
  return { kind: 'value', value: definedValue(path.text, definition, segments, catalogue) };
}

export function definedValue(label: string, definition: AttributeDefinition, segments: string[], catalogue: ResourceCatalogue): SqlValue {
  const base = { label, type: definition.type, caseExact: definition.caseExact ?? false };
  if (definition.constant) return { ...base, sql: definition.constant, notNull: true };
  if (definition.column) {
    const folded = definition.foldedColumn ? { folded: `${catalogue.table}.${definition.foldedColumn}` } : {};
    return { ...base, sql: `${catalogue.table}.${definition.column}`, notNull: definition.notNull ?? false, ...folded };
  }
  return jsonValue(label, resourceColumn(catalogue), sqlLiteral(jsonPath(segments)), definition.type, base.caseExact);
}

export function resourceColumn(catalogue: ResourceCatalogue): string {
  return `${catalogue.table}.resource`;
}

function complexAttribute(
  path: AttributePath,
  definition: AttributeDefinition,
  segments: string[],
  catalogue: ResourceCatalogue,
): ResolvedAttribute {
  const subAttributes = definition.subAttributes ?? [];
  if (!path.subAttribute) {
    const valueDefinition = findAttribute(subAttributes, 'value');
    return {
      kind: 'complex',
      label: path.text,
      presence: jsonPresence(resourceColumn(catalogue), sqlLiteral(jsonPath(segments))),
      defaultValue: valueDefinition && definedValue(path.text, valueDefinition, [...segments, valueDefinition.name], catalogue),
    };
  }
  const sub = findAttribute(subAttributes, path.subAttribute);
  if (!sub) throw new FilterError(`${definition.name} has no sub-attribute ${JSON.stringify(path.subAttribute)}`);
  return { kind: 'value', value: definedValue(path.text, sub, [...segments, sub.name], catalogue) };
}

function unknownAttribute(path: AttributePath, prefix: string[], catalogue: ResourceCatalogue): ResolvedAttribute {
  const segments = [...prefix, path.name, ...(path.subAttribute ? [path.subAttribute] : [])];
  const value = jsonValue(path.text, resourceColumn(catalogue), sqlLiteral(jsonPath(segments)), 'unknown', false);
  return { kind: 'value', value };
}

/** Unknown attributes used with `[...]` are treated as arrays in the stored JSON. */
export function resolveMultiValued(path: AttributePath, catalogue: ResourceCatalogue): MultiValuedAttribute {
  if (path.subAttribute) throw new FilterError(`a value filter "[...]" applies to a multi-valued attribute, not ${JSON.stringify(path.text)}`);
  const resolved = resolveAttribute(path, catalogue);
  if (resolved.kind === 'multiValued') return resolved.attribute;
  const scope = schemaScope(path, catalogue);
  if (findAttribute(scope.definitions, path.name)) throw new FilterError(`${path.text} is not multi-valued, so "[...]" does not apply to it`);
  return { label: path.text, path: jsonPath([...scope.prefix, path.name]) };
}

function withoutSubAttribute(path: AttributePath): string {
  return path.schema ? `${path.schema}:${path.name}` : path.name;
}

/** Marks "the element itself" (`emails eq "x"` → each email's value; `schemas eq "x"` → each schema). */
export const elementItself = '';

/** The catalogue's spelling of a sub-attribute; the element itself means `value` for complex attributes. */
export function canonicalSubAttribute(attribute: MultiValuedAttribute, name: string): string {
  if (!attribute.definition) return name;
  const subAttributes = attribute.definition.subAttributes;
  if (!subAttributes) {
    if (name === elementItself) return name;
    throw new FilterError(`${attribute.label} has no sub-attributes`);
  }
  const definition = findAttribute(subAttributes, name === elementItself ? 'value' : name);
  if (!definition) throw new FilterError(`${attribute.label} has no sub-attribute ${JSON.stringify(name)}`);
  if (definition.filterable === false) throw new FilterError(`${attribute.label}.${definition.name} cannot be used in a filter`);
  return definition.name;
}

export function subAttributeDefinition(attribute: MultiValuedAttribute, name: string): AttributeDefinition | undefined {
  return attribute.definition?.subAttributes && findAttribute(attribute.definition.subAttributes, name);
}

/**
 * The JSON of the current element of a json_each(…) AS e, when it is an object (NULL otherwise: a string
 * or number element has no sub-attributes). Sub-attributes are read from the element itself: addressing
 * them in the whole document by e.fullkey walks the document once per element, quadratic in the array's
 * length (20,000 emails took seconds to sort).
 */
export const jsonElementDocument = "(CASE e.type WHEN 'object' THEN e.value END)";

/** One element of a json_each(…) AS e over the stored resource, or one of its sub-attributes. */
export function jsonElementSql(subAttribute: string): string {
  if (subAttribute === elementItself) return 'e.atom';
  return `json_extract(${jsonElementDocument}, ${jsonElementPath(subAttribute)})`;
}

/** The path of a sub-attribute inside jsonElementDocument. */
export function jsonElementPath(subAttribute: string): string {
  return sqlLiteral(`$${jsonPathSuffix([subAttribute])}`);
}

function schemaScope(path: AttributePath, catalogue: ResourceCatalogue): { definitions: AttributeDefinition[]; prefix: string[] } {
  if (!path.schema) return { definitions: catalogue.attributes, prefix: [] };
  const schema = path.schema.toLowerCase();
  if (schema === catalogue.coreSchema.toLowerCase()) return { definitions: catalogue.attributes, prefix: [] };
  const extension = Object.keys(catalogue.extensions).find((urn) => urn.toLowerCase() === schema);
  if (extension) return { definitions: catalogue.extensions[extension], prefix: [extension] };
  if (knownSchemas.includes(`${schema}:${path.name.toLowerCase()}`)) {
    throw new FilterError(`${JSON.stringify(path.text)} names a schema; add ":attribute" after it`);
  }
  if (knownSchemas.includes(schema)) throw new FilterError(`${path.schema} is not a schema of ${catalogue.resourceType} resources`);
  return { definitions: [], prefix: [path.schema] };
}
