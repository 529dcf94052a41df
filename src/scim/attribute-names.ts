import SCIMMY from 'scimmy';
import { IdentitySchema } from '../lifecycle/identity';
import { isPlainObject } from './normalize';

type Json = Record<string, unknown>;
type Attribute = SCIMMY.Types.Attribute;
type Definition = SCIMMY.Types.SchemaDefinition;
export type ResourceKind = 'user' | 'group';

/**
 * RFC 7643 2.1: attribute names and schema URIs are case-insensitive. scimmy's PatchOp is not ("Active"
 * is an invalid path, `Emails[Type eq "work"]` matches nothing), so the names in PATCH paths, value
 * filters and values are rewritten to the schema's spelling first, and a path or key naming the core
 * schema (`urn:…:core:2.0:User:title`, RFC 7644 3.10) loses that prefix. Unknown names are left for
 * scimmy to reject.
 */
export function canonicalPatchNames(body: unknown, resource: ResourceKind): unknown {
  if (!isPlainObject(body) || !Array.isArray(body.Operations)) return body;
  const Operations = body.Operations.map((operation: unknown) => {
    if (!isPlainObject(operation)) return operation;
    const { path, value } = operation;
    if (typeof path === 'string') return { ...operation, path: canonicalPath(path, resource), value: canonicalOperationValue(path, value, resource) };
    return isPlainObject(value) ? { ...operation, value: canonicalKeys(value, resource) } : operation;
  });
  return { ...body, Operations };
}

function canonicalPath(path: string, resource: ResourceKind): string {
  return resolvePath(path, resource).path;
}

/** The keys of a no-path PATCH value (which may be paths themselves: `name.givenName`, `urn:…:department`). */
function canonicalKeys(value: Json, resource: ResourceKind): Json {
  const out: Json = {};
  for (const [key, inner] of Object.entries(value)) {
    const { path, attribute, extension } = resolvePath(key, resource);
    out[path] = extension ? canonicalMembers(inner, extension.attributes) : attribute ? canonicalValue(inner, attribute) : inner;
  }
  return out;
}

/** The value of a PATCH operation whose path names a complex attribute or an extension: its keys too. */
function canonicalOperationValue(path: string, value: unknown, resource: ResourceKind): unknown {
  const { attribute, extension, sub } = resolvePath(path, resource);
  if (extension) return canonicalMembers(value, extension.attributes);
  return attribute && !sub ? canonicalValue(value, attribute) : value;
}

interface Resolved {
  path: string;
  /** The top-level attribute the path names, when it is known. */
  attribute?: Attribute;
  /** Set when the path is a whole extension (its URN alone). */
  extension?: Definition;
  /** Whether the path goes on to a sub-attribute. */
  sub?: boolean;
}

function resolvePath(path: string, resource: ResourceKind): Resolved {
  const { core, extensions } = schemasOf(resource);
  const lower = path.toLowerCase();
  if (lower.startsWith(`${core.id.toLowerCase()}:`)) return resolveAttribute(path.slice(core.id.length + 1), core, '');
  for (const extension of extensions) {
    const id = extension.id.toLowerCase();
    if (lower === id) return { path: extension.id, extension };
    if (lower.startsWith(`${id}:`)) return resolveAttribute(path.slice(id.length + 1), extension, `${extension.id}:`);
  }
  return resolveAttribute(path, core, '');
}

/** `attr`, `attr.sub`, `attr[filter]` or `attr[filter].sub` (RFC 7644 3.5.2 PATH). */
const ATTRIBUTE_PATH = /^([A-Za-z][\w$-]*)(?:\.([A-Za-z][\w$-]*))?(?:\[(.*)\](?:\.([A-Za-z][\w$-]*))?)?$/s;

function resolveAttribute(text: string, definition: Definition, prefix: string): Resolved {
  const match = ATTRIBUTE_PATH.exec(text);
  const attribute = match ? named(definition.attributes, match[1]) : undefined;
  if (!match || !attribute) return { path: `${prefix}${text}` };
  const [, , dotted, filter, afterFilter] = match;
  const subs = attribute.subAttributes ?? [];
  const subName = (name: string) => named(subs, name)?.name ?? name;
  let path = `${prefix}${attribute.name}`;
  if (dotted !== undefined) path += `.${subName(dotted)}`;
  if (filter !== undefined) path += `[${canonicalFilter(filter, subName)}]`;
  if (afterFilter !== undefined) path += `.${subName(afterFilter)}`;
  return { path, attribute, sub: dotted !== undefined || afterFilter !== undefined };
}

const STRING_LITERAL = /("(?:[^"\\]|\\.)*")/s;
const COMPARISON = /([A-Za-z][\w$-]*)(\s+)(eq|ne|co|sw|ew|gt|ge|lt|le|pr)\b/gi;
const LOGICAL = /\b(and|or|not)\b/gi;

/** A value filter's attribute names, operators and logical words in canonical form; string literals untouched. */
function canonicalFilter(filter: string, subName: (name: string) => string): string {
  return filter
    .split(STRING_LITERAL)
    .map((part, index) =>
      index % 2 === 1
        ? part
        : part
            .replace(COMPARISON, (_whole, name: string, space: string, operator: string) => `${subName(name)}${space}${operator.toLowerCase()}`)
            .replace(LOGICAL, (word) => word.toLowerCase()),
    )
    .join('');
}

function canonicalValue(value: unknown, attribute: Attribute): unknown {
  const subs = attribute.subAttributes;
  if (String(attribute.type) !== 'complex' || !subs?.length) return value;
  return Array.isArray(value) ? value.map((item) => canonicalMembers(item, subs)) : canonicalMembers(value, subs);
}

function canonicalMembers(value: unknown, attributes: ReadonlyArray<Attribute | Definition>): unknown {
  if (!isPlainObject(value)) return value;
  const out: Json = {};
  for (const [key, inner] of Object.entries(value)) {
    const attribute = named(attributes, key);
    out[attribute?.name ?? key] = attribute ? canonicalValue(inner, attribute) : inner;
  }
  return out;
}

function named(attributes: ReadonlyArray<Attribute | Definition>, name: string): Attribute | undefined {
  const lower = name.toLowerCase();
  return attributes.find((candidate): candidate is Attribute => candidate instanceof SCIMMY.Types.Attribute && candidate.name.toLowerCase() === lower);
}

function schemasOf(resource: ResourceKind): { core: Definition; extensions: Definition[] } {
  return resource === 'user'
    ? { core: SCIMMY.Schemas.User.definition, extensions: [SCIMMY.Schemas.EnterpriseUser.definition, IdentitySchema.definition] }
    : { core: SCIMMY.Schemas.Group.definition, extensions: [] };
}
