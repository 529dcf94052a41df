import { randomBytes, verify } from 'node:crypto';
import type { Request, Response } from 'express';
import { FakeServer, type ErrorResponse } from '../kit/fake-server';
import { FakeApiError, FakeOrg, type FakeOrgRole, type FakeTeamRole } from './fake-org';
import { githubErrorBody, invitationJson, secondaryRateLimitFault, simpleUser, teamJson } from './fake-responses';

export interface GithubFakeOptions {
  org: string;
  /** Personal access tokens the fake accepts (`Authorization: token …` or `Bearer …`). */
  tokens?: string[];
  /** A GitHub App installed on the org: installation tokens are minted for JWTs signed with its key. */
  app?: { appId: number; installationId: number; publicKey: string };
  /** The fake's clock (invitation expiry, the content-creation window); default the real one. */
  now?: () => Date;
}

/** GitHub's secondary limit on content-creating requests: at most `perWindow` writes per `windowS` seconds. */
interface ContentCreationLimit {
  perWindow: number;
  windowS: number;
  windowStart: number;
  used: number;
}

const WRITE_METHODS = new Set(['POST', 'PUT', 'PATCH', 'DELETE']);

const DEFAULT_PER_PAGE = 30;
const MAX_PER_PAGE = 100;
const INSTALLATION_TOKEN_TTL_MS = 3_600_000;
const PRIMARY_LIMIT = 5000;

/**
 * A loopback GitHub REST API for one organization: the endpoints the connector uses, with GitHub's paths,
 * verbs, JSON shapes, `Link` paging (`per_page`, `page`), error bodies (`{ message, documentation_url }`)
 * and App installation tokens (the app JWT's RS256 signature is verified). Faults come from the kit
 * (`failNext` with `secondaryRateLimitFault()` / `primaryRateLimitFault()` bodies).
 */
export class GithubFake extends FakeServer {
  readonly org: FakeOrg;
  private readonly now: () => Date;
  private contentLimit?: ContentCreationLimit;

  constructor(private readonly options: GithubFakeOptions) {
    super({ credentials: options.tokens ?? [] });
    this.now = options.now ?? (() => new Date());
    this.org = new FakeOrg(options.org, this.now);
    this.post('/app/installations/:installationId/access_tokens', (req, res) => this.mintInstallationToken(req, res), { public: true });
    this.get('/orgs/:org', (req, res) => this.handle(req, res, () => ({ login: this.org.login, id: 1, type: 'Organization' })));
    this.routeMembers();
    this.routeInvitations();
    this.routeTeams();
    this.routeTeamMembers();
  }

  static start(options: GithubFakeOptions): Promise<GithubFake> {
    return new GithubFake(options).start();
  }

  /** Accepts a pending invitation (by login, or by email as the given account). */
  accept(keyOrEmail: string, asLogin?: string): void {
    const invitation = keyOrEmail.includes('@') ? this.org.invitationsForEmail(keyOrEmail)[0] : this.org.invitationByLogin(keyOrEmail);
    if (!invitation) throw new Error(`no pending invitation for ${keyOrEmail}`);
    const login = asLogin ?? invitation.login;
    if (!login) throw new Error('an email invitation is accepted by an account: pass its login');
    this.org.accept(invitation, this.org.accounts.get(login.toLowerCase()) ?? this.org.addAccount(login));
  }

  /** The invitation for this email expires now, as GitHub does after 7 days. */
  expire(email: string): void {
    const [invitation] = this.org.invitationsForEmail(email);
    if (!invitation) throw new Error(`no pending invitation for ${email}`);
    this.org.expire(invitation);
  }

  /**
   * GitHub's secondary limit for content-creating requests (it documents about 80 a minute): past
   * `perWindow` writes in a window, writes get 403 "secondary rate limit" with the seconds left as
   * Retry-After until the window is over. Reads are not limited.
   */
  limitContentCreation(perWindow: number, windowS: number): this {
    this.contentLimit = { perWindow, windowS, windowStart: this.now().getTime(), used: 0 };
    return this;
  }

  protected override resetState(): void {
    this.org.clear();
    this.contentLimit = undefined;
  }

  protected override authorize(req: Request): boolean {
    const match = /^(?:token|bearer)\s+(\S+)$/i.exec(req.get('authorization') ?? '');
    return match !== null && this.credentials.has(match[1]);
  }

  protected override errorResponse(status: number, message: string): ErrorResponse {
    return { contentType: 'application/json; charset=utf-8', body: githubErrorBody(status, status === 401 ? 'Bad credentials' : message) };
  }

  // ---- routes -----------------------------------------------------------------------------------

  private routeMembers(): void {
    this.get('/orgs/:org/members', (req, res) =>
      this.handlePage(req, res, () => {
        const role = String(req.query.role ?? 'all');
        const logins = [...this.org.members].filter(([, memberRole]) => role === 'all' || memberRole === role).map(([login]) => login);
        return logins.map((login) => simpleUser(this.org.account(login)));
      }),
    );
    this.get('/orgs/:org/memberships/:username', (req, res) =>
      this.handle(req, res, () => this.membershipJson(req.params.username as string, this.org.membership(req.params.username as string))),
    );
    this.put('/orgs/:org/memberships/:username', (req, res) =>
      this.handle(req, res, () => {
        const role = (req.body?.role ?? 'member') as FakeOrgRole;
        if (role !== 'member' && role !== 'admin') throw validation('Membership', 'role');
        return this.membershipJson(req.params.username as string, this.org.setMembership(req.params.username as string, role));
      }),
    );
    this.delete('/orgs/:org/memberships/:username', (req, res) => this.handle(req, res, () => this.org.removeMembership(req.params.username as string), 204));
    this.put('/orgs/:org/outside_collaborators/:username', (req, res) =>
      this.handle(req, res, () => this.org.convertToOutsideCollaborator(req.params.username as string), 204),
    );
  }

  private routeInvitations(): void {
    this.get('/orgs/:org/invitations', (req, res) =>
      this.handlePage(req, res, () => [...this.org.invitations.values()].map((invitation) => invitationJson(invitation, this.org.login))),
    );
    this.post('/orgs/:org/invitations', (req, res) =>
      this.handle(
        req,
        res,
        () => {
          const body = req.body ?? {};
          const role = body.role ?? 'direct_member';
          if (!['admin', 'direct_member', 'billing_manager'].includes(role)) throw validation('OrganizationInvitation', 'role');
          if (typeof body.email !== 'string' || !/^[^@\s]+@[^@\s]+$/.test(body.email)) throw validation('OrganizationInvitation', 'email');
          const invitation = this.org.createInvitation({ login: null, email: body.email, role, teamIds: (body.team_ids ?? []).map(Number) });
          return invitationJson(invitation, this.org.login);
        },
        201,
      ),
    );
    this.get('/orgs/:org/failed_invitations', (req, res) =>
      this.handlePage(req, res, () => this.org.failedInvitations.map((invitation) => invitationJson(invitation, this.org.login))),
    );
    this.delete('/orgs/:org/invitations/:id', (req, res) => this.handle(req, res, () => this.org.cancelInvitation(Number(req.params.id)), 204));
    this.get('/orgs/:org/invitations/:id/teams', (req, res) =>
      this.handlePage(req, res, () => {
        const invitation = this.org.invitations.get(Number(req.params.id));
        if (!invitation) throw new FakeApiError(404, 'Not Found');
        return [...invitation.teamIds].flatMap((id) => {
          const team = this.org.teamById(id);
          return team ? [teamJson(team, this.org.login)] : [];
        });
      }),
    );
  }

  private routeTeams(): void {
    this.get('/orgs/:org/teams', (req, res) => this.handlePage(req, res, () => [...this.org.teams.values()].map((team) => teamJson(team, this.org.login))));
    this.post('/orgs/:org/teams', (req, res) =>
      this.handle(
        req,
        res,
        () => {
          const { name, description, privacy } = req.body ?? {};
          if (typeof name !== 'string' || !name.trim()) throw validation('Team', 'name');
          return teamJson(this.org.createTeam({ name, description, privacy }), this.org.login);
        },
        201,
      ),
    );
    this.get('/orgs/:org/teams/:slug', (req, res) => this.handle(req, res, () => teamJson(this.org.team(req.params.slug as string), this.org.login)));
    this.patch('/orgs/:org/teams/:slug', (req, res) =>
      this.handle(req, res, () => teamJson(this.org.updateTeam(req.params.slug as string, req.body ?? {}), this.org.login)),
    );
    this.delete('/orgs/:org/teams/:slug', (req, res) => this.handle(req, res, () => this.org.deleteTeam(req.params.slug as string), 204));
  }

  private routeTeamMembers(): void {
    this.get('/orgs/:org/teams/:slug/members', (req, res) =>
      this.handlePage(req, res, () => {
        const role = String(req.query.role ?? 'all');
        const team = this.org.team(req.params.slug as string);
        return [...team.members].filter(([, teamRole]) => role === 'all' || role === teamRole).map(([login]) => simpleUser(this.org.account(login)));
      }),
    );
    this.get('/orgs/:org/teams/:slug/invitations', (req, res) =>
      this.handlePage(req, res, () => this.org.teamInvitations(req.params.slug as string).map((invitation) => invitationJson(invitation, this.org.login))),
    );
    const membershipPath = '/orgs/:org/teams/:slug/memberships/:username';
    this.get(membershipPath, (req, res) =>
      this.handle(req, res, () => {
        const membership = this.org.teamMembership(req.params.slug as string, req.params.username as string);
        if (!membership) throw new FakeApiError(404, 'Not Found');
        return { ...membership, url: `https://api.github.com/organizations/1/team/1/memberships/${req.params.username}` };
      }),
    );
    this.put(membershipPath, (req, res) =>
      this.handle(req, res, () => {
        const role = (req.body?.role ?? 'member') as FakeTeamRole;
        if (role !== 'member' && role !== 'maintainer') throw validation('TeamMembership', 'role');
        return this.org.setTeamMembership(req.params.slug as string, req.params.username as string, role);
      }),
    );
    this.delete(membershipPath, (req, res) =>
      this.handle(req, res, () => this.org.removeTeamMembership(req.params.slug as string, req.params.username as string), 204),
    );
  }

  // ---- GitHub App installation tokens ----------------------------------------------------------

  private mintInstallationToken(req: Request, res: Response): void {
    const app = this.options.app;
    const jwt = /^bearer\s+(\S+)$/i.exec(req.get('authorization') ?? '')?.[1];
    if (!app || this.credentialsRevoked || !jwt || !validAppJwt(jwt, app.appId, app.publicKey)) {
      return this.sendError(req, res, 401, 'A JSON web token could not be decoded');
    }
    if (Number(req.params.installationId) !== app.installationId) return this.sendError(req, res, 404, 'Not Found');
    const token = `ghs_${randomBytes(18).toString('base64url')}`;
    this.credentials.add(token);
    res.status(201).json({
      token,
      expires_at: new Date(Date.now() + INSTALLATION_TOKEN_TTL_MS).toISOString().replace(/\.\d{3}Z$/, 'Z'),
      permissions: { members: 'write', organization_administration: 'read' },
      repository_selection: 'all',
    });
  }

  // ---- plumbing ---------------------------------------------------------------------------------

  private membershipJson(login: string, membership: { state: string; role: string } | undefined) {
    if (!membership) throw new FakeApiError(404, 'Not Found');
    return { ...membership, organization: { login: this.org.login }, user: simpleUser(this.org.account(login)) };
  }

  /** Runs a handler for this org: wrong org → 404, FakeApiError → GitHub's error body. */
  private handle(req: Request, res: Response, work: () => unknown, status = 200): void {
    res.set(this.rateLimitHeaders());
    const waitS = this.contentCreationWaitS(req);
    if (waitS > 0) return void res.status(403).set('Retry-After', String(waitS)).json(secondaryRateLimitFault().body);
    try {
      if (req.params.org && String(req.params.org).toLowerCase() !== this.org.login.toLowerCase()) throw new FakeApiError(404, 'Not Found');
      this.org.expireInvitations();
      const body = work();
      if (status === 204) res.status(204).end();
      else res.status(status).json(body);
    } catch (error) {
      if (!(error instanceof FakeApiError)) throw error;
      res.status(error.status).json(githubErrorBody(error.status, error.message, error.errors));
    }
  }

  /** Seconds until a write is allowed again (0: allowed now, and counted). */
  private contentCreationWaitS(req: Request): number {
    const limit = this.contentLimit;
    if (!limit || !WRITE_METHODS.has(req.method)) return 0;
    const now = this.now().getTime();
    const windowEnd = limit.windowStart + limit.windowS * 1000;
    if (now >= windowEnd) Object.assign(limit, { windowStart: now, used: 0 });
    if (limit.used < limit.perWindow) {
      limit.used += 1;
      return 0;
    }
    return Math.max(1, Math.ceil((windowEnd - now) / 1000));
  }

  /** What api.github.com sends on every answer: the primary quota, counted down by this fake's calls. */
  private rateLimitHeaders(): Record<string, string> {
    const used = Math.min(PRIMARY_LIMIT, this.requestCount());
    return {
      'x-ratelimit-limit': String(PRIMARY_LIMIT),
      'x-ratelimit-remaining': String(PRIMARY_LIMIT - used),
      'x-ratelimit-used': String(used),
      'x-ratelimit-reset': String(Math.floor(Date.now() / 1000) + 3600),
      'x-ratelimit-resource': 'core',
      'x-github-request-id': `FAKE:${this.requestCount()}`,
    };
  }

  /** `per_page` (default 30, max 100) and `page` (1-based), with GitHub's `Link` header. */
  private handlePage(req: Request, res: Response, items: () => unknown[]): void {
    this.handle(req, res, () => {
      const all = items();
      const perPage = Math.min(MAX_PER_PAGE, Math.max(1, Number(req.query.per_page) || DEFAULT_PER_PAGE));
      const page = Math.max(1, Number(req.query.page) || 1);
      const last = Math.max(1, Math.ceil(all.length / perPage));
      const links: string[] = [];
      if (page < last) links.push(`<${this.pageUrl(req, page + 1)}>; rel="next"`, `<${this.pageUrl(req, last)}>; rel="last"`);
      if (page > 1) links.unshift(`<${this.pageUrl(req, 1)}>; rel="first"`, `<${this.pageUrl(req, page - 1)}>; rel="prev"`);
      if (links.length) res.set('Link', links.join(', '));
      return all.slice((page - 1) * perPage, page * perPage);
    });
  }

  private pageUrl(req: Request, page: number): string {
    const query = new URLSearchParams(req.query as Record<string, string>);
    query.set('page', String(page));
    return `${this.url}${req.path}?${query}`;
  }
}

function validation(resource: string, field: string): FakeApiError {
  return new FakeApiError(422, 'Validation Failed', [{ resource, field, code: 'invalid' }]);
}

/** RS256 signature, issuer and lifetime of an app JWT, as GitHub checks them. */
function validAppJwt(jwt: string, appId: number, publicKey: string): boolean {
  const [header, payload, signature] = jwt.split('.');
  if (!header || !payload || !signature) return false;
  try {
    const algorithm = JSON.parse(Buffer.from(header, 'base64url').toString('utf8')).alg;
    const claims = JSON.parse(Buffer.from(payload, 'base64url').toString('utf8'));
    const signed = verify('RSA-SHA256', Buffer.from(`${header}.${payload}`), publicKey, Buffer.from(signature, 'base64url'));
    const now = Math.floor(Date.now() / 1000);
    return algorithm === 'RS256' && signed && String(claims.iss) === String(appId) && claims.exp > now && claims.iat <= now + 60 && claims.exp - claims.iat <= 600;
  } catch {
    return false;
  }
}
