import 'reflect-metadata';
import type { INestApplication } from '@nestjs/common';
import { signNangoWebhook } from '../../lib/index.js';
import { NangoStandIn } from '../../lib/testing/index.js';
import { fetchAnswer } from '../fixtures/http.js';
import { seedConnections } from '../fixtures/seed.js';
import { startTelemetryApp } from '../fixtures/apps/telemetry.app.js';
import { installOpenTelemetry, type OpenTelemetryHarness } from '../fixtures/open-telemetry.js';

/**
 * The spans of real requests to a Nest app (Express and Fastify): a controller using
 * `@UseNangoConnection()` and the proxy, and the webhook route.
 */

describe.each(['express', 'fastify'] as const)('telemetry of routes on %s', (adapter) => {
  let standIn: NangoStandIn;
  let otel: OpenTelemetryHarness;
  let app: INestApplication;
  let url: string;

  beforeAll(async () => {
    standIn = await NangoStandIn.start({ connections: seedConnections() });
  });

  beforeEach(async () => {
    otel = installOpenTelemetry();
    ({ app, url } = await startTelemetryApp(adapter, {
      secretKey: standIn.secretKey,
      host: standIn.url,
      cache: { ttl: 60_000 },
    }));
  });

  afterEach(async () => {
    await app.close();
    await otel.uninstall();
  });

  afterAll(async () => {
    await standIn.close();
  });

  it('GET /repos → nango getToken (cache miss) → nango proxy GET, then a hit', async () => {
    const first = await fetchAnswer(`${url}/repos`, { 'x-user': 'conn-oauth2' });
    expect(first.status).toBe(200);
    expect(first.body).toMatchObject({ hasToken: true });
    await fetchAnswer(`${url}/repos`, { 'x-user': 'conn-oauth2' });
    const [root, second] = otel.named('GET /repos');
    const children = (parent: string | undefined) =>
      otel
        .spans()
        .filter((span) => span.parentSpanId === parent)
        .map((span) => [span.name, span.attributes['nango.cache.result']]);
    expect(children(root?.spanId)).toEqual([
      ['nango getToken', 'miss'],
      ['nango proxy GET', undefined],
    ]);
    expect(children(second?.spanId)).toEqual([
      ['nango getToken', 'hit'],
      ['nango proxy GET', undefined],
    ]);
    expect(new Set(otel.spans().map((span) => span.traceId)).size).toBe(2);
    await otel.expectNoSecrets([standIn.secretKey, 'gh-access-token-1', 'conn-oauth2']);
  });

  describe('the webhook route', () => {
    const post = (body: string, headers: Record<string, string>) =>
      fetch(`${url}/nango/webhooks`, {
        method: 'POST',
        headers: { 'content-type': 'application/json', ...headers },
        body,
      });
    const signed = (payload: object) => {
      const body = JSON.stringify(payload);
      return post(body, { 'x-nango-hmac-sha256': signNangoWebhook(body, standIn.secretKey) });
    };
    const auth = { from: 'nango', type: 'auth', providerConfigKey: 'github', connectionId: 'c1' };

    it('a verified webhook: its type, integration and handlers run', async () => {
      expect((await signed(auth)).status).toBeLessThan(300);
      const [span] = otel.named('nango webhook');
      expect(span?.attributes).toMatchObject({
        'nango.webhook.verdict': 'verified',
        'nango.webhook.type': 'auth',
        'nango.provider_config_key': 'github',
        'nango.webhook.handlers': 2,
        'nango.webhook.handlers_failed': 0,
      });
      expect(span?.status.code).toBe(0);
      expect(span?.parentSpanId).toBe(otel.named('POST /nango/webhooks')[0]?.spanId);
    });

    it('a failing handler: the span says so (and Nango gets a 500)', async () => {
      expect((await signed({ ...auth, type: 'sync' })).status).toBe(500);
      const [span] = otel.named('nango webhook');
      expect(span).toMatchObject({
        status: { code: 2 },
        attributes: { 'nango.webhook.handlers': 1, 'nango.webhook.handlers_failed': 1 },
      });
    });

    it('refused webhooks: why, and nothing of the body', async () => {
      expect(
        (await post(JSON.stringify(auth), { 'x-nango-hmac-sha256': 'ab'.repeat(32) })).status,
      ).toBe(401);
      expect((await post(JSON.stringify(auth), {})).status).toBe(401);
      const body = '{"from":"nango"}'; // JSON, signed, without a type
      expect(
        (await post(body, { 'x-nango-hmac-sha256': signNangoWebhook(body, standIn.secretKey) }))
          .status,
      ).toBe(400);
      expect(otel.named('nango webhook').map((span) => span.attributes)).toEqual([
        { 'nango.webhook.verdict': 'invalid_signature' },
        { 'nango.webhook.verdict': 'missing_signature' },
        { 'nango.webhook.verdict': 'invalid_body' },
      ]);
      expect(otel.named('nango webhook').every((span) => span.status.code === 2)).toBe(true);
    });

    it('nango.webhooks.received counts by type and verdict', async () => {
      await signed(auth);
      await signed(auth);
      await signed({ ...auth, type: 'sync' });
      await post(JSON.stringify(auth), {});
      const received = (where: Record<string, string>) =>
        otel.total('nango.webhooks.received', where);
      expect(
        await received({ 'nango.webhook.type': 'auth', 'nango.webhook.verdict': 'verified' }),
      ).toBe(2);
      expect(
        await received({ 'nango.webhook.type': 'sync', 'nango.webhook.verdict': 'verified' }),
      ).toBe(1);
      expect(await received({ 'nango.webhook.verdict': 'missing_signature' })).toBe(1);
      await otel.expectNoSecrets([standIn.secretKey]);
    });
  });
});
