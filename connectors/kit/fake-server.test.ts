import type { Request } from 'express';
import { FakeServer, type ErrorResponse } from './fake-server';
import { pageByToken } from './paging';

/** A tiny API in the shape other fakes take: JSON list with opaque page tokens, and a dialect for errors. */
class WidgetFake extends FakeServer {
  widgets = Array.from({ length: 5 }, (_, index) => ({ id: `w${index}` }));

  constructor() {
    super({ credentials: ['good-token'] });
    this.get('/widgets', (req, res) => {
      const page = pageByToken(this.widgets, Number(req.query.size ?? 2), req.query.token as string | undefined);
      res.json(page);
    });
    this.get('/widgets/:id', (req, res) => {
      const widget = this.widgets.find((candidate) => candidate.id === req.params.id);
      if (!widget) return this.sendError(req, res, 404, 'no such widget');
      res.json(widget);
    });
    this.post('/token', (_req, res) => res.json({ access_token: 'issued' }), { public: true });
  }

  protected override errorResponse(status: number, message: string, _req: Request): ErrorResponse {
    return { contentType: 'application/xml', body: `<Error><Code>${status}</Code><Message>${message}</Message></Error>` };
  }

  protected override resetState(): void {
    this.widgets = Array.from({ length: 5 }, (_, index) => ({ id: `w${index}` }));
  }
}

const auth = { authorization: 'Bearer good-token' };
let fake: WidgetFake;

beforeAll(async () => {
  fake = await new WidgetFake().start();
});
afterAll(() => fake.stop());
beforeEach(() => fake.reset());

async function get(path: string, headers: Record<string, string> = auth): Promise<Response> {
  return fetch(`${fake.url}${path}`, { headers });
}

describe('FakeServer', () => {
  it('listens on an ephemeral 127.0.0.1 port', () => {
    expect(fake.url).toMatch(/^http:\/\/127\.0\.0\.1:\d+$/);
    expect(fake.url).not.toMatch(/:0$/);
  });

  it('pages with opaque tokens until the last page', async () => {
    const ids: string[] = [];
    let token: string | undefined;
    do {
      const page = (await (await get(`/widgets?size=2${token ? `&token=${token}` : ''}`)).json()) as { items: { id: string }[]; nextToken?: string };
      ids.push(...page.items.map((item) => item.id));
      token = page.nextToken;
      if (token) expect(token).not.toMatch(/^\d+$/);
    } while (token);
    expect(ids).toEqual(['w0', 'w1', 'w2', 'w3', 'w4']);
    expect(fake.calls('GET /widgets')).toBe(3);
  });

  it('answers 400 in its own dialect to a token it never issued', async () => {
    const response = await get('/widgets?token=bogus');
    expect(response.status).toBe(400);
    expect(await response.text()).toContain('<Code>400</Code>');
  });

  it('counts calls per method and route pattern, and logs status', async () => {
    await get('/widgets/w1');
    await get('/widgets/nope');
    expect(fake.callCounts()).toEqual({ 'GET /widgets/:id': 2 });
    expect(fake.requests.map((request) => [request.path, request.status])).toEqual([
      ['/widgets/w1', 200],
      ['/widgets/nope', 404],
    ]);
  });

  it('rejects missing or wrong credentials, and all credentials after revokeCredentials()', async () => {
    expect((await get('/widgets/w1', {})).status).toBe(401);
    expect((await get('/widgets/w1', { authorization: 'Bearer wrong' })).status).toBe(401);
    expect((await get('/widgets/w1')).status).toBe(200);
    fake.revokeCredentials();
    expect((await get('/widgets/w1')).status).toBe(401);
    expect((await fetch(`${fake.url}/token`, { method: 'POST' })).status).toBe(200);
    fake.reset();
    expect((await get('/widgets/w1')).status).toBe(200);
  });

  it('fails exactly the next N calls with status, Retry-After and the default dialect body', async () => {
    fake.failNext(2, { status: 429, retryAfterS: 3 });
    const first = await get('/widgets/w1');
    expect(first.status).toBe(429);
    expect(first.headers.get('retry-after')).toBe('3');
    expect(await first.text()).toContain('<Code>429</Code>');
    expect((await get('/widgets/w1')).status).toBe(429);
    expect((await get('/widgets/w1')).status).toBe(200);
  });

  it('lets a fault shape its body with a factory and target one endpoint', async () => {
    fake.failNext(1, {
      status: 403,
      endpoint: 'GET /widgets/:id',
      contentType: 'application/json',
      body: (req: Request) => ({ message: `secondary rate limit on ${req.path}` }),
    });
    expect((await get('/widgets')).status).toBe(200);
    const limited = await get('/widgets/w2');
    expect(limited.status).toBe(403);
    expect(await limited.json()).toEqual({ message: 'secondary rate limit on /widgets/w2' });
  });

  it('rate-limits every call after the first N until reset', async () => {
    fake.rateLimitAfter(2, { status: 429, retryAfterS: 1 });
    const statuses: number[] = [];
    for (let call = 0; call < 4; call += 1) statuses.push((await get('/widgets/w0')).status);
    expect(statuses).toEqual([200, 200, 429, 429]);
    fake.reset();
    expect((await get('/widgets/w0')).status).toBe(200);
  });

  it('adds latency to every call', async () => {
    fake.latency(120);
    const started = performance.now();
    await get('/widgets/w0');
    // A lower bound only: the injected delay must happen; how fast the machine is does not matter.
    expect(performance.now() - started).toBeGreaterThanOrEqual(110);
  });

  it('answers unknown routes with 404 in its dialect, and reset() restores state', async () => {
    fake.widgets = [];
    const response = await get('/nothing');
    expect(response.status).toBe(404);
    expect(await response.text()).toContain('<Code>404</Code>');
    fake.reset();
    expect(fake.widgets).toHaveLength(5);
    expect(fake.requestCount()).toBe(0);
  });
});
