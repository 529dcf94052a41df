/**
 * PATCH (RFC 7644 §3.5.2) for the fake SCIM server, written independently of the connector's own path code
 * so that a mistake in one is not mirrored in the other. Supports what real servers commonly do:
 * add/replace/remove on simple, dotted, `attr[sub eq "v"].sub` and extension-URN paths, and no-path merges.
 */

type Json = unknown;
type Resource = Record<string, Json>;

export class PatchError extends Error {
  constructor(readonly scimType: 'noTarget' | 'invalidPath' | 'invalidValue' | 'invalidSyntax', detail: string) {
    super(detail);
  }
}

export interface PatchOp {
  op?: string;
  path?: string;
  value?: Json;
}

export function applyPatch(resource: Resource, operations: unknown): void {
  if (!Array.isArray(operations) || operations.length === 0) throw new PatchError('invalidSyntax', 'Operations must be a non-empty array');
  for (const operation of operations as PatchOp[]) applyOne(resource, operation);
}

function applyOne(resource: Resource, { op, path, value }: PatchOp): void {
  const kind = String(op ?? '').toLowerCase();
  if (!['add', 'replace', 'remove'].includes(kind)) throw new PatchError('invalidSyntax', `unknown op ${String(op)}`);
  if (!path) {
    if (kind === 'remove' || !isObject(value)) throw new PatchError('noTarget', 'a path is required');
    Object.assign(resource, value);
    return;
  }
  const target = locate(resource, path);
  if (kind === 'remove') return remove(target, value);
  if (target.filter) return setFiltered(target, value);
  const current = target.container[target.name];
  if (kind === 'add' && Array.isArray(current) && Array.isArray(value)) {
    for (const item of value) if (!current.some((existing) => sameValue(existing, item))) current.push(item);
    return;
  }
  target.container[target.name] = value;
}

interface Target {
  container: Resource;
  name: string;
  filter?: { attribute: string; value: string };
  sub?: string;
}

function locate(resource: Resource, path: string): Target {
  let container = resource;
  let rest = path;
  if (path.startsWith('urn:')) {
    const cut = path.lastIndexOf(':');
    const urn = path.slice(0, cut);
    container = (isObject(resource[urn]) ? resource[urn] : (resource[urn] = {})) as Resource;
    rest = path.slice(cut + 1);
  }
  const match = /^(\w+)(?:\[(\w+) eq "([^"]*)"\])?(?:\.(\w+))?$/.exec(rest);
  if (!match) throw new PatchError('invalidPath', `unsupported path ${path}`);
  const [, name, filterAttribute, filterValue, sub] = match;
  if (sub && !filterAttribute) {
    const parent = (isObject(container[name]) ? container[name] : (container[name] = {})) as Resource;
    return { container: parent, name: sub };
  }
  return { container, name, filter: filterAttribute ? { attribute: filterAttribute, value: filterValue } : undefined, sub };
}

function setFiltered(target: Target, value: Json): void {
  const list = (Array.isArray(target.container[target.name]) ? target.container[target.name] : (target.container[target.name] = [])) as Resource[];
  const { attribute, value: wanted } = target.filter!;
  let entry = list.find((item) => item[attribute] === wanted);
  if (!entry) list.push((entry = { [attribute]: wanted }));
  if (target.sub) entry[target.sub] = value;
  else if (isObject(value)) Object.assign(entry, value);
}

function remove(target: Target, value: Json): void {
  const current = target.container[target.name];
  if (target.filter) {
    if (!Array.isArray(current)) throw new PatchError('noTarget', `no ${target.name} to remove from`);
    const { attribute, value: wanted } = target.filter;
    const kept = (current as Resource[]).filter((item) => item[attribute] !== wanted);
    if (kept.length === current.length) throw new PatchError('noTarget', `no ${target.name} matches the filter`);
    if (!target.sub) {
      target.container[target.name] = kept;
      return;
    }
    for (const item of current as Resource[]) if (item[attribute] === wanted) delete item[target.sub];
    return;
  }
  // Entra style: remove with a value array removes just those values.
  if (Array.isArray(current) && Array.isArray(value)) {
    target.container[target.name] = current.filter((item) => !value.some((gone) => sameValue(item, gone)));
    return;
  }
  delete target.container[target.name];
}

function sameValue(a: Json, b: Json): boolean {
  if (isObject(a) && isObject(b) && 'value' in a && 'value' in b) return a.value === b.value;
  return JSON.stringify(a) === JSON.stringify(b);
}

function isObject(value: Json): value is Resource {
  return value !== null && typeof value === 'object' && !Array.isArray(value);
}
