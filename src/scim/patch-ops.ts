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
  });
  return Operations as unknown as PatchOperation[];
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

function hasTypedValue(current: Json, attribute: string, type: string): boolean {
  const key = Object.keys(current).find((k) => k.toLowerCase() === attribute.toLowerCase());
  const items = key && Array.isArray(current[key]) ? (current[key] as Json[]) : [];
  return items.some((item) => typeof item?.type === 'string' && item.type.toLowerCase() === type.toLowerCase());
}

/**
 * `remove` of a whole extension (`urn:…:enterprise:2.0:User`) makes scimmy throw a TypeError; it means
 * removing each of its attributes, which scimmy does (and drops the emptied extension and its schema).
 */
function extensionRemovedAttributeByAttribute(operation: PatchOperation): PatchOperation[] {
  if (operation.op.toLowerCase() !== 'remove' || typeof operation.path !== 'string') return [operation];
  const path = operation.path.toLowerCase();
  const extension = [SCIMMY.Schemas.EnterpriseUser.definition, IdentitySchema.definition].find((definition) => definition.id.toLowerCase() === path);
  if (!extension) return [operation];
  return extension.attributes
    // Shadow attributes (schemas, id, meta) are the definition's bookkeeping, not the extension's data.
    .filter((attribute): attribute is SCIMMY.Types.Attribute => attribute instanceof SCIMMY.Types.Attribute && !attribute.config.shadow)
    .map((attribute) => ({ op: 'remove', path: `${extension.id}:${attribute.name}` }));
}

/**
 * Applies operations with scimmy's PatchOp. Its TypeErrors come from the operations' data (e.g. a
 * no-path op whose value is null), so they are the client's 400 invalidValue, not a server fault.
 */
export async function applyPatch<S extends SCIMMY.Types.Schema>(operations: PatchOperation[], resource: S): Promise<S | undefined> {
  try {
    const message = { schemas: [SCIMMY.Messages.PatchOp.id], Operations: operations.flatMap(extensionRemovedAttributeByAttribute) };
    return (await new SCIMMY.Messages.PatchOp(message as never).apply(resource)) as S | undefined;
  } catch (error) {
    if (error instanceof TypeError) throw scimFailure(400, 'invalidValue', error.message);
    throw error;
  }
}
