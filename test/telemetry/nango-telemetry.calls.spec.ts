import 'reflect-metadata';
import { trace } from '@opentelemetry/api';
import {
  NangoReconnectRequiredError,
  NangoTimeoutError,
  type NangoCredentialStore,
} from '../../lib/index.js';
import { standInSuite } from '../fixtures/stand-in-suite.js';
import { settle } from '../fixtures/eventually.js';
import { installOpenTelemetry, type OpenTelemetryHarness } from '../fixtures/open-telemetry.js';

/** Fast retries, so the tests do not wait (but for a Retry-After they are told to honour). */
const FAST = { retries: 2, minDelayMs: 1, maxDelayMs: 5, maxTotalDelayMs: 3000 };
const CACHE = { ttl: 60_000 };
const CONN = '/connections/conn-oauth2';
const HEX32 = /^[0-9a-f]{32}$/;

const suite = standInSuite({ retry: FAST });
let otel: OpenTelemetryHarness;

beforeEach(() => {
  otel = installOpenTelemetry();
});

afterEach(async () => {
  await otel.uninstall();
});

const getToken = 'nango getToken';

describe('a span per NangoService call', () => {
  it('getToken: a cache miss then a hit, with the HTTP client attributes', async () => {
    const nango = await suite.service({ cache: CACHE });
    await nango.getToken('github', 'conn-oauth2');
    await nango.getToken('github', 'conn-oauth2');
    const [miss, hit] = otel.named(getToken);
    const port = Number(new URL(suite.standIn.url).port);
    expect(miss).toMatchObject({
      kind: 2, // CLIENT
      parentSpanId: undefined,
      status: { code: 0 },
      attributes: {
        'nango.operation': 'getToken',
        'nango.provider_config_key': 'github',
        'http.request.method': 'GET',
        'server.address': '127.0.0.1',
        'server.port': port,
        'http.response.status_code': 200,
        'nango.cache.result': 'miss',
        'nango.attempts': 1,
      },
    });
    expect(miss?.attributes['nango.connection_id']).toMatch(HEX32);
    expect(hit?.attributes).toMatchObject({ 'nango.cache.result': 'hit', 'nango.attempts': 0 });
    expect(hit?.attributes['http.response.status_code']).toBeUndefined();
    expect(otel.spans()).toHaveLength(2);
  });

  it('a child of the active span', async () => {
    const nango = await suite.service();
    const tracer = trace.getTracer('test');
    await tracer.startActiveSpan('GET /repos', async (parent) => {
      await nango.getToken('github', 'conn-oauth2');
      parent.end();
    });
    const [call] = otel.named(getToken);
    const [root] = otel.named('GET /repos');
    expect(call?.parentSpanId).toBe(root?.spanId);
    expect(call?.traceId).toBe(root?.traceId);
  });

  it('a single-flight joiner is `shared` and sends nothing', async () => {
    const nango = await suite.service({ cache: CACHE });
    await Promise.all([
      nango.getToken('github', 'conn-oauth2'),
      nango.getToken('github', 'conn-oauth2'),
    ]);
    expect(suite.standIn.count({ path: CONN })).toBe(1);
    const results = otel.named(getToken).map((span) => span.attributes);
    expect(results).toEqual(
      expect.arrayContaining([
        expect.objectContaining({ 'nango.cache.result': 'miss', 'nango.attempts': 1 }),
        expect.objectContaining({ 'nango.cache.result': 'shared', 'nango.attempts': 0 }),
      ]),
    );
    expect(await otel.total('nango.cache.lookups', { 'nango.cache.result': 'shared' })).toBe(1);
  });

  it('a store read past storeTimeout is `store_timeout`', async () => {
    const stalled: NangoCredentialStore = {
      get: () => new Promise(() => undefined),
      set: () => undefined,
      delete: () => undefined,
    };
    const nango = await suite.service({ cache: { ...CACHE, store: stalled, storeTimeout: 20 } });
    await nango.getToken('github', 'conn-oauth2');
    expect(otel.named(getToken)[0]?.attributes['nango.cache.result']).toBe('store_timeout');
  });

  it('a retry after 503: an event with its reason and its wait, two attempts', async () => {
    const nango = await suite.service();
    suite.script({
      path: CONN,
      times: 1,
      respond: { status: 503, headers: { 'retry-after': '1' }, body: {} },
    });
    await nango.getToken('github', 'conn-oauth2');
    const [span] = otel.named(getToken);
    expect(span?.attributes).toMatchObject({
      'nango.attempts': 2,
      'http.response.status_code': 200,
    });
    expect(span?.events).toEqual([
      {
        name: 'nango.retry',
        attributes: {
          'nango.retry.reason': '503',
          'nango.retry.number': 1,
          'nango.retry.wait_ms': 1000,
        },
      },
    ]);
    expect(await otel.total('nango.retries', { 'nango.retry.reason': '503' })).toBe(1);
  });

  it('a 424: the error class, the status, the code, and one more reconnect_required', async () => {
    const nango = await suite.service();
    suite.script({
      path: CONN,
      times: 1,
      respond: {
        status: 424,
        body: { error: { code: 'connection_refresh_backoff', message: 'refresh failed' } },
      },
    });
    const error = await settle(nango.getToken('github', 'conn-oauth2'));
    expect(error).toBeInstanceOf(NangoReconnectRequiredError);
    const [span] = otel.named(getToken);
    expect(span).toMatchObject({
      status: { code: 2, message: 'NangoReconnectRequiredError' },
      attributes: {
        'error.type': 'NangoReconnectRequiredError',
        'http.response.status_code': 424,
        'nango.error.code': 'connection_refresh_backoff',
        'nango.attempts': 1,
      },
    });
    expect(
      await otel.total('nango.connection.reconnect_required', {
        'nango.provider_config_key': 'github',
      }),
    ).toBe(1);
  });

  it('a timeout: NangoTimeoutError, no status', async () => {
    const nango = await suite.service();
    suite.script({ path: CONN, times: 1, respond: { status: 200, hang: true } });
    const error = await settle(nango.getToken('github', 'conn-oauth2', false, { timeout: 100 }));
    expect(error).toBeInstanceOf(NangoTimeoutError);
    const [span] = otel.named(getToken);
    expect(span?.status.code).toBe(2);
    expect(span?.attributes['error.type']).toBe('NangoTimeoutError');
    expect(span?.attributes['http.response.status_code']).toBeUndefined();
  });

  it('proxy and other calls are named for their operation', async () => {
    const nango = await suite.service();
    await nango.get({
      endpoint: '/user',
      providerConfigKey: 'github',
      connectionId: 'conn-oauth2',
    });
    await nango.listConnections();
    await nango.listIntegrations();
    expect(otel.spans().map((span) => span.name)).toEqual([
      'nango proxy GET',
      'nango listConnections',
      'nango listIntegrations',
    ]);
    expect(otel.named('nango proxy GET')[0]?.attributes).toMatchObject({
      'nango.operation': 'proxy GET',
      'http.request.method': 'GET',
      'http.response.status_code': 200,
      'nango.attempts': 1,
    });
  });

  it('telemetry.enabled: false records nothing, even with an SDK', async () => {
    const nango = await suite.service({ telemetry: { enabled: false } });
    await nango.getToken('github', 'conn-oauth2');
    expect(otel.spans()).toEqual([]);
    expect(await otel.metrics()).toEqual(new Map());
  });
});

describe('connection ids in spans', () => {
  const idOf = () => otel.named(getToken).map((span) => span.attributes['nango.connection_id']);

  it("'hash' (default): the same keyed hash from every instance with the same secret key", async () => {
    await (await suite.service()).getToken('github', 'conn-oauth2');
    await (await suite.service()).getToken('github', 'conn-oauth2');
    await (await suite.service()).getToken('github', 'conn-apikey').catch(() => undefined);
    const [first, second, other] = idOf();
    expect(first).toMatch(HEX32);
    expect(second).toBe(first);
    expect(other).not.toBe(first);
  });

  it("'hash': another secret key gives another hash (it is keyed)", async () => {
    await (await suite.service()).getToken('github', 'conn-oauth2');
    const wrongKey = await suite.service({ secretKey: 'another-secret-key' });
    await settle(wrongKey.getToken('github', 'conn-oauth2'));
    const [ours, theirs] = idOf();
    expect(theirs).toMatch(HEX32);
    expect(theirs).not.toBe(ours);
  });

  it("'raw' and 'omit'", async () => {
    await (
      await suite.service({ telemetry: { connectionId: 'raw' } })
    ).getToken('github', 'conn-oauth2');
    await (
      await suite.service({ telemetry: { connectionId: 'omit' } })
    ).getToken('github', 'conn-oauth2');
    const [raw, omitted] = otel.named(getToken);
    expect(raw?.attributes['nango.connection_id']).toBe('conn-oauth2');
    expect(omitted?.attributes).not.toHaveProperty('nango.connection_id');
  });
});

describe('trace context to Nango', () => {
  const traceparentSent = () => suite.standIn.requests.map((r) => r.headers['traceparent']);

  it('propagate: true sends the call span as traceparent', async () => {
    const nango = await suite.service({ telemetry: { propagate: true } });
    await trace.getTracer('test').startActiveSpan('job', async (parent) => {
      await nango.getToken('github', 'conn-oauth2');
      parent.end();
    });
    const [span] = otel.named(getToken);
    expect(traceparentSent()).toEqual([`00-${span?.traceId}-${span?.spanId}-01`]);
  });

  it('by default, no traceparent', async () => {
    const nango = await suite.service();
    await trace.getTracer('test').startActiveSpan('job', async (parent) => {
      await nango.getToken('github', 'conn-oauth2');
      parent.end();
    });
    expect(traceparentSent()).toEqual([undefined]);
  });
});

describe('metrics', () => {
  it('a known sequence of calls gives known values', async () => {
    const nango = await suite.service({ cache: CACHE });
    await nango.getToken('github', 'conn-oauth2'); // miss
    await nango.getToken('github', 'conn-oauth2'); // hit
    await nango.get({
      endpoint: '/user',
      providerConfigKey: 'github',
      connectionId: 'conn-oauth2',
    });
    suite.script({
      path: '/connections/conn-apikey',
      times: 1,
      respond: { status: 424, body: {} },
    });
    await settle(nango.getToken('jira', 'conn-apikey')); // miss, then 424

    const duration = 'nango.client.operation.duration';
    const ok = { 'nango.outcome': 'ok' };
    expect(await otel.total(duration, { ...ok, 'nango.operation': 'getToken' })).toBe(2);
    expect(await otel.total(duration, { ...ok, 'nango.operation': 'proxy GET' })).toBe(1);
    expect(
      await otel.total(duration, {
        'nango.outcome': 'error',
        'nango.operation': 'getToken',
        'nango.provider_config_key': 'jira',
        'error.type': 'NangoReconnectRequiredError',
      }),
    ).toBe(1);
    expect(await otel.total('nango.cache.lookups', { 'nango.cache.result': 'miss' })).toBe(2);
    expect(await otel.total('nango.cache.lookups', { 'nango.cache.result': 'hit' })).toBe(1);
    expect(
      await otel.total('nango.connection.reconnect_required', {
        'nango.provider_config_key': 'jira',
      }),
    ).toBe(1);
    expect(await otel.total('nango.retries')).toBe(0);
    const metrics = await otel.metrics();
    expect(metrics.get(duration)?.descriptor).toMatchObject({ unit: 's' });
    // No connection id in any metric: it would be unbounded.
    expect(JSON.stringify([...metrics.values()])).not.toContain('nango.connection_id');
  });
});

describe('never a secret in exported data', () => {
  it('no key, token, header value, body or raw connection id in spans or metrics', async () => {
    const nango = await suite.service({ cache: CACHE, telemetry: { propagate: true } });
    await nango.getConnection('github', 'conn-oauth2', false, true);
    await nango.getToken('jira', 'conn-apikey');
    await nango.getToken('basic-api', 'conn-basic');
    await nango.post({
      endpoint: '/repos',
      providerConfigKey: 'github',
      connectionId: 'conn-oauth2',
      headers: { 'X-Custom': 'header-value-secret' },
      data: { body: 'body-secret' },
    });
    suite.script({ path: CONN, times: 1, respond: { status: 424, body: {} } });
    await settle(nango.getToken('github', 'conn-oauth2', true));
    await otel.expectNoSecrets([
      suite.standIn.secretKey,
      'gh-access-token-1',
      'gh-refresh-token-1',
      'jira-api-key-123',
      'alice-password',
      'header-value-secret',
      'body-secret',
      'conn-oauth2',
      'conn-apikey',
    ]);
  });
});
