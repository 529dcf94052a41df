import type { Attributes, JsonValue } from '../sdk';

/**
 * Target fields of the SCIM connector are SCIM attribute paths on the downstream application
 * (`displayName`, `name.givenName`, `emails[type eq "work"].value`,
 * `urn:ietf:params:scim:schemas:extension:enterprise:2.0:User:department`). The same paths serve as
 * PATCH paths, so an update sends exactly the changed fields and nothing else.
 */

export interface ScimPath {
  /** Schema URN of an extension attribute, e.g. the enterprise user extension. */
  extension?: string;
  attribute: string;
  /** `[type eq "work"]`: selects one element of a multi-valued attribute. */
  filter?: { attribute: string; value: string };
  subAttribute?: string;
}

const NAME = '[A-Za-z][\\w$-]*';
const PATH = new RegExp(`^(${NAME})(?:\\[\\s*(${NAME})\\s+eq\\s+"((?:[^"\\\\]|\\\\.)*)"\\s*\\])?(?:\\.(${NAME}))?$`);

export function parseScimPath(path: string): ScimPath {
  const split = path.startsWith('urn:') ? path.lastIndexOf(':') : -1;
  const extension = split > 0 ? path.slice(0, split) : undefined;
  const match = PATH.exec(split > 0 ? path.slice(split + 1) : path);
  if (!match) throw new Error(`not a SCIM attribute path: ${path}`);
  const [, attribute, filterAttribute, filterValue, subAttribute] = match;
  return {
    ...(extension ? { extension } : {}),
    attribute,
    ...(filterAttribute ? { filter: { attribute: filterAttribute, value: filterValue.replace(/\\(.)/g, '$1') } } : {}),
    ...(subAttribute ? { subAttribute } : {}),
  };
}

type ScimObject = Record<string, JsonValue>;

/** Builds the body of a POST from target fields: nested objects, typed multi-valued entries, extensions. */
export function toScimResource(attributes: Attributes): { resource: ScimObject; extensions: string[] } {
  const resource: ScimObject = {};
  const extensions = new Set<string>();
  for (const [path, value] of Object.entries(attributes)) {
    if (value === null) continue;
    const parsed = parseScimPath(path);
    if (parsed.extension) extensions.add(parsed.extension);
    const container = parsed.extension ? objectAt(resource, parsed.extension) : resource;
    setValue(container, parsed, value);
  }
  return { resource, extensions: [...extensions] };
}

/** The inverse of toScimResource: a resource read back from the target as target fields. */
export function flattenScimResource(resource: ScimObject, skip: readonly string[]): Attributes {
  const attributes: Attributes = {};
  for (const [name, value] of Object.entries(resource)) {
    if (skip.includes(name) || value === null) continue;
    if (name.startsWith('urn:') && isObject(value)) {
      for (const [inner, innerValue] of Object.entries(flattenScimResource(value, []))) attributes[`${name}:${inner}`] = innerValue;
    } else if (isObject(value)) {
      for (const [sub, subValue] of Object.entries(value)) attributes[`${name}.${sub}`] = subValue;
    } else if (Array.isArray(value) && value.every((entry) => isObject(entry) && typeof entry.type === 'string')) {
      for (const entry of value as ScimObject[]) {
        for (const [sub, subValue] of Object.entries(entry)) {
          if (sub !== 'type') attributes[`${name}[type eq ${JSON.stringify(entry.type)}].${sub}`] = subValue;
        }
      }
    } else {
      attributes[name] = value;
    }
  }
  return attributes;
}

function setValue(container: ScimObject, path: ScimPath, value: JsonValue): void {
  if (path.filter) {
    const list = Array.isArray(container[path.attribute]) ? (container[path.attribute] as JsonValue[]) : [];
    container[path.attribute] = list;
    let entry = list.find((item) => isObject(item) && item[path.filter!.attribute] === path.filter!.value) as ScimObject | undefined;
    if (!entry) list.push((entry = { [path.filter.attribute]: path.filter.value }));
    entry[path.subAttribute ?? 'value'] = value;
  } else if (path.subAttribute) {
    objectAt(container, path.attribute)[path.subAttribute] = value;
  } else {
    container[path.attribute] = value;
  }
}

function objectAt(container: ScimObject, name: string): ScimObject {
  const existing = container[name];
  if (isObject(existing)) return existing;
  const created: ScimObject = {};
  container[name] = created;
  return created;
}

function isObject(value: unknown): value is ScimObject {
  return value !== null && typeof value === 'object' && !Array.isArray(value);
}
