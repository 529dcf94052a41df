import { ERROR_SCHEMA, GROUP_SCHEMA, SCIM_JSON, counts, createUser, harness, patchOps, scim, userBody, type Harness } from './helpers';

/** mulberry32: a tiny seeded PRNG so every run fuzzes the same inputs and failures reproduce. */
function prng(seed: number) {
  let a = seed;
  const next = () => {
    a = (a + 0x6d2b79f5) | 0;
    let t = Math.imul(a ^ (a >>> 15), 1 | a);
    t = (t + Math.imul(t ^ (t >>> 7), 61 | t)) ^ t;
    return ((t ^ (t >>> 14)) >>> 0) / 4294967296;
  };
  const int = (n: number) => Math.floor(next() * n);
  const pick = <T>(items: readonly T[]): T => items[int(items.length)];
  return { next, int, pick };
}

type Random = ReturnType<typeof prng>;

const ATTRIBUTE_PATHS = [
  'userName', 'active', 'displayName', 'name', 'name.givenName', 'emails', 'emails[type eq "work"].value', 'emails[value co "@"]',
  'phoneNumbers', 'members', 'members[value eq "x"]', 'urn:ietf:params:scim:schemas:extension:enterprise:2.0:User:manager',
  'meta', 'id', 'schemas', 'password', 'groups', '', '[', 'emails[type eq', 'a.b.c.d', 'urn:nope:attr',
];

function randomValue(r: Random, depth = 0): unknown {
  switch (r.int(depth > 2 ? 6 : 9)) {
    case 0: return r.pick(['', 'x', 'True', 'false', '"', '\\', '\u0000', 'ü', 'a'.repeat(r.int(300))]);
    case 1: return r.int(2) === 0 ? r.int(1e6) : -r.next();
    case 2: return r.int(2) === 0;
    case 3: return null;
    case 4: return { value: r.pick(['x', 1, null, 'bulkId:nope']) };
    case 5: return [r.pick(['a', 1, true])];
    case 6: return Array.from({ length: r.int(4) }, () => randomValue(r, depth + 1));
    case 7: return Object.fromEntries(Array.from({ length: r.int(4) }, () => [r.pick(ATTRIBUTE_PATHS), randomValue(r, depth + 1)]));
    default: return undefined;
  }
}

function randomPatch(r: Random): unknown {
  const ops = Array.from({ length: r.int(4) }, () => {
    const op: Record<string, unknown> = { op: r.pick(['add', 'Replace', 'remove', 'REMOVE', 'copy', 7, undefined]) };
    if (r.int(3) > 0) op.path = r.int(5) === 0 ? randomValue(r) : r.pick(ATTRIBUTE_PATHS);
    if (r.int(3) > 0) op.value = randomValue(r);
    return op;
  });
  return r.int(6) === 0 ? { Operations: ops } : patchOps(...ops);
}

function randomFilter(r: Random): string {
  const tokens = ['userName', 'emails.value', 'emails[type eq "work"]', 'eq', 'ne', 'co', 'sw', 'pr', 'gt', 'and', 'or', 'not', '(', ')', '"x"', 'true', '12', '[', ']', '"unterminated', 'meta.lastModified', '.'];
  return Array.from({ length: 1 + r.int(8) }, () => r.pick(tokens)).join(' ');
}

function randomQuery(r: Random): string {
  const names = ['attributes', 'excludedAttributes', 'sortBy', 'sortOrder', 'startIndex', 'count', 'filter'];
  const values = ['members', 'userName,emails', ',', 'emails[type', 'a b', 'descending', 'sideways', '0', '-1', '1e3', '"', 'meta.lastModified', 'urn:x:y'];
  return Array.from({ length: 1 + r.int(3) }, () => `${r.pick(names)}=${encodeURIComponent(r.pick(values))}`).join('&');
}

function malformedJson(r: Random): string {
  const valid = JSON.stringify(userBody(`m${r.int(1000)}`));
  switch (r.int(4)) {
    case 0: return valid.slice(0, r.int(valid.length));
    case 1: return valid.replace(/"/g, r.pick(["'", '', '""']));
    case 2: return Array.from({ length: r.int(50) }, () => String.fromCharCode(r.int(128))).join('');
    default: return `${valid}${r.pick(['}', ',', 'x', ']'])}`;
  }
}

function deeplyNested(r: Random): string {
  const depth = 1000 + r.int(50_000);
  const [open, close] = r.int(2) === 0 ? ['[', ']'] : ['{"a":', '}'];
  return `{"schemas":["urn:ietf:params:scim:schemas:core:2.0:User"],"userName":"deep","name":${open.repeat(depth)}1${close.repeat(depth)}}`;
}

interface Outcome {
  status: number;
  headers: Record<string, string>;
  body: Record<string, unknown>;
}

function expectCleanRejectionOrSuccess(res: Outcome, label: string): void {
  if (res.status >= 500) throw new Error(`${label} → ${res.status} ${JSON.stringify(res.body)}`);
  if (res.status >= 400) {
    expect(res.headers['content-type']).toContain(SCIM_JSON);
    expect(res.body).toMatchObject({ schemas: [ERROR_SCHEMA], status: String(res.status) });
  }
}

async function fuzzOnce(h: Harness, r: Random, ids: { user: string; group: string }): Promise<[string, Outcome]> {
  const api = scim(h);
  const target = r.pick([`/Users/${ids.user}`, `/Groups/${ids.group}`, '/Users/not-a-real-id']);
  switch (r.int(10)) {
    case 0: return ['malformed JSON', await api.raw(r.pick(['post', 'put', 'patch'] as const), r.pick(['/Users', target, '/Bulk', '/.search']), malformedJson(r))];
    case 1: return ['deep nesting', await api.raw('post', '/Users', deeplyNested(r))];
    case 2: return ['huge body', await api.post('/Users', userBody('huge', { title: 'x'.repeat(70_000 + r.int(100_000)) }))];
    case 3: return ['bad filter', await api.get(`/Users?filter=${encodeURIComponent(randomFilter(r))}&count=${r.pick(['1', '0', '-5', '99999', 'x'])}`)];
    case 4: return ['wrong types', await api.post(r.pick(['/Users', '/Groups']), { schemas: [r.pick([GROUP_SCHEMA, 'urn:ietf:params:scim:schemas:core:2.0:User'])], ...(randomValue(r, 2) as object), userName: randomValue(r), displayName: randomValue(r), members: randomValue(r) })];
    case 5: return ['random PATCH', await api.patch(target, randomPatch(r))];
    case 6: return ['random PUT', await api.put(target, randomValue(r))];
    case 7: return ['query params', await api.get(`${r.pick(['/Users', '/Groups', target])}?${randomQuery(r)}`)];
    case 8: return ['random bulk', await api.post('/Bulk', { schemas: ['urn:ietf:params:scim:api:messages:2.0:BulkRequest'], failOnErrors: randomValue(r), Operations: Array.from({ length: r.int(4) }, () => ({ method: r.pick(['POST', 'PUT', 'PATCH', 'DELETE', 'GET', 3]), path: r.pick(['/Users', '/Groups', target, '/Nope', '']), bulkId: r.pick(['b1', 'b2', undefined, 5]), data: r.int(2) ? randomPatch(r) : randomValue(r) })) })];
    default: return ['search', await api.post(r.pick(['/.search', '/Users/.search', '/Groups/.search']), { schemas: ['urn:ietf:params:scim:api:messages:2.0:SearchRequest'], filter: randomFilter(r), startIndex: randomValue(r), count: randomValue(r) })];
  }
}

describe('fuzzing the SCIM edge', () => {
  it('never answers 5xx, never crashes, and leaves the database unchanged after every rejected request', async () => {
    const h = harness({ maxPayloadBytes: 64 * 1024 });
    // FUZZ_SEED explores other inputs locally; the default keeps CI deterministic.
    const r = prng(Number(process.env.FUZZ_SEED ?? 20261123));
    const user = await createUser(h, 'fuzz-target');
    const member = await createUser(h, 'fuzz-member');
    const group = await scim(h).post('/Groups', { schemas: [GROUP_SCHEMA], displayName: 'fuzz', members: [{ value: member.id }] });
    const ids = { user: user.id, group: group.body.id };
    const seen = new Map<string, number>();
    for (let i = 0; i < 400; i++) {
      const before = counts(h.store);
      const [label, res] = await fuzzOnce(h, r, ids);
      seen.set(`${label} ${res.status}`, (seen.get(`${label} ${res.status}`) ?? 0) + 1);
      expectCleanRejectionOrSuccess(res, `#${i} ${label} (last log: ${h.logLines.at(-2) ?? ''})`);
      if (res.status >= 400) expect(counts(h.store)).toEqual(before);
    }
    // The run exercised rejections of every kind, and the server still works and its ledger verifies.
    for (const label of ['malformed JSON 400', 'huge body 413', 'bad filter 400', 'random PATCH 400']) expect(seen.get(label)).toBeGreaterThan(0);
    expect((await scim(h).get('/ServiceProviderConfig')).status).toBe(200);
    expect(h.store.ledger.verify().ok).toBe(true);
  });
});
