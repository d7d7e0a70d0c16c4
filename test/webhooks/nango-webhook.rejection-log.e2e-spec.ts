import 'reflect-metadata';
import type { INestApplication } from '@nestjs/common';
import { Test } from '@nestjs/testing';
import { FastifyAdapter } from '@nestjs/platform-fastify';
import { NangoModule, signNangoWebhook } from '../../lib/index.js';
import {
  NANGO_WEBHOOK_REJECTION_LOG_WINDOW_MS,
  NangoWebhookRejectionLog,
} from '../../lib/webhooks/nango-webhook.rejection-log.js';
import { CapturingLogger } from '../fixtures/capturing-logger.js';
import { expectNoneOf } from '../fixtures/secrets.js';
import { listenLocally } from '../fixtures/http.js';
import { ShowErrors, WebhookController, received } from '../fixtures/apps/webhook.app.js';

/**
 * A rejected webhook is logged at warn, once a minute per reason (on a fake clock), saying why:
 * no header, not hex, no key matches, no raw body; never the header, the body or a key.
 */

const SECRET = 'sk-0000-rejection-secret';
const SIGNING_KEY = 'whsk-rejection-4444';
const BODY = JSON.stringify({ from: 'nango', type: 'auth', connectionId: 'conn-secret-id-77' });
const WRONG_SIGNATURE = signNangoWebhook(BODY, 'whsk-not-the-key');

describe.each(['express', 'fastify'] as const)('rejected webhooks on %s', (platform) => {
  let app: INestApplication | undefined;
  let url: string;
  let logger: CapturingLogger;
  let clock: number;

  async function start(rawBody = true): Promise<void> {
    clock = 1_000_000;
    logger = new CapturingLogger();
    const moduleRef = await Test.createTestingModule({
      imports: [NangoModule.forRoot({ secretKey: SECRET, webhookSigningKey: SIGNING_KEY })],
      controllers: [WebhookController],
    })
      .overrideProvider(NangoWebhookRejectionLog)
      .useValue(new NangoWebhookRejectionLog(() => clock))
      .compile();
    app =
      platform === 'fastify'
        ? moduleRef.createNestApplication(new FastifyAdapter(), { rawBody, logger })
        : moduleRef.createNestApplication({ rawBody, logger });
    app.useGlobalFilters(new ShowErrors());
    url = await listenLocally(app);
  }

  async function post(headers: Record<string, string>): Promise<number> {
    const res = await fetch(`${url}/nango/webhooks?token=q-secret`, {
      method: 'POST',
      headers: { 'content-type': 'application/json', ...headers },
      body: BODY,
    });
    await res.text();
    return res.status;
  }

  const warnings = (): string[] => logger.lines.filter((line) => line.startsWith('warn '));

  beforeEach(() => {
    received.length = 0;
  });
  afterEach(async () => {
    await app?.close();
    app = undefined;
  });

  it.each([
    ['no signature header', {}, 'no X-Nango-Hmac-Sha256 header'],
    [
      'a signature that is not hex',
      { 'x-nango-hmac-sha256': 'not-hex-zzzz' },
      'the X-Nango-Hmac-Sha256 header is not 64 hex characters',
    ],
    [
      'a hex signature of the wrong length',
      { 'x-nango-hmac-sha256': WRONG_SIGNATURE.slice(0, 40) },
      'the X-Nango-Hmac-Sha256 header is not 64 hex characters',
    ],
    [
      'a signature no key gives',
      { 'x-nango-hmac-sha256': WRONG_SIGNATURE },
      'the X-Nango-Hmac-Sha256 signature matches no signing key (set webhookSigningKey',
    ],
  ])('logs one warn line for %s, naming the route, never a value', async (_l, headers, why) => {
    await start();
    expect(await post(headers)).toBe(401);
    expect(warnings()).toEqual([
      expect.stringContaining(`Rejected a Nango webhook on POST /nango/webhooks: ${why}`),
    ]);
    expect(received).toEqual([]);
    expectNoneOf(
      [SECRET, SIGNING_KEY, WRONG_SIGNATURE, WRONG_SIGNATURE.slice(0, 40), 'not-hex-zzzz'],
      logger.text(),
    );
    expectNoneOf(['conn-secret-id-77', 'q-secret'], logger.text());
  });

  it('logs once a minute per reason: silent within the window, again after it', async () => {
    await start();
    const wrong = { 'x-nango-hmac-sha256': WRONG_SIGNATURE };
    expect(await post(wrong)).toBe(401);
    clock += NANGO_WEBHOOK_REJECTION_LOG_WINDOW_MS - 1;
    expect(await post(wrong)).toBe(401);
    expect(warnings()).toHaveLength(1);

    // Another reason has its own minute.
    expect(await post({})).toBe(401);
    expect(warnings()).toHaveLength(2);
    expect(warnings()[1]).toContain('no X-Nango-Hmac-Sha256 header');

    clock += 1;
    expect(await post(wrong)).toBe(401);
    expect(warnings()).toHaveLength(3);
    expect(warnings()[2]).toContain('matches no signing key');
  });

  it('logs no warn line for a valid webhook', async () => {
    await start();
    expect(await post({ 'x-nango-hmac-sha256': signNangoWebhook(BODY, SIGNING_KEY) })).toBe(200);
    expect(warnings()).toEqual([]);
  });

  it('logs a request with no raw body to verify (a body the app does not keep raw)', async () => {
    await start();
    const res = await fetch(`${url}/nango/webhooks`, {
      method: 'POST',
      headers: { 'x-nango-hmac-sha256': signNangoWebhook('', SIGNING_KEY) },
    });
    await res.text();
    expect(res.status).toBe(401);
    expect(warnings()).toEqual([
      expect.stringContaining(
        'Rejected a Nango webhook on POST /nango/webhooks: the request has no raw body to verify',
      ),
    ]);
    expectNoneOf([SECRET, SIGNING_KEY], logger.text());
  });
});

describe('NangoWebhookRejectionLog', () => {
  it('logs each reason once per window on its own clock', () => {
    let now = 0;
    const logger = new CapturingLogger();
    const log = new NangoWebhookRejectionLog(() => now, logger);
    log.report('mismatch', '/a');
    log.report('mismatch', '/a');
    log.report('bad-encoding', '/a');
    now = NANGO_WEBHOOK_REJECTION_LOG_WINDOW_MS;
    log.report('mismatch', '/a');
    expect(logger.lines).toEqual([
      expect.stringMatching(/^warn .*POST \/a: .*matches no signing key/),
      expect.stringMatching(/^warn .*POST \/a: .*is not 64 hex characters/),
      expect.stringMatching(/^warn .*POST \/a: .*matches no signing key/),
    ]);
    expect(logger.lines).toHaveLength(3);
  });
});
