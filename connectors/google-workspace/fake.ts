import { createPublicKey, randomBytes, type KeyObject } from 'node:crypto';
import type { Request, RequestHandler, Response } from 'express';
import { FakeServer, type ErrorResponse } from '../kit/fake-server';
import { pageByToken } from '../kit/paging';
import { DIRECTORY_SCOPES } from './config';
import { isRefusal, verifyAssertion, type AssertionClaims } from './fake-token-endpoint';
import type { GoogleExternalId, GoogleGroup, GoogleMember, GoogleOrganization, GooglePhone, GoogleRelation } from './google-types';

/**
 * A loopback Admin SDK Directory API: the users, groups and members endpoints the connector calls, with
 * Google's paths, JSON shapes, `pageToken` paging and error bodies, plus an OAuth token endpoint that
 * verifies the service account's signed assertion (RS256, iss, sub, aud, scopes) before it issues the
 * access token every Directory call must carry.
 */

const [USER_SCOPE, GROUP_SCOPE, MEMBER_SCOPE] = DIRECTORY_SCOPES;
const BASE = '/admin/directory/v1';

const STATUS_NAMES: Record<number, string> = {
  400: 'INVALID_ARGUMENT', 401: 'UNAUTHENTICATED', 403: 'PERMISSION_DENIED', 404: 'NOT_FOUND',
  409: 'ALREADY_EXISTS', 412: 'FAILED_PRECONDITION', 429: 'RESOURCE_EXHAUSTED', 500: 'INTERNAL', 503: 'UNAVAILABLE',
};
const DEFAULT_REASONS: Record<number, string> = {
  400: 'invalid', 401: 'authError', 403: 'forbidden', 404: 'notFound', 409: 'duplicate', 429: 'rateLimitExceeded',
};

/** Google's error body: `{ error: { code, message, errors: [{ message, domain, reason }], status } }`. */
export function googleErrorBody(code: number, message: string, reason = DEFAULT_REASONS[code] ?? 'backendError', domain = 'global') {
  return { error: { code, message, errors: [{ message, domain, reason }], status: STATUS_NAMES[code] ?? 'UNKNOWN' } };
}

export interface FakeUser {
  id: string;
  primaryEmail: string;
  name: { givenName: string; familyName: string; fullName: string };
  suspended: boolean;
  orgUnitPath: string;
  aliases: string[];
  externalIds?: GoogleExternalId[];
  phones?: GooglePhone[];
  organizations?: GoogleOrganization[];
  relations?: GoogleRelation[];
  changePasswordAtNextLogin: boolean;
  /** Kept so tests can check what was set; the API never returns it. */
  password: string;
  creationTime: string;
}

export interface FakeGroup {
  id: string;
  email: string;
  name: string;
  description: string;
  /** User id → role. */
  members: Map<string, string>;
}

export interface GoogleWorkspaceFakeOptions {
  /** The service account's public key (PEM or KeyObject): the fake checks assertion signatures with it. */
  publicKey: KeyObject | string;
  clientEmail: string;
  /** Admins the service account may impersonate (`sub`). */
  admins: string[];
  /** Domains the customer owns; the first is primary. */
  domains: string[];
  /** Scopes in the Admin console's domain-wide delegation entry (default: the three Directory scopes). */
  delegatedScopes?: string[];
  orgUnits?: string[];
}

export class GoogleWorkspaceFake extends FakeServer {
  readonly customerId = 'C03az79cb';
  readonly users = new Map<string, FakeUser>();
  readonly groups = new Map<string, FakeGroup>();
  /** Decoded claims of every accepted assertion, for tests of the auth flow. */
  readonly acceptedAssertions: AssertionClaims[] = [];
  /** Largest page the fake serves, whatever maxResults asks (real pages may also come short). */
  pageSizeCap = Number.POSITIVE_INFINITY;
  readonly orgUnits: Set<string>;
  private readonly publicKey: KeyObject;
  private readonly tokens = new Map<string, Set<string>>();
  private keyRevoked = false;
  private nextId = 1;

  constructor(private readonly options: GoogleWorkspaceFakeOptions) {
    super({ endpointOf: (req, pattern) => `${req.method} ${pattern.replace(BASE, '')}` });
    this.publicKey = typeof options.publicKey === 'string' ? createPublicKey(options.publicKey) : options.publicKey;
    this.orgUnits = new Set(options.orgUnits ?? ['/']);
    this.post('/token', (req, res) => this.issueToken(req, res), { public: true });
    this.post(`${BASE}/users`, this.scoped([USER_SCOPE], (req, res) => this.insertUser(req, res)));
    this.get(`${BASE}/users`, this.scoped([USER_SCOPE], (req, res) => this.listUsers(req, res)));
    this.get(`${BASE}/users/:userKey`, this.scoped([USER_SCOPE], (req, res) => this.withUser(req, res, (user) => res.json(presentUser(user, this.customerId)))));
    this.patch(`${BASE}/users/:userKey`, this.scoped([USER_SCOPE], (req, res) => this.withUser(req, res, (user) => this.patchUser(user, req, res))));
    this.delete(`${BASE}/users/:userKey`, this.scoped([USER_SCOPE], (req, res) => this.withUser(req, res, (user) => this.deleteUser(user, res))));
    this.delete(`${BASE}/users/:userKey/aliases/:alias`, this.scoped([USER_SCOPE], (req, res) => this.withUser(req, res, (user) => this.deleteAlias(user, req, res))));
    this.post(`${BASE}/groups`, this.scoped([GROUP_SCOPE], (req, res) => this.insertGroup(req, res)));
    this.get(`${BASE}/groups`, this.scoped([GROUP_SCOPE], (req, res) => this.listGroups(req, res)));
    this.get(`${BASE}/groups/:groupKey`, this.scoped([GROUP_SCOPE], (req, res) => this.withGroup(req, res, (group) => res.json(presentGroup(group)))));
    this.patch(`${BASE}/groups/:groupKey`, this.scoped([GROUP_SCOPE], (req, res) => this.withGroup(req, res, (group) => this.patchGroup(group, req, res))));
    this.delete(`${BASE}/groups/:groupKey`, this.scoped([GROUP_SCOPE], (req, res) => this.withGroup(req, res, (group) => this.deleteGroup(group, res))));
    const memberScopes = [GROUP_SCOPE, MEMBER_SCOPE];
    this.post(`${BASE}/groups/:groupKey/members`, this.scoped(memberScopes, (req, res) => this.withGroup(req, res, (group) => this.insertMember(group, req, res))));
    this.get(`${BASE}/groups/:groupKey/members`, this.scoped(memberScopes, (req, res) => this.withGroup(req, res, (group) => this.listMembers(group, req, res))));
    this.delete(`${BASE}/groups/:groupKey/members/:memberKey`, this.scoped(memberScopes, (req, res) => this.withGroup(req, res, (group) => this.deleteMember(group, req, res))));
  }

  get tokenUrl(): string {
    return `${this.url}/token`;
  }

  // ---- inspection for tests -----------------------------------------------------------------------

  findUser(key: string): FakeUser | undefined {
    const wanted = key.toLowerCase();
    return this.users.get(key) ?? [...this.users.values()].find((user) => user.primaryEmail === wanted || user.aliases.includes(wanted));
  }

  findGroup(key: string): FakeGroup | undefined {
    return this.groups.get(key) ?? [...this.groups.values()].find((group) => group.email === key.toLowerCase());
  }

  /** A user created behind the bridge's back (drift, correlation by alias). */
  seedUser(primaryEmail: string, fields: Partial<Omit<FakeUser, 'id' | 'primaryEmail'>> = {}): FakeUser {
    const user: FakeUser = {
      id: this.newUserId(),
      primaryEmail: primaryEmail.toLowerCase(),
      name: { givenName: 'Seeded', familyName: 'User', fullName: 'Seeded User' },
      suspended: false,
      orgUnitPath: '/',
      aliases: [],
      changePasswordAtNextLogin: false,
      password: randomBytes(12).toString('hex'),
      creationTime: new Date().toISOString(),
      ...fields,
    };
    this.users.set(user.id, user);
    return user;
  }

  override revokeCredentials(): void {
    super.revokeCredentials();
    this.keyRevoked = true;
  }

  protected override resetState(): void {
    this.users.clear();
    this.groups.clear();
    this.acceptedAssertions.length = 0;
    this.pageSizeCap = Number.POSITIVE_INFINITY;
    this.keyRevoked = false;
  }

  protected override authorize(req: Request): boolean {
    return this.tokens.has(bearerToken(req) ?? '');
  }

  protected override errorResponse(status: number, message: string): ErrorResponse {
    return { contentType: 'application/json; charset=UTF-8', body: googleErrorBody(status, message) };
  }

  // ---- OAuth token endpoint -----------------------------------------------------------------------

  private issueToken(req: Request, res: Response): void {
    const { grant_type: grantType, assertion } = (req.body ?? {}) as Record<string, string>;
    if (grantType !== 'urn:ietf:params:oauth:grant-type:jwt-bearer' || !assertion) {
      res.status(400).json({ error: 'unsupported_grant_type', error_description: 'Invalid grant_type: ' + String(grantType) });
      return;
    }
    const result = this.keyRevoked
      ? { status: 400, error: 'invalid_grant', error_description: 'Invalid JWT Signature.' }
      : verifyAssertion(assertion, {
          publicKey: this.publicKey,
          clientEmail: this.options.clientEmail,
          knownSubjects: new Set(this.options.admins.map((admin) => admin.toLowerCase())),
          delegatedScopes: new Set(this.options.delegatedScopes ?? DIRECTORY_SCOPES),
          tokenUrl: this.tokenUrl,
          nowS: Math.floor(Date.now() / 1000),
        });
    if (isRefusal(result)) {
      res.status(result.status).json({ error: result.error, error_description: result.error_description });
      return;
    }
    this.acceptedAssertions.push(result);
    const accessToken = `ya29.fake-${randomBytes(24).toString('base64url')}`;
    this.tokens.set(accessToken, new Set(result.scope.split(' ')));
    res.set('Cache-Control', 'no-cache, no-store, max-age=0, must-revalidate').json({ access_token: accessToken, expires_in: 3599, token_type: 'Bearer' });
  }

  /** Google checks the token's scopes per method: 403 insufficientPermissions names none of them. */
  private scoped(accepted: string[], handler: (req: Request, res: Response) => void): RequestHandler {
    return (req, res) => {
      const granted = this.tokens.get(bearerToken(req) ?? '');
      if (!accepted.some((scope) => granted?.has(scope))) {
        return this.fail(res, 403, 'Request had insufficient authentication scopes.', 'insufficientPermissions');
      }
      handler(req, res);
    };
  }

  // ---- users --------------------------------------------------------------------------------------

  private insertUser(req: Request, res: Response): void {
    const body = (req.body ?? {}) as Partial<FakeUser> & { name?: Partial<FakeUser['name']> };
    const email = String(body.primaryEmail ?? '').toLowerCase();
    const problem = this.emailProblem(email) ?? nameProblem(body.name) ?? this.orgUnitProblem(body.orgUnitPath);
    if (problem) return this.fail(res, 400, problem);
    if (typeof body.password !== 'string' || body.password.length < 8 || body.password.length > 100) return this.fail(res, 400, 'Invalid Password');
    if (this.emailTaken(email)) return this.fail(res, 409, 'Entity already exists.', 'duplicate');
    const user = this.seedUser(email, {
      name: fullName(body.name?.givenName ?? '', body.name?.familyName ?? ''),
      suspended: body.suspended === true,
      orgUnitPath: body.orgUnitPath ?? '/',
      externalIds: body.externalIds,
      phones: body.phones,
      organizations: body.organizations,
      relations: body.relations,
      changePasswordAtNextLogin: body.changePasswordAtNextLogin === true,
      password: body.password,
    });
    res.json(presentUser(user, this.customerId));
  }

  /** PATCH semantics: named fields replace, `name` merges, arrays are replaced whole. */
  private patchUser(user: FakeUser, req: Request, res: Response): void {
    const body = (req.body ?? {}) as Partial<FakeUser> & { name?: Partial<FakeUser['name']> };
    if (body.primaryEmail !== undefined && body.primaryEmail.toLowerCase() !== user.primaryEmail) {
      const email = body.primaryEmail.toLowerCase();
      const problem = this.emailProblem(email);
      if (problem) return this.fail(res, 400, problem);
      // As Google does, an address held by anyone is taken, the account's own aliases included: renaming
      // onto an alias needs users.aliases.delete first. The old address stays on as an alias.
      if (this.emailTaken(email)) return this.fail(res, 409, 'Entity already exists.', 'duplicate');
      user.aliases = [...user.aliases, user.primaryEmail];
      user.primaryEmail = email;
    }
    if (body.name) {
      const problem = nameProblem({ ...user.name, ...body.name });
      if (problem) return this.fail(res, 400, problem);
      user.name = fullName(body.name.givenName ?? user.name.givenName, body.name.familyName ?? user.name.familyName);
    }
    const orgUnitProblem = this.orgUnitProblem(body.orgUnitPath);
    if (orgUnitProblem) return this.fail(res, 400, orgUnitProblem);
    if (body.orgUnitPath !== undefined) user.orgUnitPath = body.orgUnitPath;
    if (body.suspended !== undefined) user.suspended = body.suspended === true;
    for (const field of ['externalIds', 'phones', 'organizations', 'relations'] as const) {
      if (body[field] !== undefined) (user as unknown as Record<string, unknown>)[field] = body[field];
    }
    res.json(presentUser(user, this.customerId));
  }

  private deleteUser(user: FakeUser, res: Response): void {
    this.users.delete(user.id);
    for (const group of this.groups.values()) group.members.delete(user.id);
    res.status(204).end();
  }

  private deleteAlias(user: FakeUser, req: Request, res: Response): void {
    const alias = String(req.params.alias).toLowerCase();
    if (!user.aliases.includes(alias)) return this.fail(res, 404, 'Resource Not Found: alias', 'notFound');
    user.aliases = user.aliases.filter((held) => held !== alias);
    res.status(204).end();
  }

  private listUsers(req: Request, res: Response): void {
    if (!this.listScopeValid(req, res)) return;
    const query = parseQuery(String(req.query.query ?? ''));
    const domain = req.query.domain ? `@${String(req.query.domain).toLowerCase()}` : '';
    const users = [...this.users.values()]
      .filter((user) => user.primaryEmail.endsWith(domain) && query(user))
      .sort((a, b) => a.primaryEmail.localeCompare(b.primaryEmail));
    const page = this.page(users, req, 100, 500, res);
    if (!page) return;
    res.json({
      kind: 'admin#directory#users',
      etag: etag(),
      ...(page.items.length ? { users: page.items.map((user) => presentUser(user, this.customerId)) } : {}),
      ...(page.nextToken ? { nextPageToken: page.nextToken } : {}),
    });
  }

  // ---- groups and members -------------------------------------------------------------------------

  private insertGroup(req: Request, res: Response): void {
    const body = (req.body ?? {}) as GoogleGroup;
    const email = String(body.email ?? '').toLowerCase();
    const problem = this.emailProblem(email, 'groupKey');
    if (problem) return this.fail(res, 400, problem);
    if (this.emailTaken(email)) return this.fail(res, 409, 'Entity already exists.', 'duplicate');
    const group: FakeGroup = { id: this.newGroupId(), email, name: body.name ?? email, description: body.description ?? '', members: new Map() };
    this.groups.set(group.id, group);
    res.json(presentGroup(group));
  }

  private patchGroup(group: FakeGroup, req: Request, res: Response): void {
    const body = (req.body ?? {}) as GoogleGroup;
    if (body.email !== undefined && body.email.toLowerCase() !== group.email) {
      const email = body.email.toLowerCase();
      const problem = this.emailProblem(email, 'groupKey');
      if (problem) return this.fail(res, 400, problem);
      if (this.emailTaken(email)) return this.fail(res, 409, 'Entity already exists.', 'duplicate');
      group.email = email;
    }
    if (body.name !== undefined) group.name = body.name;
    if (body.description !== undefined) group.description = body.description;
    res.json(presentGroup(group));
  }

  private deleteGroup(group: FakeGroup, res: Response): void {
    this.groups.delete(group.id);
    res.status(204).end();
  }

  private listGroups(req: Request, res: Response): void {
    if (!this.listScopeValid(req, res)) return;
    const domain = req.query.domain ? `@${String(req.query.domain).toLowerCase()}` : '';
    const groups = [...this.groups.values()].filter((group) => group.email.endsWith(domain)).sort((a, b) => a.email.localeCompare(b.email));
    const page = this.page(groups, req, 200, 200, res);
    if (!page) return;
    res.json({
      kind: 'admin#directory#groups',
      etag: etag(),
      ...(page.items.length ? { groups: page.items.map(presentGroup) } : {}),
      ...(page.nextToken ? { nextPageToken: page.nextToken } : {}),
    });
  }

  private insertMember(group: FakeGroup, req: Request, res: Response): void {
    const body = (req.body ?? {}) as GoogleMember;
    const user = this.findUser(String(body.email ?? body.id ?? ''));
    if (!user) return this.fail(res, 404, 'Resource Not Found: memberKey', 'notFound');
    if (group.members.has(user.id)) return this.fail(res, 409, 'Member already exists.', 'duplicate');
    group.members.set(user.id, body.role ?? 'MEMBER');
    res.json(presentMember(user, group.members.get(user.id) ?? 'MEMBER'));
  }

  private deleteMember(group: FakeGroup, req: Request, res: Response): void {
    const user = this.findUser(String(req.params.memberKey));
    if (!user || !group.members.has(user.id)) return this.fail(res, 404, 'Resource Not Found: memberKey', 'notFound');
    group.members.delete(user.id);
    res.status(204).end();
  }

  private listMembers(group: FakeGroup, req: Request, res: Response): void {
    const members = [...group.members.entries()]
      .map(([userId, role]) => ({ user: this.users.get(userId), role }))
      .filter((entry): entry is { user: FakeUser; role: string } => entry.user !== undefined);
    const page = this.page(members, req, 200, 200, res);
    if (!page) return;
    res.json({
      kind: 'admin#directory#members',
      etag: etag(),
      ...(page.items.length ? { members: page.items.map(({ user, role }) => presentMember(user, role)) } : {}),
      ...(page.nextToken ? { nextPageToken: page.nextToken } : {}),
    });
  }

  // ---- helpers ------------------------------------------------------------------------------------

  private withUser(req: Request, res: Response, handle: (user: FakeUser) => void): void {
    const user = this.findUser(String(req.params.userKey));
    if (!user) return this.fail(res, 404, 'Resource Not Found: userKey', 'notFound');
    handle(user);
  }

  private withGroup(req: Request, res: Response, handle: (group: FakeGroup) => void): void {
    const group = this.findGroup(String(req.params.groupKey));
    if (!group) return this.fail(res, 404, 'Resource Not Found: groupKey', 'notFound');
    handle(group);
  }

  private listScopeValid(req: Request, res: Response): boolean {
    const { customer, domain } = req.query;
    if (!customer && !domain) {
      this.fail(res, 400, 'Bad Request', 'badRequest');
      return false;
    }
    const knownCustomer = customer === undefined || customer === 'my_customer' || customer === this.customerId;
    const knownDomain = domain === undefined || this.options.domains.includes(String(domain).toLowerCase());
    if (!knownCustomer || !knownDomain) {
      this.fail(res, knownDomain ? 400 : 404, knownDomain ? 'Bad Request' : 'Domain not found.', knownDomain ? 'badRequest' : 'notFound');
      return false;
    }
    return true;
  }

  private page<T>(items: T[], req: Request, defaultSize: number, maxSize: number, res: Response): { items: T[]; nextToken?: string } | undefined {
    const requested = req.query.maxResults === undefined ? defaultSize : Number(req.query.maxResults);
    if (!Number.isInteger(requested) || requested < 1 || requested > maxSize) {
      this.fail(res, 400, 'Invalid Input: maxResults', 'invalid');
      return undefined;
    }
    const token = req.query.pageToken === undefined ? undefined : String(req.query.pageToken);
    return pageByToken(items, Math.min(requested, this.pageSizeCap), token);
  }

  private emailProblem(email: string, field = 'primary_user_email'): string | undefined {
    const domain = /^[^@\s]+@([^@\s]+)$/.exec(email)?.[1];
    return domain && this.options.domains.includes(domain) ? undefined : `Invalid Input: ${field}`;
  }

  private orgUnitProblem(path: string | undefined): string | undefined {
    return path === undefined || this.orgUnits.has(path) ? undefined : 'Invalid Input: INVALID_OU_ID';
  }

  private emailTaken(email: string): boolean {
    return this.findUser(email) !== undefined || this.findGroup(email) !== undefined;
  }

  private fail(res: Response, status: number, message: string, reason?: string): void {
    res.status(status).type('application/json; charset=UTF-8').send(JSON.stringify(googleErrorBody(status, message, reason)));
  }

  private newUserId(): string {
    return `1${String(this.nextId++).padStart(20, '0')}`;
  }

  private newGroupId(): string {
    return `03${(this.nextId++).toString(36).padStart(13, '0')}`;
  }
}

function bearerToken(req: Request): string | undefined {
  return /^Bearer\s+(\S+)$/i.exec(req.get('authorization') ?? '')?.[1];
}

function fullName(givenName: string, familyName: string): FakeUser['name'] {
  return { givenName, familyName, fullName: `${givenName} ${familyName}` };
}

function nameProblem(name: Partial<FakeUser['name']> | undefined): string | undefined {
  if (!name?.givenName?.trim()) return 'Invalid Given/Family Name: GivenName';
  if (!name.familyName?.trim()) return 'Invalid Given/Family Name: FamilyName';
  return undefined;
}

/** The subset of Google's user search the connector uses: `externalId`, `email`, `isSuspended` clauses. */
function parseQuery(query: string): (user: FakeUser) => boolean {
  const clauses = [...query.matchAll(/(\w+)([=:])('([^']*)'|\S+)/g)].map(([, field, , raw, quoted]) => ({ field, value: quoted ?? raw }));
  return (user) =>
    clauses.every(({ field, value }) => {
      if (field === 'externalId') return (user.externalIds ?? []).some((id) => id.value === value);
      if (field === 'email') return user.primaryEmail === value.toLowerCase() || user.aliases.includes(value.toLowerCase());
      if (field === 'isSuspended') return String(user.suspended) === value;
      return false;
    });
}

function etag(): string {
  return `"${randomBytes(12).toString('base64url')}"`;
}

function presentUser(user: FakeUser, customerId: string): Record<string, unknown> {
  const { password: _password, aliases, ...visible } = structuredClone(user);
  return {
    kind: 'admin#directory#user',
    etag: etag(),
    ...visible,
    ...(aliases.length ? { aliases } : {}),
    isAdmin: false,
    isDelegatedAdmin: false,
    agreedToTerms: false,
    customerId,
    isMailboxSetup: true,
    includeInGlobalAddressList: true,
    emails: [{ address: user.primaryEmail, primary: true }, ...aliases.map((address) => ({ address }))],
  };
}

function presentGroup(group: FakeGroup): Record<string, unknown> {
  return {
    kind: 'admin#directory#group',
    id: group.id,
    etag: etag(),
    email: group.email,
    name: group.name,
    directMembersCount: String(group.members.size),
    description: group.description,
    adminCreated: true,
  };
}

function presentMember(user: FakeUser, role: string): Record<string, unknown> {
  return { kind: 'admin#directory#member', etag: etag(), id: user.id, email: user.primaryEmail, role, type: 'USER', status: 'ACTIVE' };
}
