import 'reflect-metadata';
import {
  Controller,
  Headers,
  HttpCode,
  Module,
  Post,
  Req,
  type INestApplication,
  type RawBodyRequest,
} from '@nestjs/common';
import { NestFactory } from '@nestjs/core';
import { ExpressAdapter } from '@nestjs/platform-express';
import { Nango } from '@nangohq/node';
import type { AddressInfo } from 'node:net';
import type { IncomingMessage } from 'node:http';
import {
  NangoModule,
  NangoService,
  signNangoWebhook,
  type NangoModuleOptions,
} from '../lib/index.js';

/**
 * `NangoService.verifyIncomingWebhookRequest()` over real HTTP, against the rules of the
 * official client (`@nangohq/node` 0.71.x): `webhookSigningKey` when set, else the key given
 * as `secretKey`; a module given its key as `apiKey` alone verifies nothing, since Nango never
 * signs webhooks with the API key.
 */

const KEY = 'sk-0000-verify-secret';
const SIGNING_KEY = 'whsk-verify-1111';
const BODY = JSON.stringify({ type: 'auth', operation: 'creation', connectionId: 'c 1/x' });

/** Answers whether the app's own code finds the webhook Nango's, as a user's route would. */
@Controller('hooks')
class VerifyController {
  constructor(private readonly nango: NangoService) {}

  @Post()
  @HttpCode(200)
  verify(
    @Req() request: RawBodyRequest<IncomingMessage>,
    @Headers() headers: Record<string, unknown>,
  ): { verified: boolean } {
    return {
      verified: this.nango.verifyIncomingWebhookRequest(request.rawBody ?? '', headers),
    };
  }
}

async function start(options: NangoModuleOptions): Promise<{ app: INestApplication; url: string }> {
  @Module({
    imports: [NangoModule.forRoot({ host: 'http://127.0.0.1:9', ...options })],
    controllers: [VerifyController],
  })
  class AppModule {}

  const app = await NestFactory.create(AppModule, new ExpressAdapter(), {
    rawBody: true,
    logger: false,
  });
  await app.listen(0, '127.0.0.1');
  const { port } = app.getHttpServer().address() as AddressInfo;
  return { app, url: `http://127.0.0.1:${port}/hooks` };
}

/** Sends the webhook body signed with `key` (none: unsigned); resolves with `verified`. */
async function send(url: string, key?: string): Promise<boolean> {
  const response = await fetch(url, {
    method: 'POST',
    headers: {
      'content-type': 'application/json',
      ...(key === undefined ? {} : { 'X-Nango-Hmac-Sha256': signNangoWebhook(BODY, key) }),
    },
    body: BODY,
  });
  expect(response.status).toBe(200);
  const answer = (await response.json()) as { verified: boolean };
  return answer.verified;
}

describe('verifyIncomingWebhookRequest over HTTP, by the official client’s key rules', () => {
  const apps: INestApplication[] = [];
  afterEach(async () => {
    while (apps.length > 0) await apps.pop()?.close();
  });
  const boot = async (options: NangoModuleOptions): Promise<string> => {
    const { app, url } = await start(options);
    apps.push(app);
    return url;
  };

  it('with secretKey and no webhookSigningKey, accepts a webhook signed with the secret key', async () => {
    const url = await boot({ secretKey: KEY });
    expect(await send(url, KEY)).toBe(true);
    expect(await send(url, 'another-key')).toBe(false);
    expect(await send(url)).toBe(false);
  });

  it('with apiKey alone, accepts nothing: the API key never signs webhooks', async () => {
    const url = await boot({ apiKey: KEY });
    expect(await send(url, KEY)).toBe(false);
    expect(await send(url, 'another-key')).toBe(false);
    expect(await send(url)).toBe(false);
  });

  it('with apiKey and webhookSigningKey, accepts the signing key only', async () => {
    const url = await boot({ apiKey: KEY, webhookSigningKey: SIGNING_KEY });
    expect(await send(url, SIGNING_KEY)).toBe(true);
    expect(await send(url, KEY)).toBe(false);
  });

  it('with secretKey and apiKey (the same key), falls back to it as secretKey alone does', async () => {
    const url = await boot({ secretKey: KEY, apiKey: KEY });
    expect(await send(url, KEY)).toBe(true);
  });

  it('with secretKey and webhookSigningKey, accepts the signing key only', async () => {
    const url = await boot({ secretKey: KEY, webhookSigningKey: [SIGNING_KEY, 'whsk-new-2222'] });
    expect(await send(url, SIGNING_KEY)).toBe(true);
    expect(await send(url, 'whsk-new-2222')).toBe(true);
    expect(await send(url, KEY)).toBe(false);
  });

  it.each<[string, NangoModuleOptions, ConstructorParameters<typeof Nango>[0]]>([
    ['secretKey', { secretKey: KEY }, { secretKey: KEY }],
    ['apiKey', { apiKey: KEY }, { apiKey: KEY }],
    [
      'apiKey + webhookSigningKey',
      { apiKey: KEY, webhookSigningKey: SIGNING_KEY },
      { apiKey: KEY, webhookSigningKey: SIGNING_KEY },
    ],
    [
      'secretKey + webhookSigningKey',
      { secretKey: KEY, webhookSigningKey: SIGNING_KEY },
      { secretKey: KEY, webhookSigningKey: SIGNING_KEY },
    ],
  ])('answers as @nangohq/node does, configured with %s', async (_label, ours, official) => {
    const url = await boot(ours);
    const nango = new Nango({ host: 'http://127.0.0.1:9', ...official });
    for (const key of [KEY, SIGNING_KEY, 'another-key']) {
      const headers = { 'x-nango-hmac-sha256': signNangoWebhook(BODY, key) };
      expect(await send(url, key)).toBe(nango.verifyIncomingWebhookRequest(BODY, headers));
    }
  });
});
