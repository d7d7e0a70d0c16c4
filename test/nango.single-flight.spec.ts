import 'reflect-metadata';
import type { HttpService } from '@nestjs/axios';
import { Agent } from 'node:http';
import {
  NangoAbortedError,
  NangoService,
  NangoTimeoutError,
  NangoUnavailableError,
} from '../lib/index.js';
import { NANGO_HTTP_SERVICE } from '../lib/nango.tokens.js';
import { NANGO_OPTIONS } from '../lib/nango.internal-constants.js';
import { SingleFlight } from '../lib/utils/single-flight.js';
import { standInSuite } from './fixtures/stand-in-suite.js';
import { connectionBody, eventually, settle } from './fixtures/eventually.js';

const suite = standInSuite();
const { moduleFor, service, script } = suite;

/** Answers the connection after `delayMs`, so that callers overlap. */
function slowConnection(connectionId: string, delayMs: number, times = 1): void {
  script({
    path: `/connections/${connectionId}`,
    times,
    respond: {
      status: 200,
      delayMs,
      body: connectionBody(connectionId, { type: 'API_KEY', apiKey: `key-of-${connectionId}` }),
    },
  });
}

const connectionPath = (id: string) => ({ method: 'GET', path: `/connections/${id}` });

describe('single-flight: concurrent calls share one request', () => {
  it('500 simultaneous getToken calls for one connection make 1 request, and all get the token', async () => {
    const nango = await service();
    const tokens = await Promise.all(
      Array.from({ length: 500 }, () => nango.getToken('github', 'conn-oauth2')),
    );
    expect(new Set(tokens)).toEqual(new Set(['gh-access-token-1']));
    expect(tokens).toHaveLength(500);
    expect(suite.standIn.count(connectionPath('conn-oauth2'))).toBe(1);
  });

  it('getToken and getConnection with the same flags share the request; other flags and ids do not', async () => {
    const nango = await service();
    const [token, connection] = await Promise.all([
      nango.getToken('github', 'conn-oauth2'),
      nango.getConnection('github', 'conn-oauth2'),
      nango.getConnection('github', 'conn-oauth2', false, true),
      nango.getToken('github', 'conn-oauth2', true),
      nango.getToken('jira', 'conn-apikey'),
    ]);
    expect(token).toBe('gh-access-token-1');
    expect(connection.connection_id).toBe('conn-oauth2');
    expect(suite.standIn.count(connectionPath('conn-oauth2'))).toBe(3);
    expect(suite.standIn.count(connectionPath('conn-apikey'))).toBe(1);
    const flags = suite.standIn.requests
      .filter((r) => r.pathname === '/connections/conn-oauth2')
      .map((r) => `${r.query['force_refresh']}/${r.query['refresh_token']}`)
      .sort();
    expect(flags).toEqual(['false/false', 'false/true', 'true/false']);
  });

  it('every caller gets the same error, from one request', async () => {
    const nango = await service({ retry: false });
    script({
      path: '/connections/conn-oauth2',
      respond: { status: 503, delayMs: 30, body: { error: { code: 'server_error' } } },
    });
    const errors = await Promise.all(
      Array.from({ length: 50 }, () => settle(nango.getToken('github', 'conn-oauth2'))),
    );
    expect(errors[0]).toBeInstanceOf(NangoUnavailableError);
    expect(new Set(errors).size).toBe(1);
    expect(suite.standIn.count(connectionPath('conn-oauth2'))).toBe(1);
  });

  it('keeps nothing once the request has settled: the next call asks Nango again', async () => {
    const nango = await service();
    await nango.getToken('github', 'conn-oauth2');
    await nango.getToken('github', 'conn-oauth2');
    expect(suite.standIn.count(connectionPath('conn-oauth2'))).toBe(2);
    // The flights live in the service's connection fetcher.
    const { connections } = nango as unknown as { connections: { flights: SingleFlight<unknown> } };
    expect(connections.flights.size).toBe(0);
  });

  it('a caller that aborts leaves alone; the others still get the answer of the one request', async () => {
    const nango = await service();
    slowConnection('slow', 150);
    const controller = new AbortController();
    const leaving = settle(
      nango.getConnection('jira', 'slow', false, false, { signal: controller.signal }),
    );
    const staying = nango.getConnection('jira', 'slow');
    setTimeout(() => controller.abort(), 20);
    expect(await leaving).toBeInstanceOf(NangoAbortedError);
    await expect(staying).resolves.toMatchObject({ credentials: { apiKey: 'key-of-slow' } });
    expect(suite.standIn.count(connectionPath('slow'))).toBe(1);
  });

  it('a caller with a shorter timeout times out alone, with its own timeoutMs', async () => {
    const nango = await service();
    slowConnection('slow', 200);
    const short = settle(nango.getConnection('jira', 'slow', false, false, { timeout: 50 }));
    const patient = nango.getConnection('jira', 'slow');
    const error = await short;
    expect(error).toBeInstanceOf(NangoTimeoutError);
    expect(error).toMatchObject({
      timeoutMs: 50,
      operation: 'getConnection',
      connectionId: 'slow',
    });
    await expect(patient).resolves.toMatchObject({ connection_id: 'slow' });
    expect(suite.standIn.count(connectionPath('slow'))).toBe(1);
  });

  it('when every caller has left, the shared request is cancelled and its socket closed', async () => {
    const nango = await service({ retry: false });
    script({ path: '/connections/hung', respond: { status: 200, hang: true } });
    const a = new AbortController();
    const b = new AbortController();
    const calls = [
      settle(nango.getToken('jira', 'hung', false, { signal: a.signal })),
      settle(nango.getToken('jira', 'hung', false, { signal: b.signal })),
    ];
    await eventually(
      () => suite.standIn.count(connectionPath('hung')) === 1,
      'the request arrived',
    );
    a.abort();
    b.abort();
    for (const error of await Promise.all(calls)) expect(error).toBeInstanceOf(NangoAbortedError);
    await eventually(
      async () => (await suite.standIn.openConnections()) === 0,
      'the socket closed',
    );
    // A new call starts a new request rather than joining the cancelled one.
    script({ path: '/connections/hung', times: 1, respond: { status: 503, body: {} } });
    await expect(nango.getToken('jira', 'hung', false, { timeout: 200 })).rejects.toBeInstanceOf(
      NangoUnavailableError,
    );
  });

  it('when every caller leaves during a retry wait, the shared call stops waiting at once', async () => {
    // The shared request is cancelled through its own AbortSignal (fired when its last caller
    // leaves); send() must stop the wait between attempts. Probed through send() itself.
    class Probe extends NangoService {
      list(signal: AbortSignal) {
        return this.send(
          { method: 'GET', url: '/connections' },
          { operation: 'probe' },
          { signal },
        );
      }
    }
    const ref = await moduleFor({ retry: { retries: 2, maxTotalDelayMs: 60_000 } });
    const probe = new Probe(ref.get(NANGO_HTTP_SERVICE), ref.get(NANGO_OPTIONS));
    script({
      path: '/connections',
      respond: { status: 503, headers: { 'retry-after': '10' }, body: {} },
    });
    const controller = new AbortController();
    const call = settle(probe.list(controller.signal));
    await eventually(
      () => suite.standIn.count({ path: '/connections' }) === 1,
      'the first attempt came',
    );
    controller.abort();
    const outcome = await Promise.race([
      call,
      new Promise((resolve) => setTimeout(() => resolve('still waiting'), 5000)),
    ]);
    expect(outcome).toBeInstanceOf(NangoAbortedError);
    expect(suite.standIn.count({ path: '/connections' })).toBe(1);
  });

  it('an already aborted signal fails at once, without a request', async () => {
    const nango = await service();
    await expect(
      nango.getToken('github', 'conn-oauth2', false, { signal: AbortSignal.abort() }),
    ).rejects.toBeInstanceOf(NangoAbortedError);
    expect(suite.standIn.requests).toHaveLength(0);
  });
});

describe('SingleFlight: a shared call gets a way to stop only when its callers can leave it', () => {
  const errors = { aborted: () => new Error('aborted'), timedOut: () => new Error('timed out') };

  it('start gets onCancel only when its first caller has a signal or an earlier deadline', async () => {
    const flights = new SingleFlight<string>();
    const given: string[] = [];
    const start = (onCancel: ((cancel: () => void) => void) | undefined): Promise<string> => {
      given.push(typeof onCancel);
      return Promise.resolve('answer');
    };
    await flights.run('no signal, no timeout', start, errors, 1000);
    await flights.run('the call deadline', start, { ...errors, timeoutMs: 1000 }, 1000);
    await flights.run('a signal', start, { ...errors, signal: new AbortController().signal }, 1000);
    await flights.run('an earlier deadline', start, { ...errors, timeoutMs: 10 }, 1000);
    expect(given).toEqual(['undefined', 'undefined', 'function', 'function']);
  });

  it('a caller that leaves a call nobody can cancel leaves alone; the first caller gets the answer', async () => {
    const flights = new SingleFlight<string>();
    let answer: (value: string) => void = () => undefined;
    const start = (): Promise<string> => new Promise<string>((resolve) => (answer = resolve));
    const first = flights.run('key', start, errors, 1000);
    const controller = new AbortController();
    const second = flights.run('key', start, { ...errors, signal: controller.signal }, 1000);
    controller.abort();
    await expect(second).rejects.toThrow('aborted');
    expect(flights.size).toBe(1);
    answer('token');
    await expect(first).resolves.toBe('token');
    expect(flights.size).toBe(0);
  });
});

describe('timeouts leave no socket or timer behind', () => {
  it('a hung Nango times out in the configured time; the socket is gone before and after close', async () => {
    const ref = await moduleFor({ timeout: 100 });
    const nango = ref.get(NangoService);
    const agent = ref.get<HttpService>(NANGO_HTTP_SERVICE).axiosRef.defaults.httpAgent as Agent;
    script({ path: '/connections/conn-oauth2', respond: { status: 200, hang: true } });
    await expect(nango.getToken('github', 'conn-oauth2')).rejects.toMatchObject({
      name: 'NangoTimeoutError',
      timeoutMs: 100,
    });
    await expect(nango.listConnections(undefined, { timeout: 80 })).resolves.toBeDefined();
    // The hung socket was destroyed; only the reusable one of listConnections stays, idle.
    await eventually(() => Object.keys(agent.sockets).length === 0, 'no busy socket');
    await eventually(async () => (await suite.standIn.openConnections()) === 1, 'one idle socket');
    await suite.close(ref);
    await eventually(async () => (await suite.standIn.openConnections()) === 0, 'no socket at all');
    expect(Object.keys(agent.freeSockets)).toHaveLength(0);
  });

  it('agents passed in the options are used, and left open on shutdown', async () => {
    const httpAgent = new Agent({ keepAlive: true, maxSockets: 4 });
    try {
      const ref = await moduleFor({ httpAgent });
      await ref.get(NangoService).getToken('github', 'conn-oauth2');
      await eventually(() => Object.keys(httpAgent.freeSockets).length === 1, 'socket reused');
      await suite.close(ref);
      expect(Object.keys(httpAgent.freeSockets)).toHaveLength(1);
    } finally {
      httpAgent.destroy();
    }
  });
});
