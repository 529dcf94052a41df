import type SCIMMY from 'scimmy';
import { ENTERPRISE_USER } from './normalize';
import { IDENTITY_SCHEMA_ID } from '../lifecycle/identity';

type Json = Record<string, unknown>;

/** Extension attributes live under their schema URN key; core attributes at the top level. */
const EXTENSIONS = [ENTERPRISE_USER, IDENTITY_SCHEMA_ID];
const SCHEMA_PREFIXES = ['urn:ietf:params:scim:schemas:core:2.0:User', 'urn:ietf:params:scim:schemas:core:2.0:Group', ...EXTENSIONS];
/** RFC 7644 3.9: these are returned whatever attributes/excludedAttributes say. */
const ALWAYS = ['id', 'schemas', 'meta'];

/** attributes (include) or excludedAttributes (exclude) as attribute paths, each a list of segments. */
export interface Projection {
  mode: 'include' | 'exclude';
  paths: string[][];
}

/**
 * Reads the projection scimmy parsed from attributes / excludedAttributes (`a pr and b pr` or
 * `a np and …`). scimmy's own projection fails on URN-qualified names (RFC 7644 3.10), so the
 * bridge applies it itself.
 */
export function projectionOf(attributes: SCIMMY.Types.Filter | undefined): Projection | undefined {
  const expression = attributes?.expression;
  if (typeof expression !== 'string') return undefined;
  const terms = expression.split(/\s+and\s+/i).map((term) => term.trim().split(/\s+/));
  const mode = terms.some(([, op]) => op === 'pr') ? 'include' : 'exclude';
  const paths = terms.filter(([, op]) => op === (mode === 'include' ? 'pr' : 'np')).map(([path]) => segments(path));
  return { mode, paths };
}

function segments(path: string): string[] {
  const prefix = SCHEMA_PREFIXES.find((id) => path.toLowerCase().startsWith(id.toLowerCase()));
  if (!prefix) return path.split('.');
  const rest = path.slice(prefix.length).replace(/^:/, '');
  const inner = rest ? rest.split('.') : [];
  return EXTENSIONS.includes(prefix) ? [prefix, ...inner] : inner;
}

/** Whether the projection leaves `name` out, so it need not even be loaded (members, groups). */
export function omits(projection: Projection | undefined, name: string): boolean {
  if (!projection) return false;
  const lower = name.toLowerCase();
  const names = (path: string[]) => path[0]?.toLowerCase() === lower;
  return projection.mode === 'exclude' ? projection.paths.some((path) => path.length === 1 && names(path)) : !projection.paths.some(names);
}

export function applyProjection(resource: Json, projection: Projection | undefined): Json {
  if (!projection) return resource;
  if (projection.mode === 'exclude') {
    const out = structuredClone(resource);
    for (const path of projection.paths) if (!(path.length === 1 && ALWAYS.includes(path[0]))) removePath(out, path);
    return out;
  }
  const out: Json = {};
  for (const key of ALWAYS) if (resource[key] !== undefined) out[key] = resource[key];
  for (const path of projection.paths) copyPath(resource, out, path);
  return out;
}

function keyOf(object: Json, name: string): string | undefined {
  return Object.keys(object).find((key) => key.toLowerCase() === name.toLowerCase());
}

function copyPath(source: Json, target: Json, [head, ...rest]: string[]): void {
  const key = head === undefined ? undefined : keyOf(source, head);
  if (key === undefined) return;
  const value = source[key];
  if (rest.length === 0 || value === null || typeof value !== 'object') {
    target[key] = value;
    return;
  }
  if (Array.isArray(value)) {
    const existing = Array.isArray(target[key]) ? (target[key] as Json[]) : [];
    target[key] = value.map((item, index) => {
      const into = existing[index] ?? {};
      if (item && typeof item === 'object') copyPath(item as Json, into, rest);
      return into;
    });
    return;
  }
  const into = (target[key] && typeof target[key] === 'object' ? target[key] : {}) as Json;
  copyPath(value as Json, into, rest);
  if (Object.keys(into).length) target[key] = into;
}

function removePath(object: Json, [head, ...rest]: string[]): void {
  const key = head === undefined ? undefined : keyOf(object, head);
  if (key === undefined) return;
  if (rest.length === 0) {
    delete object[key];
    return;
  }
  const value = object[key];
  for (const item of Array.isArray(value) ? value : [value]) if (item && typeof item === 'object') removePath(item as Json, rest);
}
