import { randomUUID } from 'node:crypto';
import type { Request, Response } from 'express';
import { FakeServer, pageByIndex, ResourceStore, type ErrorResponse, type Resource } from '../kit/fake';
import { InvalidFilterError, keyLookup, parseFilter, project } from './fake-query';
import { applyPatch, PatchError } from './fake-patch';

/**
 * A small SCIM 2.0 service provider for tests: Users, Groups, PATCH, filters, startIndex/count paging,
 * bearer tokens and an OAuth client-credentials token endpoint. It is deliberately not the bridge's own
 * SCIM server, so the connector is tested against an independent implementation of the protocol.
 */

export interface ScimFakeOptions {
  bearerToken: string;
  oauthClient?: { clientId: string; clientSecret: string };
  /** Lifetime of issued access tokens. */
  tokenLifetimeS?: number;
}

const ERROR_SCHEMA = 'urn:ietf:params:scim:api:messages:2.0:Error';
const LIST_SCHEMA = 'urn:ietf:params:scim:api:messages:2.0:ListResponse';
const SCIM_JSON = 'application/scim+json';

export class ScimFake extends FakeServer {
  readonly users = new ResourceStore('userName');
  readonly groups = new ResourceStore('displayName');
  /** The server's own cap on `count`, whatever the client asks for. */
  maxPageSize = 100;
  /** RFC 7644 §3.14 makes meta.version optional; false makes this server one of those that send none. */
  sendVersions = true;
  private lastVersion = 0;

  constructor(private readonly options: ScimFakeOptions) {
    super({ credentials: [options.bearerToken] });
    this.post('/oauth/token', (req, res) => this.issueToken(req, res), { public: true });
    this.collection('/Users', this.users, 'User');
    this.collection('/Groups', this.groups, 'Group');
  }

  static async start(options: ScimFakeOptions): Promise<ScimFake> {
    return new ScimFake(options).start();
  }

  get scimUrl(): string {
    return `${this.url}/scim/v2`;
  }

  get tokenUrl(): string {
    return `${this.url}/oauth/token`;
  }

  protected override resetState(): void {
    this.users.clear();
    this.groups.clear();
    this.maxPageSize = 100;
    this.sendVersions = true;
    this.lastVersion = 0;
  }

  protected override errorResponse(status: number, message: string): ErrorResponse {
    return { contentType: SCIM_JSON, body: scimError(status, message) };
  }

  private collection(path: string, store: ResourceStore, resourceType: 'User' | 'Group'): void {
    const base = `/scim/v2${path}`;
    this.get(base, (req, res) => this.list(req, res, store));
    this.post(base, (req, res) => this.create(req, res, store, resourceType));
    this.get(`${base}/:id`, (req, res) => this.withResource(req, res, store, (resource) => res.type(SCIM_JSON).json(projected(req, resource))));
    this.patch(`${base}/:id`, (req, res) => this.withResource(req, res, store, (resource) => this.applyPatch(req, res, store, resource)));
    this.delete(`${base}/:id`, (req, res) => this.withResource(req, res, store, (resource) => this.remove(res, store, resource)));
  }

  private list(req: Request, res: Response, store: ResourceStore): void {
    let predicate;
    try {
      predicate = parseFilter(req.query.filter as string | undefined);
    } catch (error) {
      if (error instanceof InvalidFilterError) return sendScimError(res, 400, error.message, 'invalidFilter');
      throw error;
    }
    const byKey = keyLookup(req.query.filter as string | undefined, store.keyName);
    const matching = byKey ? [store.byKey(byKey)].filter((found) => found !== undefined) : [...store.values()].filter(predicate);
    const startIndex = Math.max(1, Number(req.query.startIndex ?? 1) || 1);
    const count = Math.min(this.maxPageSize, Math.max(0, Number(req.query.count ?? this.maxPageSize)));
    const page = pageByIndex(matching, startIndex, count).map((resource) => projected(req, resource));
    res.type(SCIM_JSON).json({ schemas: [LIST_SCHEMA], totalResults: matching.length, startIndex, itemsPerPage: page.length, Resources: page });
  }

  private create(req: Request, res: Response, store: ResourceStore, resourceType: 'User' | 'Group'): void {
    const body = (req.body ?? {}) as Record<string, unknown>;
    const problem = this.invalid(body, store, resourceType);
    if (problem) return sendScimError(res, problem.status, problem.detail, problem.scimType);
    const id = randomUUID();
    const now = new Date().toISOString();
    const resource: Resource = {
      ...body,
      id,
      ...(resourceType === 'Group' ? { members: this.withDisplay(body.members) } : {}),
      meta: { resourceType, created: now, lastModified: now, location: `${this.scimUrl}/${resourceType}s/${id}`, ...this.newVersion() },
    };
    store.set(id, resource);
    res.status(201).type(SCIM_JSON).json(resource);
  }

  private applyPatch(req: Request, res: Response, store: ResourceStore, resource: Resource): void {
    const candidate = structuredClone(resource);
    try {
      applyPatch(candidate, (req.body as { Operations?: unknown } | undefined)?.Operations);
    } catch (error) {
      if (error instanceof PatchError) return sendScimError(res, 400, error.message, error.scimType);
      throw error;
    }
    const resourceType = store === this.users ? 'User' : 'Group';
    const problem = this.invalid(candidate, store, resourceType, resource.id);
    if (problem) return sendScimError(res, problem.status, problem.detail, problem.scimType);
    if (resourceType === 'Group') candidate.members = this.withDisplay(candidate.members);
    candidate.id = resource.id;
    // RFC 7644 §3.5.2.1: a PATCH that changes nothing (an add of a member already there) leaves the
    // resource as it was, modify time and version included.
    if (JSON.stringify(candidate) === JSON.stringify(resource)) return void res.type(SCIM_JSON).json(resource);
    candidate.meta = { ...(candidate.meta as Record<string, unknown>), lastModified: new Date().toISOString(), ...this.newVersion() };
    store.set(resource.id, candidate);
    res.type(SCIM_JSON).json(candidate);
  }

  private newVersion(): { version?: string } {
    this.lastVersion += 1;
    return this.sendVersions ? { version: `W/"${this.lastVersion}"` } : {};
  }

  private remove(res: Response, store: ResourceStore, resource: Resource): void {
    store.delete(resource.id);
    if (store === this.users) {
      for (const group of this.groups.values()) {
        group.members = (group.members as Array<{ value: string }>).filter((member) => member.value !== resource.id);
      }
    }
    res.status(204).end();
  }

  private withResource(req: Request, res: Response, store: ResourceStore, then: (resource: Resource) => void): void {
    const resource = store.get(String(req.params.id));
    if (!resource) return sendScimError(res, 404, `resource ${String(req.params.id)} not found`);
    then(resource);
  }

  /** What a real service provider refuses: a missing key, a duplicate key, members that do not exist. */
  private invalid(resource: Record<string, unknown>, store: ResourceStore, type: 'User' | 'Group', selfId?: string) {
    const keyName = type === 'User' ? 'userName' : 'displayName';
    const key = resource[keyName];
    if (typeof key !== 'string' || !key) return { status: 400, detail: `${keyName} is required`, scimType: 'invalidValue' };
    const holder = store.byKey(key);
    if (holder && holder.id !== selfId) return { status: 409, detail: `${keyName} ${key} is already taken`, scimType: 'uniqueness' };
    const members = type === 'Group' && Array.isArray(resource.members) ? (resource.members as Array<{ value?: string }>) : [];
    const unknown = members.find((member) => !member.value || !this.users.has(member.value));
    if (unknown) return { status: 400, detail: `member ${String(unknown.value)} does not exist`, scimType: 'invalidValue' };
    return undefined;
  }

  private withDisplay(members: unknown): Array<{ value: string; display?: string }> {
    return ((members ?? []) as Array<{ value: string }>).map((member) => ({
      value: member.value,
      display: this.users.get(member.value)?.userName as string | undefined,
    }));
  }

  /** RFC 6749 §4.4: client_credentials with HTTP Basic or form-body client authentication. */
  private issueToken(req: Request, res: Response): void {
    const client = clientOf(req);
    const expected = this.options.oauthClient;
    const body = (req.body ?? {}) as Record<string, string>;
    if (body.grant_type !== 'client_credentials') {
      res.status(400).json({ error: 'unsupported_grant_type' });
      return;
    }
    if (this.credentialsRevoked || !expected || client?.id !== expected.clientId || client.secret !== expected.clientSecret) {
      res.status(401).set('WWW-Authenticate', 'Basic realm="token"').json({ error: 'invalid_client', error_description: 'client authentication failed' });
      return;
    }
    const token = `at-${randomUUID()}`;
    this.credentials.add(token);
    res.json({ access_token: token, token_type: 'Bearer', expires_in: this.options.tokenLifetimeS ?? 3600 });
  }
}

function clientOf(req: Request): { id: string; secret: string } | undefined {
  const basic = /^Basic\s+(\S+)$/i.exec(req.get('authorization') ?? '');
  if (basic) {
    const [id, secret] = Buffer.from(basic[1], 'base64').toString('utf8').split(':');
    return { id: decodeURIComponent(id ?? ''), secret: decodeURIComponent(secret ?? '') };
  }
  const body = (req.body ?? {}) as Record<string, string>;
  return body.client_id ? { id: body.client_id, secret: body.client_secret ?? '' } : undefined;
}

function projected(req: Request, resource: Resource): Record<string, unknown> {
  return project(resource, req.query.attributes as string | undefined, req.query.excludedAttributes as string | undefined);
}

export function scimError(status: number, detail: string, scimType?: string): Record<string, unknown> {
  return { schemas: [ERROR_SCHEMA], status: String(status), ...(scimType ? { scimType } : {}), detail };
}

function sendScimError(res: Response, status: number, detail: string, scimType?: string): void {
  res.status(status).type(SCIM_JSON).json(scimError(status, detail, scimType));
}
