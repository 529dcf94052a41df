import { connect } from 'node:net';
import { startServer, type RunningServer } from '../../src/server';
import { capturedLogger, testConfig } from '../server/support';
import { ERROR_SCHEMA, SCIM_JSON } from './support';

/** Writes raw bytes and reads until the server closes the connection. */
function rawExchange(port: number, request: string): Promise<string> {
  return new Promise((resolve, reject) => {
    const socket = connect(port, '127.0.0.1', () => socket.write(request));
    let reply = '';
    socket.setEncoding('utf8');
    socket.on('data', (chunk: string) => (reply += chunk));
    socket.on('end', () => resolve(reply));
    socket.on('error', reject);
  });
}

function parsed(reply: string): { status: number; headers: string; body: unknown } {
  const [head, body] = reply.split('\r\n\r\n');
  return { status: Number(head.split(' ')[1]), headers: head.toLowerCase(), body: JSON.parse(body) };
}

describe('requests Node refuses before express (clientError)', () => {
  let running: RunningServer;
  beforeAll(async () => {
    running = await startServer({ config: testConfig(), logger: capturedLogger().logger });
  });
  afterAll(() => running.stop());

  it('answers a request line over the header limit (a 20 kB filter) with a 431 SCIM error and closes', async () => {
    const filter = encodeURIComponent(`userName eq "${'a'.repeat(20_000)}"`);
    const reply = parsed(await rawExchange(running.port, `GET /scim/v2/Users?filter=${filter} HTTP/1.1\r\nHost: x\r\n\r\n`));
    expect(reply.status).toBe(431);
    expect(reply.headers).toContain(`content-type: ${SCIM_JSON}`);
    expect(reply.headers).toContain('connection: close');
    expect(reply.body).toMatchObject({ schemas: [ERROR_SCHEMA], status: '431', detail: expect.stringContaining('.search') });
  });

  it('answers a filter of 3,000 or-terms sent by fetch with the same 431 body', async () => {
    const filter = encodeURIComponent(Array.from({ length: 3000 }, (_, i) => `userName eq "u${i}"`).join(' or '));
    const res = await fetch(`http://127.0.0.1:${running.port}/scim/v2/Users?filter=${filter}`, { headers: { Authorization: 'Bearer x' } });
    expect(res.status).toBe(431);
    expect(res.headers.get('content-type')).toContain(SCIM_JSON);
    expect(await res.json()).toMatchObject({ schemas: [ERROR_SCHEMA], status: '431' });
  });

  it('answers bytes that are not HTTP with a 400 invalidSyntax SCIM error', async () => {
    const reply = parsed(await rawExchange(running.port, 'HELLO THERE\r\n\r\n'));
    expect(reply).toMatchObject({ status: 400, body: { schemas: [ERROR_SCHEMA], status: '400', scimType: 'invalidSyntax' } });
  });
});
