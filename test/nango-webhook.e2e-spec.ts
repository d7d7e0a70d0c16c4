import 'reflect-metadata';
import type { INestApplication } from '@nestjs/common';
import { Test } from '@nestjs/testing';
import { FastifyAdapter } from '@nestjs/platform-fastify';
import {
  NangoModule,
  NangoWebhook,
  NangoConfigurationError,
  NangoStartupError,
  signNangoWebhook,
  verifyNangoWebhookSignature,
} from '../lib/index.js';
import {
  NoGuardController,
  received,
  ShowErrors,
  WebhookController,
} from './fixtures/apps/webhook.app.js';

const SECRET = 'sk-0000-webhook-secret';
const OLD_KEY = 'whsk-old-1111';
const NEW_KEY = 'whsk-new-2222';
const DEV_KEY = 'whsk-dev-3333';

const auth = {
  from: 'nango',
  type: 'auth',
  connectionId: 'conn-1',
  providerConfigKey: 'github',
  provider: 'github',
  authMode: 'OAUTH2',
  environment: 'prod',
  operation: 'creation',
  success: true,
  endUser: { endUserId: 'user-1' },
};

describe.each(['express', 'fastify'] as const)('@NangoWebhook() on %s', (platform) => {
  let app: INestApplication | undefined;
  let url: string;

  async function start(
    imports: Parameters<typeof Test.createTestingModule>[0]['imports'],
    rawBody = true,
    controllers: Array<new () => object> = [WebhookController],
  ): Promise<void> {
    const moduleRef = await Test.createTestingModule({ imports, controllers }).compile();
    app =
      platform === 'fastify'
        ? moduleRef.createNestApplication(new FastifyAdapter(), { rawBody, logger: false })
        : moduleRef.createNestApplication({ rawBody, logger: false });
    app.useGlobalFilters(new ShowErrors());
    await app.init();
    if (platform === 'fastify') {
      await (app.getHttpAdapter().getInstance() as { ready: () => Promise<unknown> }).ready();
    }
    await app.listen(0, '127.0.0.1');
    url = (await app.getUrl()).replace('[::1]', '127.0.0.1').replace('localhost', '127.0.0.1');
  }

  async function post(
    path: string,
    body: string,
    headers: Record<string, string>,
  ): Promise<{ status: number; json: Record<string, unknown> }> {
    const res = await fetch(`${url}${path}`, {
      method: 'POST',
      headers: { 'content-type': 'application/json', ...headers },
      body,
    });
    const text = await res.text();
    return { status: res.status, json: text ? (JSON.parse(text) as Record<string, unknown>) : {} };
  }

  function signed(body: string, key: string): Record<string, string> {
    return { 'x-nango-hmac-sha256': signNangoWebhook(body, key) };
  }

  beforeEach(() => {
    received.length = 0;
  });

  afterEach(async () => {
    await app?.close();
    app = undefined;
  });

  describe('with no signing key configured', () => {
    beforeEach(() => start([NangoModule.forRoot({ secretKey: SECRET })]));

    it('accepts a body signed with the secret key and hands the parsed payload to the handler', async () => {
      const body = JSON.stringify(auth);
      const res = await post('/nango/webhooks', body, signed(body, SECRET));
      expect(res).toEqual({ status: 200, json: { ok: true, type: 'auth:creation' } });
      expect(received).toEqual([auth]);
    });

    it('accepts an upper-case hex signature', async () => {
      const body = JSON.stringify(auth);
      const res = await post('/nango/webhooks', body, {
        'x-nango-hmac-sha256': signNangoWebhook(body, SECRET).toUpperCase(),
      });
      expect(res.status).toBe(200);
    });

    it('rejects a tampered body with 401, before the handler', async () => {
      const body = JSON.stringify(auth);
      const tampered = body.replace('conn-1', 'conn-2');
      const res = await post('/nango/webhooks', tampered, signed(body, SECRET));
      expect(res.status).toBe(401);
      expect(res.json['message']).toBe('Invalid Nango webhook signature');
      expect(received).toEqual([]);
    });

    it('verifies the raw bytes: the same JSON re-serialised differently is rejected', async () => {
      const body = JSON.stringify(auth);
      const spaced = JSON.stringify(auth, null, 2);
      expect((await post('/nango/webhooks', spaced, signed(body, SECRET))).status).toBe(401);
      expect((await post('/nango/webhooks', spaced, signed(spaced, SECRET))).status).toBe(200);
    });

    it.each([
      ['missing', {}],
      ['empty', { 'x-nango-hmac-sha256': '' }],
      ['not hex', { 'x-nango-hmac-sha256': 'z'.repeat(64) }],
      ['too short', { 'x-nango-hmac-sha256': 'ab12' }],
      ['signed with another key', { 'x-nango-hmac-sha256': signNangoWebhook('{}', 'other') }],
    ])('rejects a %s signature with 401', async (_case, headers) => {
      const res = await post('/nango/webhooks', JSON.stringify(auth), headers);
      expect(res.status).toBe(401);
      expect(received).toEqual([]);
    });

    it('never accepts the legacy X-Nango-Signature', async () => {
      const body = JSON.stringify(auth);
      const { createHash } = await import('node:crypto');
      const legacy = createHash('sha256').update(`${SECRET}${body}`).digest('hex');
      const res = await post('/nango/webhooks', body, { 'x-nango-signature': legacy });
      expect(res.status).toBe(401);
      expect(received).toEqual([]);
    });

    it('passes a webhook of an unknown type through as it came', async () => {
      const body = JSON.stringify({ from: 'nango', type: 'brand_new', extra: { a: 1 } });
      const res = await post('/nango/webhooks', body, signed(body, SECRET));
      expect(res).toEqual({ status: 200, json: { ok: true, type: 'brand_new' } });
      expect(received).toEqual([{ from: 'nango', type: 'brand_new', extra: { a: 1 } }]);
    });

    it('types sync and forward webhooks', async () => {
      const sync = {
        from: 'nango',
        type: 'sync',
        connectionId: 'conn-1',
        providerConfigKey: 'github',
        syncName: 'issues',
        model: 'Issue',
        syncType: 'INCREMENTAL',
        success: true,
        modifiedAfter: '2026-11-28T10:00:00.000Z',
        responseResults: { added: 1, updated: 0, deleted: 0 },
      };
      const body = JSON.stringify(sync);
      const res = await post('/nango/webhooks', body, signed(body, SECRET));
      expect(res.json).toEqual({ ok: true, type: 'sync:issues' });
      const forward = JSON.stringify({
        from: 'github',
        type: 'forward',
        providerConfigKey: 'github',
        connectionId: 'conn-1',
        payload: { action: 'opened' },
      });
      expect((await post('/nango/webhooks', forward, signed(forward, SECRET))).json).toEqual({
        ok: true,
        type: 'forward',
      });
    });

    it('answers 400 to a signed body that is not a JSON object with a type', async () => {
      for (const body of ['[1,2]', '{"no":"type"}', '"text"']) {
        const res = await post('/nango/webhooks', body, signed(body, SECRET));
        expect(res.status).toBe(400);
      }
      expect(received).toEqual([]);
    });

    it('a named instance that is not registered is a clear error', async () => {
      const body = JSON.stringify(auth);
      const res = await post('/nango/missing-instance', body, signed(body, SECRET));
      expect(res.status).toBe(500);
      expect(res.json).toEqual({
        name: 'NangoUsageError',
        message: expect.stringContaining(
          `found no Nango instance named "staging": import NangoModule.forRoot({ name: 'staging', ... })`,
        ) as unknown,
      });
      expect(received).toEqual([]);
    });
  });

  // Misuse is caught by app.init(), before any request (it used to be a 500 on the first one).
  it('@NangoWebhookPayload() without @NangoWebhook() stops app.init(), naming the handler and the fix', async () => {
    const error = await start([NangoModule.forRoot({ secretKey: SECRET })], true, [
      NoGuardController,
    ]).then(
      () => undefined,
      (e: unknown) => e,
    );
    expect(error).toBeInstanceOf(NangoStartupError);
    expect((error as NangoStartupError).handlers).toEqual(['NoGuardController.handleNoGuard']);
    expect((error as Error).message).toContain(
      'NoGuardController.handleNoGuard uses @NangoWebhookPayload() but has no @NangoWebhook(): add @NangoWebhook() to the handler',
    );
    expect(received).toEqual([]);
  });

  describe('with signing keys during a rotation', () => {
    beforeEach(() =>
      start([
        NangoModule.forRoot({ secretKey: SECRET, webhookSigningKey: [OLD_KEY, NEW_KEY] }),
        NangoModule.forRoot({ name: 'dev', secretKey: 'sk-dev', webhookSigningKey: DEV_KEY }),
      ]),
    );

    it('accepts either key, and no longer the secret key', async () => {
      const body = JSON.stringify(auth);
      expect((await post('/nango/webhooks', body, signed(body, OLD_KEY))).status).toBe(200);
      expect((await post('/nango/webhooks', body, signed(body, NEW_KEY))).status).toBe(200);
      expect((await post('/nango/webhooks', body, signed(body, SECRET))).status).toBe(401);
      expect(received).toHaveLength(2);
    });

    it("@NangoWebhook({ instance }) checks that instance's keys only", async () => {
      const body = JSON.stringify(auth);
      expect((await post('/nango/dev-webhooks', body, signed(body, DEV_KEY))).status).toBe(200);
      expect((await post('/nango/dev-webhooks', body, signed(body, NEW_KEY))).status).toBe(401);
      expect((await post('/nango/webhooks', body, signed(body, DEV_KEY))).status).toBe(401);
      expect(received).toHaveLength(1);
    });
  });

  it('without rawBody: true, app.init() stops, naming each webhook handler and the fix', async () => {
    const error = await start([NangoModule.forRoot({ secretKey: SECRET })], false).then(
      () => undefined,
      (e: unknown) => e,
    );
    expect(error).toBeInstanceOf(NangoStartupError);
    expect((error as NangoStartupError).handlers).toEqual([
      'WebhookController.handle',
      'WebhookController.handleDev',
      'WebhookController.handleMissing',
    ]);
    expect((error as Error).message).toContain(
      'WebhookController.handle receives Nango webhooks, whose signature is over the raw body, but the application keeps no raw bodies: create it with NestFactory.create(AppModule, { rawBody: true }).',
    );
    expect(received).toEqual([]);
  });

  it('an app that parses bodies itself (bodyParser: false) is not judged', async () => {
    const moduleRef = await Test.createTestingModule({
      imports: [NangoModule.forRoot({ secretKey: SECRET })],
      controllers: [WebhookController],
    }).compile();
    app =
      platform === 'fastify'
        ? moduleRef.createNestApplication(new FastifyAdapter(), {
            logger: false,
            bodyParser: false,
          })
        : moduleRef.createNestApplication({ logger: false, bodyParser: false });
    await expect(app.init()).resolves.toBeDefined();
  });
});

describe('verifyNangoWebhookSignature', () => {
  it('checks against every key and refuses what is not a hex SHA-256', () => {
    const sig = signNangoWebhook('{"a":1}', 'k2');
    expect(verifyNangoWebhookSignature('{"a":1}', sig, ['k1', 'k2'])).toBe(true);
    expect(verifyNangoWebhookSignature(Buffer.from('{"a":1}'), sig, ['k2'])).toBe(true);
    expect(verifyNangoWebhookSignature('{"a":2}', sig, ['k1', 'k2'])).toBe(false);
    expect(verifyNangoWebhookSignature('{"a":1}', sig, [])).toBe(false);
    expect(verifyNangoWebhookSignature('{"a":1}', [sig], ['k2'])).toBe(false);
    expect(verifyNangoWebhookSignature('{"a":1}', undefined, ['k2'])).toBe(false);
  });

  it('refuses a bad instance name or signing key at start-up', () => {
    expect(() => NangoWebhook({ instance: 'has space' })).toThrow(NangoConfigurationError);
    expect(() => NangoModule.forRoot({ secretKey: SECRET, webhookSigningKey: [] })).not.toThrow();
  });
});
