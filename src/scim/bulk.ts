import type { Request, Response } from 'express';
import { scimError } from '../http/auth';
import type { ScimContext } from './context';
import { scimFailure, sendScimError, toScimError, type ScimFailure } from './errors';
import { etagOf } from './etag';
import { ScimGroups } from './groups-resource';
import { isPlainObject } from './normalize';
import { isPossibleId } from './request-query';
import { ScimUsers } from './users-resource';

type Json = Record<string, unknown>;

const BULK_REQUEST = 'urn:ietf:params:scim:api:messages:2.0:BulkRequest';
const BULK_RESPONSE = 'urn:ietf:params:scim:api:messages:2.0:BulkResponse';
const METHODS = ['POST', 'PUT', 'PATCH', 'DELETE'] as const;
type Method = (typeof METHODS)[number];
const ENDPOINTS = { Users: ScimUsers, Groups: ScimGroups } as const;
type Endpoint = keyof typeof ENDPOINTS;

/**
 * `bulkId:<id>` wherever it appears in a string: a whole value, a `$ref`, a PATCH path or the literal of
 * a value filter (`members[value eq "bulkId:u2"]`). The id ends where a path or filter would go on.
 */
const REFERENCE = /bulkId:([^\s"'[\]/(),]+)/g;
const BULK_ID = /^[^\s"'[\]/(),]+$/;

interface Operation {
  index: number;
  method: Method;
  endpoint: Endpoint;
  /** The resource id, or a `bulkId:` reference to one; absent for POST. */
  id?: string;
  bulkId?: string;
  version?: string;
  data?: unknown;
  /** bulkIds this operation's path or data refers to. */
  references: string[];
}

interface Result {
  method: unknown;
  bulkId?: string;
  location?: string;
  version?: string;
  status: string;
  response?: Json;
}

/**
 * POST /Bulk (RFC 7644 3.7). Each operation runs through the same resource handlers as its single
 * request, in its own transaction. bulkId references resolve across the whole request: an operation
 * that refers to a later POST waits for it, every occurrence is substituted (values, paths, filters),
 * and references that form a cycle fail with 409. `version` is the operation's If-Match.
 */
export function bulk(contextOf: (req: Request) => ScimContext, maxOperations: number) {
  return async (req: Request, res: Response): Promise<void> => {
    const ctx = contextOf(req);
    try {
      const { operations, failOnErrors } = bulkRequest(req.body, maxOperations);
      const results = await new BulkRun(operations, failOnErrors, ctx).run();
      res.status(200).type('application/scim+json').send({ schemas: [BULK_RESPONSE], Operations: results });
    } catch (error) {
      const failure = toScimError(error, ctx.onUnexpected);
      sendScimError(res, failure.status, failure.message, failure.scimType ?? undefined);
    }
  };
}

function bulkRequest(body: unknown, maxOperations: number): { operations: Array<Operation | Result>; failOnErrors: number } {
  if (!isPlainObject(body)) throw scimFailure(400, 'invalidSyntax', 'a BulkRequest must be a JSON object');
  const { schemas, Operations, failOnErrors = 0 } = body;
  if (!Array.isArray(schemas) || schemas.length !== 1 || schemas[0] !== BULK_REQUEST) {
    throw scimFailure(400, 'invalidSyntax', `a BulkRequest's schemas must be exactly ['${BULK_REQUEST}']`);
  }
  if (!Array.isArray(Operations) || Operations.length === 0) throw scimFailure(400, 'invalidValue', "a BulkRequest needs a non-empty 'Operations' array");
  if (Operations.length > maxOperations) {
    throw scimFailure(413, 'tooMany', `the request has ${Operations.length} operations; maxOperations is ${maxOperations}`);
  }
  if (typeof failOnErrors !== 'number' || !Number.isInteger(failOnErrors) || failOnErrors < 0) {
    throw scimFailure(400, 'invalidSyntax', "'failOnErrors' must be a non-negative integer");
  }
  const declared = new Set<string>();
  const operations = Operations.map((raw: unknown, index) => {
    try {
      const operation = parseOperation(raw, index);
      if (operation.bulkId !== undefined) {
        if (declared.has(operation.bulkId)) throw scimFailure(400, 'invalidValue', `bulkId '${operation.bulkId}' is used by an earlier operation`);
        declared.add(operation.bulkId);
      }
      return operation;
    } catch (error) {
      return failed(isPlainObject(raw) ? raw.method : undefined, error as ScimFailure, { bulkId: isPlainObject(raw) ? stringOrUndefined(raw.bulkId) : undefined });
    }
  });
  return { operations, failOnErrors };
}

function parseOperation(raw: unknown, index: number): Operation {
  const at = `operation ${index + 1}`;
  if (!isPlainObject(raw)) throw scimFailure(400, 'invalidSyntax', `${at} is not an object`);
  const method = typeof raw.method === 'string' ? raw.method.toUpperCase() : undefined;
  if (!method || !(METHODS as readonly string[]).includes(method)) throw scimFailure(400, 'invalidValue', `${at}: method must be one of ${METHODS.join(', ')}`);
  const target = typeof raw.path === 'string' ? /^\/(Users|Groups)(?:\/([^/]+))?\/?$/.exec(raw.path) : null;
  if (!target) throw scimFailure(400, 'invalidValue', `${at}: path must be /Users, /Groups or /Users/{id}, /Groups/{id}`);
  const [, endpoint, id] = target;
  if (method === 'POST' && id !== undefined) throw scimFailure(400, 'invalidValue', `${at}: POST goes to /${endpoint}, not to one resource`);
  if (method !== 'POST' && id === undefined) throw scimFailure(400, 'invalidValue', `${at}: ${method} must target one resource (/${endpoint}/{id})`);
  const bulkId = method === 'POST' ? raw.bulkId : undefined;
  if (method === 'POST' && (typeof bulkId !== 'string' || !BULK_ID.test(bulkId))) {
    throw scimFailure(400, 'invalidSyntax', `${at}: POST needs a 'bulkId' string without spaces, quotes, brackets, '/', '(', ')' or ','`);
  }
  if (raw.version !== undefined && typeof raw.version !== 'string') throw scimFailure(400, 'invalidSyntax', `${at}: version must be a string (an ETag)`);
  if (method !== 'DELETE' && !isPlainObject(raw.data)) throw scimFailure(400, 'invalidSyntax', `${at}: data must be a single JSON object`);
  const data = method === 'DELETE' ? undefined : raw.data;
  return {
    index,
    method: method as Method,
    endpoint: endpoint as Endpoint,
    id,
    bulkId: bulkId as string | undefined,
    version: raw.version as string | undefined,
    data,
    references: [...new Set([...referencesIn(id), ...referencesIn(data)])],
  };
}

/** Runs one BulkRequest: operations in request order, each after the POSTs it refers to. */
class BulkRun {
  private readonly results = new Map<number, Result>();
  /** The POST declaring each bulkId, or the index of an invalid one that named it. */
  private readonly creators = new Map<string, Operation | number>();
  private readonly createdIds = new Map<string, string>();
  private errors = 0;

  constructor(private readonly operations: Array<Operation | Result>, private readonly failOnErrors: number, private readonly ctx: ScimContext) {
    operations.forEach((operation, index) => {
      const bulkId = operation.bulkId;
      if (bulkId !== undefined && !this.creators.has(bulkId)) this.creators.set(bulkId, isResult(operation) ? index : operation);
    });
  }

  async run(): Promise<Result[]> {
    for (const [index, operation] of this.operations.entries()) {
      if (this.stopped) break;
      if (isResult(operation)) this.record(index, operation);
      else await this.settle(operation, []);
    }
    return [...this.results.entries()].sort(([a], [b]) => a - b).map(([, result]) => result);
  }

  private get stopped(): boolean {
    return this.failOnErrors > 0 && this.errors >= this.failOnErrors;
  }

  /** Runs the POSTs `operation` refers to (depth first), then the operation itself. */
  private async settle(operation: Operation, waiting: Operation[]): Promise<void> {
    if (this.results.has(operation.index) || this.stopped) return;
    const chain = [...waiting, operation];
    for (const bulkId of operation.references) {
      const creator = this.creators.get(bulkId);
      if (creator === undefined) return this.fail(operation, scimFailure(400, 'invalidValue', `no POST operation in this request has bulkId '${bulkId}'`));
      if (typeof creator === 'number') return this.fail(operation, dependencyFailed(bulkId, creator));
      const cycleStart = chain.indexOf(creator);
      if (cycleStart >= 0) return this.failCycle(chain.slice(cycleStart));
      await this.settle(creator, chain);
      if (this.results.has(operation.index) || this.stopped) return;
      if (!this.createdIds.has(bulkId)) return this.fail(operation, dependencyFailed(bulkId, creator.index));
    }
    this.record(operation.index, await this.execute(operation));
  }

  private async execute(operation: Operation): Promise<Result> {
    const id = operation.id && this.substituted(operation.id);
    const location = id ? `${this.ctx.basepath}/${operation.endpoint}/${id}` : undefined;
    let version: number | undefined;
    let created: string | undefined;
    const ctx: ScimContext = {
      ...this.ctx,
      ifMatch: operation.version,
      onVersion: (v) => (version = v),
      onCreated: (where) => (created = where),
    };
    try {
      if (id !== undefined && !isPossibleId(id)) throw scimFailure(404, null, `Resource ${operation.endpoint}/${id.slice(0, 64)} not found`);
      const status = await this.apply(operation, id, this.substituted(operation.data), ctx);
      if (operation.bulkId && created) this.createdIds.set(operation.bulkId, created.split('/').pop()!);
      return {
        method: operation.method,
        ...(operation.bulkId ? { bulkId: operation.bulkId } : {}),
        location: created ?? location,
        ...(version !== undefined && operation.method !== 'DELETE' ? { version: etagOf(version) } : {}),
        status: String(status),
      };
    } catch (error) {
      return failed(operation.method, toScimError(error, this.ctx.onUnexpected), { bulkId: operation.bulkId, location });
    }
  }

  private async apply(operation: Operation, id: string | undefined, data: unknown, ctx: ScimContext): Promise<number> {
    const Resource = ENDPOINTS[operation.endpoint];
    switch (operation.method) {
      case 'POST':
        await new Resource(undefined, {}).write(data, ctx);
        return 201;
      case 'PUT':
        await new Resource(id, {}).write(data, ctx);
        return 200;
      case 'PATCH':
        return (await new Resource(id, {}).patch(data, ctx)) === undefined ? 204 : 200;
      case 'DELETE':
        await new Resource(id, {}).dispose(ctx);
        return 204;
    }
  }

  private substituted<T>(value: T): T {
    return mapStrings(value, (text) => text.replace(REFERENCE, (whole, bulkId: string) => this.createdIds.get(bulkId) ?? whole)) as T;
  }

  private fail(operation: Operation, failure: ScimFailure): void {
    const id = operation.id && !referencesIn(operation.id).length ? operation.id : undefined;
    const location = id ? `${this.ctx.basepath}/${operation.endpoint}/${id}` : undefined;
    this.record(operation.index, failed(operation.method, failure, { bulkId: operation.bulkId, location }));
  }

  /** RFC 7644 3.7.1 lets a provider answer a circular reference with 409 instead of resolving it. */
  private failCycle(cycle: Operation[]): void {
    const path = [...cycle, cycle[0]].map((operation) => operation.bulkId ?? `operation ${operation.index + 1}`).join(' → ');
    for (const operation of cycle) {
      if (!this.results.has(operation.index)) this.fail(operation, scimFailure(409, null, `bulkId references form a cycle (${path}); send these operations without the circular reference`));
    }
  }

  private record(index: number, result: Result): void {
    this.results.set(index, result);
    if (result.response) this.errors++;
  }
}

function failed(method: unknown, failure: ScimFailure, where: { bulkId?: string; location?: string }): Result {
  return {
    method,
    ...(where.bulkId ? { bulkId: where.bulkId } : {}),
    ...(where.location ? { location: where.location } : {}),
    status: String(failure.status),
    response: scimError(failure.status, failure.message, failure.scimType ?? undefined),
  };
}

function dependencyFailed(bulkId: string, creatorIndex: number): ScimFailure {
  return scimFailure(409, null, `the POST with bulkId '${bulkId}' (operation ${creatorIndex + 1}) failed, so this operation cannot refer to it`);
}

function isResult(operation: Operation | Result): operation is Result {
  return 'status' in operation;
}

function referencesIn(value: unknown): string[] {
  const found: string[] = [];
  mapStrings(value, (text) => {
    for (const match of text.matchAll(REFERENCE)) found.push(match[1]);
    return text;
  });
  return found;
}

function mapStrings(value: unknown, fn: (text: string) => string): unknown {
  if (typeof value === 'string') return fn(value);
  if (Array.isArray(value)) return value.map((item) => mapStrings(item, fn));
  if (isPlainObject(value)) return Object.fromEntries(Object.entries(value).map(([key, inner]) => [key, mapStrings(inner, fn)]));
  return value;
}

function stringOrUndefined(value: unknown): string | undefined {
  return typeof value === 'string' ? value : undefined;
}
