import SCIMMY from 'scimmy';
import { IdentitySchema } from '../lifecycle/identity';
import { FilterError } from '../store/filter';
import { parseFilter } from '../store/filter/parser';
import { scimFailure } from './errors';
import { isPlainObject } from './normalize';

type Json = Record<string, unknown>;
export interface PatchOperation {
  op: string;
  path?: string;
  value?: unknown;
}

/**
 * Checks the PatchOp envelope and returns its operations. An empty Operations list is accepted as a
 * no-op (Entra sends it), unlike scimmy, which answers 400.
 */
export function requirePatchOp(message: unknown): PatchOperation[] {
  if (!isPlainObject(message)) throw scimFailure(400, 'invalidSyntax', 'PATCH expects a single PatchOp object');
  const { schemas, Operations } = message;
  if (!Array.isArray(schemas) || schemas.length !== 1 || schemas[0] !== SCIMMY.Messages.PatchOp.id) {
    throw scimFailure(400, 'invalidSyntax', `PatchOp request body messages must exclusively specify schema as '${SCIMMY.Messages.PatchOp.id}'`);
  }
  if (!Array.isArray(Operations)) throw scimFailure(400, 'invalidValue', "PatchOp expects 'Operations' to be an array");
  Operations.forEach((operation, index) => {
    if (!isPlainObject(operation) || typeof operation.op !== 'string') {
      throw scimFailure(400, 'invalidValue', `operation ${index + 1} must be an object with a string 'op'`);
    }
    if (typeof operation.path === 'string') requireParseableValueFilter(operation.path, index);
    else if (operation.op.toLowerCase() !== 'remove' && !isPlainObject(operation.value)) {
      throw scimFailure(400, 'invalidValue', `operation ${index + 1}: an ${operation.op} without a path needs an object of attributes as its value (RFC 7644 3.5.2)`);
    }
    if (operation.op.toLowerCase() !== 'remove' && operation.value === undefined) {
      throw scimFailure(400, 'invalidValue', `operation ${index + 1}: an ${operation.op} needs a value (RFC 7644 3.5.2)`);
    }
    if (holdsNullItem(operation.value)) throw scimFailure(400, 'invalidValue', `operation ${index + 1}: a list of values holds null`);
  });
  return (Operations as unknown as PatchOperation[]).flatMap(filteredKeysAsPaths);
}

/**
 * A no-path value may name attributes by path (RFC 7644 3.5.2), value filters included:
 * `{"emails[type eq \"work\"].value": "…"}`. scimmy matches such a key only against existing values, so
 * each one becomes an operation of its own with that path, which is then handled like one sent that way
 * (retargetUnmatchedTypeFilters creates the work email when there is none).
 */
function filteredKeysAsPaths(operation: PatchOperation, index: number): PatchOperation[] {
  if (operation.path !== undefined || !isPlainObject(operation.value)) return [operation];
  const entries = Object.entries(operation.value);
  const filtered = entries.filter(([key]) => key.includes('['));
  if (filtered.length === 0) return [operation];
  for (const [path] of filtered) requireParseableValueFilter(path, index);
  const rest = entries.filter(([key]) => !key.includes('['));
  const own = filtered.map(([path, value]) => ({ op: operation.op, path, value }));
  return rest.length ? [{ ...operation, value: Object.fromEntries(rest) }, ...own] : own;
}

/** RFC 7644 3.5.2 PATH after an optional schema URN: `attr`, `attr.sub`, `attr[filter]` or `attr[filter].sub`. */
const ATTRIBUTE_PATH = /^[A-Za-z][\w$-]*(?:\.\$?[A-Za-z][\w$-]*)?(?:\[.+\](?:\.\$?[A-Za-z][\w$-]*)?)?$/s;

/**
 * A path scimmy would read leniently is refused as the RFC says (400 invalidPath): `name..givenName`, or a
 * value filter on a single-valued attribute (`displayName[value eq "x"]`), which scimmy applied as if the
 * filter were not there. Paths under a schema URN scimmy does not know are left to its own check.
 */
function requireAttributePath(path: string | undefined, definition: SCIMMY.Types.SchemaDefinition, index: number): void {
  if (path === undefined || extensionNamed(path)) return;
  const extension = USER_EXTENSIONS().find((candidate) => path.toLowerCase().startsWith(`${candidate.id.toLowerCase()}:`));
  if (!extension && path.toLowerCase().startsWith('urn:')) return;
  const attributePath = extension ? path.slice(extension.id.length + 1) : path;
  const invalid = (why: string) => scimFailure(400, 'invalidPath', `operation ${index + 1}: '${path.slice(0, 200)}' ${why}`);
  if (!ATTRIBUTE_PATH.test(attributePath)) throw invalid('is not an attribute path (RFC 7644 3.5.2)');
  if (attributePath.includes('[') && filteredAttribute(definition, path)?.config.multiValued === false) {
    throw invalid('filters a single-valued attribute; value filters select items of multi-valued attributes');
  }
}

/** The attribute a value filter is applied to (`emails` in `emails[type eq "work"].value`), when the schema has it. */
function filteredAttribute(definition: SCIMMY.Types.SchemaDefinition, path: string): SCIMMY.Types.Attribute | undefined {
  try {
    const attribute = definition.attribute(path.replace(/\[.*$/s, ''));
    return attribute instanceof SCIMMY.Types.Attribute ? attribute : undefined;
  } catch {
    return undefined; // an unknown name: scimmy's own check answers it
  }
}

/** `[null]` as a value, or as an attribute of a no-path value: a multi-valued attribute has no null items. */
function holdsNullItem(value: unknown): boolean {
  const hasNull = (inner: unknown) => Array.isArray(inner) && inner.includes(null);
  return hasNull(value) || (isPlainObject(value) && Object.values(value).some(hasNull));
}

/** `emails[type xx "a"].value` is a bad filter (400 invalidFilter), not a filter that matches nothing (noTarget). */
function requireParseableValueFilter(path: string, index: number): void {
  const filter = /\[(.*)\]/s.exec(path)?.[1];
  if (filter === undefined) return;
  try {
    parseFilter(filter);
  } catch (error) {
    if (error instanceof FilterError) throw scimFailure(400, 'invalidFilter', `operation ${index + 1}: the filter in '${path.slice(0, 200)}' is invalid: ${error.message}`);
    throw error;
  }
}

/**
 * Takes password operations out of a PATCH (Okta syncs passwords this way): the bridge never stores a
 * password, so the value is dropped here and only the fact that one arrived is reported.
 */
export function patchWithoutPasswords(operations: PatchOperation[]): { operations: PatchOperation[]; passwordReceived: boolean } {
  let passwordReceived = false;
  const kept: PatchOperation[] = [];
  for (const operation of operations) {
    if (typeof operation.path === 'string' && operation.path.toLowerCase() === 'password') {
      passwordReceived = true;
      continue;
    }
    if (operation.path === undefined && isPlainObject(operation.value)) {
      const value: Json = {};
      for (const [key, inner] of Object.entries(operation.value)) {
        if (key.toLowerCase() === 'password') passwordReceived = true;
        else value[key] = inner;
      }
      if (Object.keys(value).length === 0) continue;
      kept.push({ ...operation, value });
      continue;
    }
    kept.push(operation);
  }
  return { operations: kept, passwordReceived };
}

const TYPE_FILTER_PATH = /^(\w+)\[\s*type\s+eq\s+"([^"]*)"\s*\]\.(\w+)$/i;

/**
 * `emails[type eq "work"].value` with no work email yet: scimmy answers 400 noTarget, while Entra
 * means "set the work email". Such an add/replace becomes an add of `{type, <sub>: value}`.
 */
export function retargetUnmatchedTypeFilters(operations: PatchOperation[], current: Json): PatchOperation[] {
  // Typed values an earlier operation of this PATCH creates: later ones find them, so several
  // `addresses[type eq "work"].<sub>` operations build one address, not one each.
  const created = new Set<string>();
  return operations.map((operation) => {
    const match = typeof operation.path === 'string' && operation.op !== 'remove' ? TYPE_FILTER_PATH.exec(operation.path) : null;
    if (!match) return operation;
    const [, attribute, type, sub] = match;
    const typed = `${attribute.toLowerCase()}|${type.toLowerCase()}`;
    if (created.has(typed) || hasTypedValue(current, attribute, type)) return operation;
    created.add(typed);
    return { op: 'add', path: attribute, value: [{ type, [sub]: operation.value }] };
  });
}

const VALUE_PATH = /^([A-Za-z][\w$-]*)\[(.+)\](\.\$?[A-Za-z][\w$-]*)?$/s;

/**
 * scimmy matches a value filter in a PATCH path case-sensitively, while RFC 7644 3.4.2.2 compares as each
 * sub-attribute's caseExact says (an email's value and type are caseExact=false, so the filter
 * `emails[value eq "ada@example.com"]` names "Ada@Example.com"). The filter is matched here on case-folded
 * copies; when that selects items scimmy would not, it is rewritten to name those items by their exact values.
 */
export function caseInsensitiveValueFilters(operations: PatchOperation[], current: Json, definition: SCIMMY.Types.SchemaDefinition): PatchOperation[] {
  return operations.map((operation) => {
    const match = typeof operation.path === 'string' ? VALUE_PATH.exec(operation.path) : null;
    if (!match) return operation;
    const [, name, filter, rest = ''] = match;
    const caseless = caselessSubAttributes(definition, name);
    const items = itemsOf(current, name);
    const parsed = caseless.size && items.length ? parsedFilter(filter) : undefined;
    if (!parsed) return operation;
    const matched = foldedMatches(parsed, items, caseless);
    if (matched.length === 0 || matched.length === parsed.match(items).length) return operation;
    return { ...operation, path: `${name}[${matched.map(exactly).join(' or ')}]${rest}` };
  });
}

function caselessSubAttributes(definition: SCIMMY.Types.SchemaDefinition, name: string): Set<string> {
  const subAttributes = filteredAttribute(definition, name)?.subAttributes ?? [];
  return new Set(subAttributes.filter((sub) => ['string', 'reference'].includes(sub.type) && !sub.config.caseExact).map((sub) => sub.name.toLowerCase()));
}

function itemsOf(current: Json, name: string): Json[] {
  const key = Object.keys(current).find((candidate) => candidate.toLowerCase() === name.toLowerCase());
  const value = key === undefined ? undefined : current[key];
  return Array.isArray(value) ? value.filter(isPlainObject) : [];
}

function parsedFilter(filter: string): SCIMMY.Types.Filter | undefined {
  try {
    return new SCIMMY.Types.Filter(filter);
  } catch {
    return undefined; // scimmy answers it when it applies the operation
  }
}

/** The items the filter selects when caseless sub-attributes are compared case-insensitively. */
function foldedMatches(parsed: SCIMMY.Types.Filter, items: Json[], caseless: Set<string>): Json[] {
  const fold = (value: unknown, key: string) => (typeof value === 'string' && caseless.has(key.toLowerCase()) ? value.toLowerCase() : value);
  // scimmy's parsed filter: [{ attribute: [not?, comparator, expected] or a list of those }, …] (one object per `or` branch).
  const foldComparison = (comparison: unknown[], key: string) => [...comparison.slice(0, -1), fold(comparison.at(-1), key)];
  const foldedFilter = new SCIMMY.Types.Filter(
    (parsed as unknown as Array<Record<string, unknown>>).map((branch) =>
      Object.fromEntries(Object.entries(branch).map(([key, value]) => {
        if (!Array.isArray(value)) return [key, value];
        return [key, value.every(Array.isArray) ? value.map((comparison: unknown[]) => foldComparison(comparison, key)) : foldComparison(value, key)];
      })),
    ) as never,
  );
  const folded = items.map((item) => Object.fromEntries(Object.entries(item).map(([key, value]) => [key, fold(value, key)])));
  const selected = new Set(foldedFilter.match(folded));
  return items.filter((_item, index) => selected.has(folded[index]));
}

/** A filter that selects the item by every plain value it holds. */
function exactly(item: Json): string {
  const comparisons = Object.entries(item)
    .filter(([, value]) => ['string', 'boolean', 'number'].includes(typeof value))
    .map(([key, value]) => `${key} eq ${JSON.stringify(value)}`);
  return `(${comparisons.join(' and ')})`;
}

function hasTypedValue(current: Json, attribute: string, type: string): boolean {
  return itemsOf(current, attribute).some((item) => typeof item?.type === 'string' && item.type.toLowerCase() === type.toLowerCase());
}

/** The extension schemas a User may carry; their ids as no-path keys or paths hold the extension's attributes. */
const USER_EXTENSIONS = () => [SCIMMY.Schemas.EnterpriseUser.definition, IdentitySchema.definition];

function extensionNamed(path: string) {
  const lower = path.toLowerCase();
  return USER_EXTENSIONS().find((definition) => definition.id.toLowerCase() === lower);
}

/** null is unassigned (RFC 7643 2.5); so is a manager reference without a value (normalize.ts makes it null). */
function isUnassigned(value: unknown): boolean {
  return value === null;
}

/** `name` + `givenName` → `name.givenName`; an extension + `department` → `urn:…:User:department`. */
function subPath(parent: string, sub: string): string {
  return extensionNamed(parent) ? `${parent}:${sub}` : `${parent}.${sub}`;
}

/** Whether the path names a multi-valued attribute itself (`emails`, `emails[type eq "work"]`), not a sub-attribute. */
function namesMultiValued(definition: SCIMMY.Types.SchemaDefinition, path: string): boolean {
  try {
    const attribute = definition.attribute(path.replace(/\[.*\]/s, ''));
    return attribute instanceof SCIMMY.Types.Attribute && attribute.config.multiValued === true;
  } catch {
    return false; // an unknown name: scimmy's own check answers it
  }
}

/**
 * null is unassigned (RFC 7643 2.5), so an operation setting it is a remove of what it names, however it
 * is spelled: a path with a null value, a no-path key that is null, or a null sub-attribute of a complex
 * value or an extension (`{"urn:…:User": {"department": null}}`); the rest of the value is applied as sent.
 * For a multi-valued attribute null is the empty array, so an add of it adds nothing. scimmy throws on
 * null inside an extension and ignores a null no-path key; as removals, an emptied extension also
 * leaves the resource and its schemas.
 */
function unassignedAsRemovals(operation: PatchOperation, definition: SCIMMY.Types.SchemaDefinition): PatchOperation[] {
  const op = operation.op.toLowerCase();
  if (op !== 'replace' && op !== 'add') return [operation];
  const unassign = (path: string): PatchOperation[] => (op === 'add' && namesMultiValued(definition, path) ? [] : [{ op: 'remove', path }]);
  const { path, value } = operation;
  if (typeof path === 'string' && isUnassigned(value)) return unassign(path);
  if (!isPlainObject(value)) return [operation];
  const removals: PatchOperation[] = [];
  const pathOf = (key: string) => (typeof path === 'string' ? subPath(path, key) : key);
  const kept = withoutUnassigned(value, pathOf, (key) => removals.push(...unassign(key)), typeof path !== 'string');
  const applied = Object.keys(kept).length > 0 ? [{ ...operation, value: kept }] : [];
  return [...applied, ...removals];
}

/** The value without its unassigned members, each handed to `unassigned` by its path. */
function withoutUnassigned(value: Json, pathOf: (key: string) => string, unassigned: (path: string) => void, descend: boolean): Json {
  const kept: Json = {};
  for (const [key, inner] of Object.entries(value)) {
    if (isUnassigned(inner)) {
      unassigned(pathOf(key));
    } else if (descend && isPlainObject(inner) && Object.keys(inner).length > 0) {
      const rest = withoutUnassigned(inner, (sub) => subPath(pathOf(key), sub), unassigned, false);
      if (Object.keys(rest).length > 0) kept[key] = rest;
    } else {
      kept[key] = inner;
    }
  }
  return kept;
}

/**
 * `remove` of a whole extension (`urn:…:enterprise:2.0:User`) makes scimmy throw a TypeError; it means
 * removing each of its attributes, which scimmy does (and drops the emptied extension and its schema).
 */
function extensionRemovedAttributeByAttribute(operation: PatchOperation): PatchOperation[] {
  if (operation.op.toLowerCase() !== 'remove' || typeof operation.path !== 'string') return [operation];
  const extension = extensionNamed(operation.path);
  if (!extension) return [operation];
  return extension.attributes
    // Shadow attributes (schemas, id, meta) are the definition's bookkeeping, not the extension's data.
    .filter((attribute): attribute is SCIMMY.Types.Attribute => attribute instanceof SCIMMY.Types.Attribute && !attribute.config.shadow)
    .map((attribute) => ({ op: 'remove', path: `${extension.id}:${attribute.name}` }));
}

/**
 * An add or replace of an extension's complex sub-attribute (`urn:…:User:manager.value`) is noTarget in
 * scimmy unless the complex value already has another sub-attribute. It is an add of the complex attribute
 * with that one sub-attribute, which scimmy merges into what is there: the same thing for a single-valued
 * attribute (RFC 7644 3.5.2.1 and 3.5.2.3: the named sub-attribute is set, the others are left alone).
 */
function extensionSubAttributeAsComplexAdd(operation: PatchOperation): PatchOperation {
  const op = operation.op.toLowerCase();
  if ((op !== 'replace' && op !== 'add') || typeof operation.path !== 'string' || operation.path.includes('[')) return operation;
  const separator = operation.path.lastIndexOf(':');
  const extension = separator > 0 ? extensionNamed(operation.path.slice(0, separator)) : undefined;
  const [attribute, sub, ...deeper] = operation.path.slice(separator + 1).split('.');
  if (!extension || sub === undefined || deeper.length) return operation;
  return { op: 'add', path: `${extension.id}:${attribute}`, value: { [sub]: operation.value } };
}

/**
 * A replace of a single-valued complex attribute (`name`) sets the sub-attributes its value gives and leaves
 * the others unchanged (RFC 7644 3.5.2.3); scimmy's replace drops them, while its add merges as the RFC says.
 */
function complexReplaceAsMerge(operation: PatchOperation, definition: SCIMMY.Types.SchemaDefinition): PatchOperation {
  const { op, path, value } = operation;
  if (op.toLowerCase() !== 'replace' || typeof path !== 'string' || path.includes('[') || !isPlainObject(value)) return operation;
  const attribute = filteredAttribute(definition, path);
  return attribute?.type === 'complex' && !attribute.config.multiValued ? { ...operation, op: 'add' } : operation;
}

/**
 * Applies operations with scimmy's PatchOp. Its TypeErrors come from the operations' data (e.g. a null
 * item in a multi-valued add), so they are the client's 400 invalidValue, not a server fault; their text
 * describes scimmy's internals, so the client gets a plain one.
 */
export async function applyPatch<S extends SCIMMY.Types.Schema>(operations: PatchOperation[], resource: S): Promise<S | undefined> {
  const definition = (resource.constructor as unknown as { definition: SCIMMY.Types.SchemaDefinition }).definition;
  operations.forEach((operation, index) => requireAttributePath(operation.path, definition, index));
  try {
    const expanded = operations
      .flatMap((operation) => unassignedAsRemovals(operation, definition))
      .flatMap(extensionRemovedAttributeByAttribute)
      .map(extensionSubAttributeAsComplexAdd)
      .map((operation) => complexReplaceAsMerge(operation, definition));
    if (expanded.length === 0) return undefined;
    const message = { schemas: [SCIMMY.Messages.PatchOp.id], Operations: expanded };
    return (await new SCIMMY.Messages.PatchOp(message as never).apply(resource)) as S | undefined;
  } catch (error) {
    if (error instanceof TypeError) throw scimFailure(400, 'invalidValue', 'a PATCH value does not fit the attribute it names (a null item in a list, or a value of the wrong shape)');
    throw error;
  }
}
