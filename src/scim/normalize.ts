/**
 * The normalising layer in front of scimmy: rewrites what real IdPs send (Entra ID, Okta) into what
 * RFC 7643/7644 and scimmy accept, without changing its meaning. Pure functions over parsed JSON.
 */

type Json = Record<string, unknown>;

export const ENTERPRISE_USER = 'urn:ietf:params:scim:schemas:extension:enterprise:2.0:User';
const ENTERPRISE_MANAGER = `${ENTERPRISE_USER}:manager`.toLowerCase();

/** Multi-valued attributes whose items carry `type` and `primary`, with their RFC 7643 canonical types. */
const TYPED_VALUES: Record<string, string[]> = {
  emails: ['work', 'home', 'other'],
  phonenumbers: ['work', 'home', 'mobile', 'fax', 'pager', 'other'],
  ims: ['aim', 'gtalk', 'icq', 'xmpp', 'msn', 'skype', 'qq', 'yahoo'],
  photos: ['photo', 'thumbnail'],
  addresses: ['work', 'home', 'other'],
  entitlements: [],
  roles: [],
  x509certificates: [],
};

const MEMBER_TYPES = ['User', 'Group'];

export function isPlainObject(value: unknown): value is Json {
  return typeof value === 'object' && value !== null && !Array.isArray(value);
}

/** "True"/"false" (any casing) → boolean; anything else unchanged so validation can reject it. */
export function toBoolean(value: unknown): unknown {
  if (typeof value !== 'string') return value;
  const lower = value.trim().toLowerCase();
  return lower === 'true' ? true : lower === 'false' ? false : value;
}

/** A type of any casing becomes the canonical spelling when there is one; other vocabularies are kept. */
function canonicalType(canonical: string[], value: unknown): unknown {
  if (typeof value !== 'string') return value;
  return canonical.find((candidate) => candidate.toLowerCase() === value.toLowerCase()) ?? value;
}

function normalizeTypedItems(attribute: string, value: unknown): unknown {
  const canonical = TYPED_VALUES[attribute];
  const fix = (item: unknown) => {
    if (!isPlainObject(item)) return item;
    const out: Json = { ...item };
    for (const key of Object.keys(out)) {
      const lower = key.toLowerCase();
      if (lower === 'primary') out[key] = toBoolean(out[key]);
      else if (lower === 'type') out[key] = canonicalType(canonical, out[key]);
    }
    return out;
  };
  return Array.isArray(value) ? value.map(fix) : fix(value);
}

/**
 * Entra and others send the manager as a bare id string; SCIM wants `{ value: id }`. A manager without an
 * id (`""`, `{"value": ""}`, `{"value": null}`) is none: null, unassigned (RFC 7643 2.5), which a PATCH
 * replace turns into a removal (patch-ops.ts) and a body simply does not store.
 */
export function normalizeManager(value: unknown): unknown {
  if (typeof value === 'string') return value === '' ? null : { value };
  if (isPlainObject(value) && 'value' in value && (value.value === '' || value.value === null)) return null;
  return value;
}

function normalizeEnterprise(value: unknown): unknown {
  if (!isPlainObject(value)) return value;
  const out: Json = { ...value };
  for (const key of Object.keys(out)) if (key.toLowerCase() === 'manager') out[key] = normalizeManager(out[key]);
  return out;
}

/** One attribute of a User body (or of a no-path PATCH value), by its name or path. */
function normalizeUserAttribute(name: string, value: unknown): unknown {
  const lower = name.toLowerCase();
  if (lower === 'active') return toBoolean(value);
  if (lower in TYPED_VALUES) return normalizeTypedItems(lower, value);
  if (lower === ENTERPRISE_USER.toLowerCase()) return normalizeEnterprise(value);
  if (lower === ENTERPRISE_MANAGER) return normalizeManager(value);
  if (lower.endsWith('.primary') || lower.endsWith('].primary')) return toBoolean(value);
  const typedPath = /^(\w+)\[.*\]$/.exec(lower);
  if (typedPath && typedPath[1] in TYPED_VALUES) return normalizeTypedItems(typedPath[1], value);
  return value;
}

export function normalizeUserBody(body: unknown): unknown {
  if (!isPlainObject(body)) return body;
  const out: Json = {};
  for (const [key, value] of Object.entries(body)) out[key] = normalizeUserAttribute(key, value);
  return out;
}

function normalizeMembers(value: unknown): unknown {
  const fix = (item: unknown) => {
    if (typeof item === 'string') return { value: item };
    if (!isPlainObject(item)) return item;
    const out: Json = { ...item };
    for (const key of Object.keys(out)) if (key.toLowerCase() === 'type') out[key] = canonicalType(MEMBER_TYPES, out[key]);
    return out;
  };
  return Array.isArray(value) ? value.map(fix) : fix(value);
}

function normalizeGroupAttribute(name: string, value: unknown): unknown {
  return name.toLowerCase() === 'members' ? normalizeMembers(value) : value;
}

export function normalizeGroupBody(body: unknown): unknown {
  if (!isPlainObject(body)) return body;
  const out: Json = {};
  for (const [key, value] of Object.entries(body)) out[key] = normalizeGroupAttribute(key, value);
  return out;
}

/**
 * A PatchOp with lower-case ops (Entra sends Add/Replace/Remove) and values normalised like bodies:
 * string booleans, manager ids, type casing, members as ids. Shape errors are left for scimmy.
 */
export function normalizePatch(body: unknown, resource: 'user' | 'group'): unknown {
  if (!isPlainObject(body) || !Array.isArray(body.Operations)) return body;
  const attribute = resource === 'user' ? normalizeUserAttribute : normalizeGroupAttribute;
  const whole = resource === 'user' ? normalizeUserBody : normalizeGroupBody;
  const Operations = body.Operations.map((operation: unknown) => {
    if (!isPlainObject(operation)) return operation;
    const out: Json = { ...operation };
    if (typeof out.op === 'string') out.op = out.op.toLowerCase();
    if (out.value !== undefined) out.value = typeof out.path === 'string' ? attribute(out.path, out.value) : whole(out.value);
    return out;
  });
  return { ...body, Operations };
}
