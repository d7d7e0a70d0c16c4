import 'reflect-metadata';
import { Test, type TestingModule } from '@nestjs/testing';
import type { Readable } from 'node:stream';
import {
  NangoAbortedError,
  NangoModule,
  NangoService,
  NangoTimeoutError,
  NangoUnavailableError,
  type NangoModuleOptions,
} from '../lib/index.js';
import { connectionBody, eventually, settle } from './fixtures/eventually.js';
import {
  MisbehavingServer,
  drip,
  json,
  resetMidBody,
  stall,
  type Answer,
} from './fixtures/misbehaving-server.js';

// The deadline bounds the whole call (connect, headers, body and every retry): a server that
// stalls, drips or resets cannot stretch a call past it. The drip below would take ~15 s to
// deliver its body; the calls must end at their 500 ms deadline, so "well before the drip ends"
// (under 4 s here, on a loaded machine) is what the tests check, never a tight wall-clock bound.
const DEADLINE_MS = 500;
const WELL_BEFORE_THE_DRIP_ENDS_MS = 4000;

const connection = connectionBody('conn', { type: 'API_KEY', apiKey: 'key-of-conn' });
const connections = { connections: [{ id: 1, connection_id: 'conn', provider: 'jira' }] };

let server: MisbehavingServer;
let moduleRef: TestingModule | undefined;

beforeAll(async () => {
  server = await MisbehavingServer.start();
});

afterEach(async () => {
  await moduleRef?.close();
  moduleRef = undefined;
  server.requests.length = 0;
  server.connections = 0;
});

afterAll(async () => {
  await server.close();
});

async function nango(options: Partial<NangoModuleOptions> = {}): Promise<NangoService> {
  moduleRef = await Test.createTestingModule({
    imports: [NangoModule.forRoot({ secretKey: 'sk-test', host: server.url, ...options })],
  }).compile();
  return moduleRef.get(NangoService);
}

/** A call under test: its deadline is 500 ms (module-wide, or per call for listConnections). */
type Call = (n: NangoService, signal?: AbortSignal, timeout?: number) => Promise<unknown>;

const calls: Array<[string, Call, Answer]> = [
  [
    'getToken',
    (n, signal) => n.getToken('jira', 'conn', false, { signal }),
    drip(connection, 4, 100),
  ],
  [
    'listConnections (per-call timeout)',
    (n, signal, timeout = DEADLINE_MS) => n.listConnections(undefined, { timeout, signal }),
    drip(connections, 1, 100),
  ],
  [
    'proxy GET',
    (n, signal) =>
      n.get({ endpoint: '/items', providerConfigKey: 'jira', connectionId: 'conn', signal }),
    drip(connections, 1, 100),
  ],
];

/** Module options: the 500 ms deadline for all but listConnections, which sets it per call. */
function optionsFor(name: string): Partial<NangoModuleOptions> {
  return name.startsWith('listConnections') ? {} : { timeout: DEADLINE_MS };
}

async function timed<T>(promise: Promise<T>): Promise<{ outcome: unknown; ms: number }> {
  const start = Date.now();
  const outcome = await settle(promise);
  return { outcome, ms: Date.now() - start };
}

describe.each(calls)('the deadline of %s', (name, call, dripping) => {
  it('ends a slow drip of the body with NangoTimeoutError', async () => {
    const service = await nango(optionsFor(name));
    server.answer = dripping;
    const { outcome, ms } = await timed(call(service));
    expect(outcome).toBeInstanceOf(NangoTimeoutError);
    expect(outcome).toMatchObject({ timeoutMs: DEADLINE_MS });
    expect(ms).toBeGreaterThanOrEqual(DEADLINE_MS - 5);
    expect(ms).toBeLessThan(WELL_BEFORE_THE_DRIP_ENDS_MS);
    // The timed-out attempt is not retried (the time is spent) and its socket is closed.
    expect(server.requests).toHaveLength(1);
    await eventually(() => server.openSockets === 0, 'the socket closed');
  });

  it('ends a stall before the headers with NangoTimeoutError', async () => {
    const service = await nango(optionsFor(name));
    server.answer = stall;
    const { outcome, ms } = await timed(call(service));
    expect(outcome).toBeInstanceOf(NangoTimeoutError);
    expect(ms).toBeLessThan(WELL_BEFORE_THE_DRIP_ENDS_MS);
    await eventually(() => server.openSockets === 0, 'the socket closed');
  });

  it('turns a reset mid-body into NangoUnavailableError (ECONNRESET), within the deadline', async () => {
    const service = await nango(optionsFor(name));
    server.answer = resetMidBody;
    const { outcome, ms } = await timed(call(service));
    expect(outcome).toBeInstanceOf(NangoUnavailableError);
    expect(outcome).toMatchObject({ code: 'ECONNRESET' });
    expect(ms).toBeLessThan(WELL_BEFORE_THE_DRIP_ENDS_MS);
    // GETs to Nango's API are retried (2 retries by default); proxy calls never are.
    expect(server.requests).toHaveLength(name === 'proxy GET' ? 1 : 3);
  });

  it('an abort mid-body stops the call; nothing more is sent and no socket is left', async () => {
    const service = await nango({ timeout: 20_000 });
    server.answer = dripping;
    const controller = new AbortController();
    const pending = settle(call(service, controller.signal, 20_000));
    await eventually(() => server.requests.length === 1, 'the request arrived');
    await new Promise((resolve) => setTimeout(resolve, 150));
    controller.abort();
    expect(await pending).toBeInstanceOf(NangoAbortedError);
    await eventually(() => server.openSockets === 0, 'the socket closed');
    // No request again, no new connection (undici may re-queue an aborted request).
    await new Promise((resolve) => setTimeout(resolve, 300));
    expect(server.requests).toHaveLength(1);
    expect(server.connections).toBe(1);
    expect(server.openSockets).toBe(0);
  });
});

describe.each(calls.filter(([name]) => name !== 'proxy GET'))(
  'the deadline and the retries of %s',
  (name, call) => {
    it('a retry wait that would pass the deadline is not waited for', async () => {
      const service = await nango(optionsFor(name));
      server.answer = json({ error: { code: 'server_error' } }, 503, { 'retry-after': '5' });
      const { outcome, ms } = await timed(call(service));
      expect(outcome).toBeInstanceOf(NangoUnavailableError);
      expect(ms).toBeLessThan(WELL_BEFORE_THE_DRIP_ENDS_MS);
      expect(server.requests).toHaveLength(1);
    });

    it('a retry that stalls ends at the deadline of the whole call', async () => {
      const service = await nango({
        ...optionsFor(name),
        retry: { retries: 2, minDelayMs: 1, maxDelayMs: 1 },
      });
      let answered = 0;
      server.answer = (req, res, s) => {
        if (answered++ === 0) return json({ error: { code: 'server_error' } }, 503)(req, res, s);
      };
      const { outcome, ms } = await timed(call(service));
      expect(outcome).toBeInstanceOf(NangoTimeoutError);
      expect(outcome).toMatchObject({ timeoutMs: DEADLINE_MS });
      expect(ms).toBeLessThan(WELL_BEFORE_THE_DRIP_ENDS_MS);
      expect(server.requests).toHaveLength(2);
    });

    it('an abort during a retry wait ends the call; no retry is sent later', async () => {
      const service = await nango({ timeout: 20_000 });
      let answered = false;
      server.answer = (req, res, s) => {
        res.on('finish', () => (answered = true));
        json({ error: { code: 'server_error' } }, 503, { 'retry-after': '1' })(req, res, s);
      };
      const controller = new AbortController();
      const pending = settle(call(service, controller.signal, 20_000));
      await eventually(() => answered, 'the first attempt was answered');
      await new Promise((resolve) => setTimeout(resolve, 100));
      controller.abort();
      expect(await pending).toBeInstanceOf(NangoAbortedError);
      // Past the 1 s Retry-After: still one request, on the one connection (idle, or closed if
      // the abort came before the 503 was read).
      await new Promise((resolve) => setTimeout(resolve, 1500));
      expect(server.requests).toHaveLength(1);
      expect(server.connections).toBe(1);
      expect(server.openSockets).toBeLessThanOrEqual(1);
    });
  },
);

describe('the deadline of a streamed proxy answer', () => {
  const stream = (n: NangoService) =>
    n.get<Readable>({
      endpoint: '/file',
      providerConfigKey: 'jira',
      connectionId: 'conn',
      responseType: 'stream',
    });

  it('holds until the headers arrive', async () => {
    const service = await nango({ timeout: DEADLINE_MS });
    server.answer = stall;
    const { outcome, ms } = await timed(stream(service));
    expect(outcome).toBeInstanceOf(NangoTimeoutError);
    expect(ms).toBeLessThan(WELL_BEFORE_THE_DRIP_ENDS_MS);
    await eventually(() => server.openSockets === 0, 'the socket closed');
  });

  it('then becomes an idle timeout: a body that keeps coming is read to its end', async () => {
    const service = await nango({ timeout: DEADLINE_MS });
    // 40 bytes, one every 50 ms: 2 s in all, four times the timeout, never idle for long.
    server.answer = drip('x'.repeat(38), 1, 50);
    const response = await stream(service);
    const chunks: Buffer[] = [];
    for await (const chunk of response.data) chunks.push(chunk as Buffer);
    expect(Buffer.concat(chunks).toString()).toBe(JSON.stringify('x'.repeat(38)));
  });

  it('a reader that starts late (after twice the timeout) loses nothing and is not timed out', async () => {
    const service = await nango({ timeout: DEADLINE_MS });
    const body = Buffer.alloc(256 * 1024, 'a');
    server.answer = (_req, res) => {
      res.writeHead(200, { 'content-type': 'application/octet-stream' });
      res.end(body);
    };
    const response = await stream(service);
    await new Promise((resolve) => setTimeout(resolve, 2 * DEADLINE_MS));
    const chunks: Buffer[] = [];
    for await (const chunk of response.data) chunks.push(chunk as Buffer);
    expect(Buffer.concat(chunks).equals(body)).toBe(true);
  });

  it('and a body that stops coming fails with ETIMEDOUT; the socket is closed', async () => {
    const service = await nango({ timeout: DEADLINE_MS });
    server.answer = (_req, res) => {
      res.writeHead(200, { 'content-type': 'application/octet-stream' });
      res.write('first bytes');
    };
    const response = await stream(service);
    const read = async () => {
      for await (const chunk of response.data) void chunk;
    };
    await expect(read()).rejects.toMatchObject({ code: 'ETIMEDOUT' });
    await eventually(() => server.openSockets === 0, 'the socket closed');
  });
});
