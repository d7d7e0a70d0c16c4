import 'reflect-metadata';
import {
  NangoAbortedError,
  NangoConnectionNotFoundError,
  NangoRateLimitError,
  NangoReconnectRequiredError,
  NangoRequestError,
  NangoTimeoutError,
  NangoUnavailableError,
  NangoUpstreamError,
} from '../lib/index.js';
import { backoffDelayMs, isRetryable } from '../lib/utils/retry-policy.js';
import type { StandInResponse } from '../lib/testing/index.js';
import { standInSuite } from './fixtures/stand-in-suite.js';
import { connectionBody, settle } from './fixtures/eventually.js';

/** Fast retries, so the tests do not wait. */
const FAST = { retries: 2, minDelayMs: 1, maxDelayMs: 5, maxTotalDelayMs: 2000 };

const suite = standInSuite({ retry: FAST });
const { service } = suite;

/** The next `times` requests to `path` get `respond`; later ones the built-in answer. */
function answer(path: string, times: number, respond: StandInResponse): void {
  suite.script({ path, times, respond });
}

const CONN = '/connections/conn-oauth2';
const hits = (path = CONN) => suite.standIn.count({ path });

describe('retrying GETs to Nango', () => {
  it.each([502, 503, 504])('retries %i, then succeeds', async (status) => {
    const nango = await service();
    answer(CONN, 2, { status, body: { error: { code: 'server_error' } } });
    await expect(nango.getToken('github', 'conn-oauth2')).resolves.toBe('gh-access-token-1');
    expect(hits()).toBe(3);
  });

  it('retries a connection reset', async () => {
    const nango = await service();
    answer(CONN, 1, { status: 200, reset: true });
    await expect(nango.getConnection('github', 'conn-oauth2')).resolves.toMatchObject({
      connection_id: 'conn-oauth2',
    });
    expect(hits()).toBe(2);
  });

  it('retries listConnections too', async () => {
    const nango = await service();
    answer('/connections', 1, { status: 503, body: {} });
    await expect(nango.listConnections()).resolves.toHaveProperty('connections');
    expect(hits('/connections')).toBe(2);
  });

  it('gives up after `retries` retries, with the last error', async () => {
    const nango = await service({ retry: { ...FAST, retries: 3 } });
    answer(CONN, 10, { status: 503, body: { error: { code: 'server_error', message: 'down' } } });
    const error = await settle(nango.getToken('github', 'conn-oauth2'));
    expect(error).toBeInstanceOf(NangoUnavailableError);
    expect(error).toMatchObject({ status: 503, nangoMessage: 'down' });
    expect(hits()).toBe(4);
  });

  it('honours Retry-After on 429: the retry waits that long', async () => {
    const nango = await service();
    const seen: number[] = [];
    suite.script({
      path: '/connections/conn-apikey',
      times: 2,
      respond: () => {
        seen.push(Date.now());
        return seen.length === 1
          ? { status: 429, headers: { 'retry-after': '1' }, body: {} }
          : {
              status: 200,
              body: connectionBody('conn-apikey', { type: 'API_KEY', apiKey: 'k' }),
            };
      },
    });
    await expect(nango.getToken('jira', 'conn-apikey')).resolves.toEqual({
      type: 'API_KEY',
      apiKey: 'k',
    });
    expect(seen).toHaveLength(2);
    // The second request came no sooner than Retry-After (a lower bound: never flaky).
    expect((seen[1] as number) - (seen[0] as number)).toBeGreaterThanOrEqual(990);
  });

  it('does not wait for a Retry-After longer than maxTotalDelayMs: fails at once', async () => {
    const nango = await service();
    answer(CONN, 1, { status: 429, headers: { 'retry-after': '30' }, body: {} });
    const error = await settle(nango.getToken('github', 'conn-oauth2'));
    expect(error).toBeInstanceOf(NangoRateLimitError);
    expect(error).toMatchObject({ retryAfter: 30 });
    expect(hits()).toBe(1);
  });

  it('does not wait past the call timeout', async () => {
    const nango = await service({ retry: { ...FAST, maxTotalDelayMs: 60_000 } });
    answer('/connections', 1, { status: 429, headers: { 'retry-after': '5' }, body: {} });
    const error = await settle(nango.listConnections(undefined, { timeout: 1000 }));
    expect(error).toBeInstanceOf(NangoRateLimitError);
    expect(hits('/connections')).toBe(1);
    // A coalesced call: this caller leaves at its timeout; the wait is cancelled with it.
    answer(CONN, 1, { status: 429, headers: { 'retry-after': '5' }, body: {} });
    const timedOut = await settle(nango.getToken('github', 'conn-oauth2', false, { timeout: 300 }));
    expect(timedOut).toBeInstanceOf(NangoTimeoutError);
    expect(timedOut).toMatchObject({ timeoutMs: 300 });
    expect(hits()).toBe(1);
  });

  it('a 503 is retried after its Retry-After; x-ratelimit-reset alone is no reason to wait', async () => {
    const nango = await service();
    answer(CONN, 1, {
      status: 503,
      headers: { 'x-ratelimit-reset': String(Math.floor(Date.now() / 1000) + 3600) },
      body: {},
    });
    await expect(nango.getToken('github', 'conn-oauth2')).resolves.toBe('gh-access-token-1');
    expect(hits()).toBe(2);
  });

  it('an abort during the wait between attempts ends the call then, not after the wait', async () => {
    const nango = await service({ retry: { ...FAST, maxTotalDelayMs: 60_000 } });
    answer('/connections', 1, { status: 503, headers: { 'retry-after': '10' }, body: {} });
    const controller = new AbortController();
    const call = settle(nango.listConnections(undefined, { signal: controller.signal }));
    setTimeout(() => controller.abort(), 50);
    const outcome = await Promise.race([
      call,
      new Promise((resolve) => setTimeout(() => resolve('still waiting'), 5000)),
    ]);
    expect(outcome).toBeInstanceOf(NangoAbortedError);
    expect(hits('/connections')).toBe(1);
  });

  it('never retries a timeout: the call ends in about its timeout', async () => {
    const nango = await service();
    answer(CONN, 5, { status: 200, hang: true });
    const error = await settle(nango.getToken('github', 'conn-oauth2', false, { timeout: 100 }));
    expect(error).toBeInstanceOf(NangoTimeoutError);
    expect(hits()).toBe(1);
  });

  it.each([
    [400, { error: { code: 'invalid_query_params' } }, NangoRequestError],
    [404, { error: { code: 'not_found' } }, NangoConnectionNotFoundError],
    [424, { error: { code: 'connection_refresh_backoff' } }, NangoReconnectRequiredError],
    [500, { error: { code: 'server_error' } }, NangoUnavailableError],
  ])('never retries %i', async (status, body, type) => {
    const nango = await service();
    answer(CONN, 5, { status, body });
    await expect(nango.getToken('github', 'conn-oauth2')).rejects.toBeInstanceOf(type);
    expect(hits()).toBe(1);
  });

  it('never retries proxy calls, even on 503 from Nango or the third party', async () => {
    const nango = await service();
    answer('/proxy/x', 5, { status: 503, body: { error: { code: 'server_error' } } });
    await expect(
      nango.get({ endpoint: '/x', providerConfigKey: 'jira', connectionId: 'conn-apikey' }),
    ).rejects.toBeInstanceOf(NangoUnavailableError);
    expect(hits('/proxy/x')).toBe(1);
    await expect(
      nango.get({
        endpoint: '/status/503',
        providerConfigKey: 'jira',
        connectionId: 'conn-apikey',
      }),
    ).rejects.toBeInstanceOf(NangoUpstreamError);
    expect(hits('/proxy/status/503')).toBe(1);
  });

  it('retry: false turns it off', async () => {
    const nango = await service({ retry: false });
    answer(CONN, 5, { status: 503, body: {} });
    await expect(nango.getToken('github', 'conn-oauth2')).rejects.toBeInstanceOf(
      NangoUnavailableError,
    );
    expect(hits()).toBe(1);
  });

  it('a per-call { retry: false } turns it off for that call only', async () => {
    const nango = await service({ retry: FAST });
    answer('/connections', 1, { status: 503, body: {} });
    await expect(nango.listConnections(undefined, { retry: false })).rejects.toBeInstanceOf(
      NangoUnavailableError,
    );
    expect(hits('/connections')).toBe(1);
    answer('/connections', 1, { status: 503, body: {} });
    await expect(nango.listConnections()).resolves.toHaveProperty('connections');
    expect(hits('/connections')).toBe(3);
    await expect(
      nango.listConnections(undefined, { retry: 'no' as unknown as boolean }),
    ).rejects.toMatchObject({ name: 'NangoInvalidArgumentError', argument: 'retry' });
  });

  it('retries by default (2 retries)', async () => {
    const nango = await service({ retry: undefined });
    answer(CONN, 2, { status: 502, body: {} });
    await expect(nango.getToken('github', 'conn-oauth2')).resolves.toBe('gh-access-token-1');
    expect(hits()).toBe(3);
  });
});

describe('backoff', () => {
  const policy = { retries: 5, minDelayMs: 100, maxDelayMs: 1000, maxTotalDelayMs: 10_000 };

  it('doubles the ceiling at each retry, up to maxDelayMs', () => {
    expect([1, 2, 3, 4, 5].map((n) => backoffDelayMs(n, policy, () => 1))).toEqual([
      100, 200, 400, 800, 1000,
    ]);
  });

  it('is fully jittered: anywhere from 0 to the ceiling', () => {
    expect(backoffDelayMs(3, policy, () => 0)).toBe(0);
    expect(backoffDelayMs(3, policy, () => 0.5)).toBe(200);
    const samples = Array.from({ length: 200 }, () => backoffDelayMs(3, policy));
    expect(Math.min(...samples)).toBeGreaterThanOrEqual(0);
    expect(Math.max(...samples)).toBeLessThanOrEqual(400);
    expect(new Set(samples).size).toBeGreaterThan(10);
  });

  it('only network errors and 429/502/503/504 are retryable', () => {
    expect(isRetryable(new Error('plain'))).toBe(false);
  });
});
