import 'reflect-metadata';
import { Test, type TestingModule } from '@nestjs/testing';
import {
  NangoAbortedError,
  NangoAuthenticationError,
  NangoConnectionNotFoundError,
  NangoIntegrationNotFoundError,
  NangoRateLimitError,
  NangoReconnectRequiredError,
  NangoService,
  NangoTimeoutError,
  NangoUnavailableError,
  NangoUpstreamError,
} from '../lib/index.js';
import { NangoStandIn, NangoTestingModule, StandInAnswers } from '../lib/testing/index.js';
import { seedConnections } from './fixtures/seed.js';

let moduleRef: TestingModule;
let standIn: NangoStandIn;
let nango: NangoService;

beforeAll(async () => {
  moduleRef = await Test.createTestingModule({
    // No retry: each scripted answer must surface as the error it stands for.
    imports: [NangoTestingModule.withStandIn({ connections: seedConnections() }, { retry: false })],
  }).compile();
  standIn = moduleRef.get(NangoStandIn);
  nango = moduleRef.get(NangoService);
});
afterAll(async () => {
  await moduleRef.close();
});

async function tokenError(): Promise<unknown> {
  return nango.getToken('github', 'conn-oauth2').then(
    () => new Error('expected a rejection'),
    (error: unknown) => error,
  );
}

describe('StandInAnswers, scripted on the connection route, reach the app as typed errors', () => {
  it.each([
    ['rateLimited', StandInAnswers.rateLimited(5), NangoRateLimitError],
    ['connectionNotFound', StandInAnswers.connectionNotFound(), NangoConnectionNotFoundError],
    ['integrationNotFound', StandInAnswers.integrationNotFound(), NangoIntegrationNotFoundError],
    ['refreshFailed', StandInAnswers.refreshFailed(), NangoReconnectRequiredError],
    ['reconnectRequired', StandInAnswers.reconnectRequired(), NangoReconnectRequiredError],
    ['unauthorized', StandInAnswers.unauthorized(), NangoAuthenticationError],
    ['serverError', StandInAnswers.serverError(), NangoUnavailableError],
    ['reset', StandInAnswers.reset(), NangoUnavailableError],
  ] as const)('%s', async (_name, answer, errorClass) => {
    standIn.script({ path: '/connections/conn-oauth2', times: 1, respond: answer });
    const error = await tokenError();
    expect(error).toBeInstanceOf(errorClass);
    // The rule was used once: the next call gets the built-in answer again.
    await expect(nango.getToken('github', 'conn-oauth2')).resolves.toBe('gh-access-token-1');
  });

  it('rateLimited carries Retry-After', async () => {
    standIn.script({
      path: '/connections/conn-oauth2',
      times: 1,
      respond: StandInAnswers.rateLimited(42),
    });
    expect(await tokenError()).toMatchObject({ retryAfter: 42 });
  });

  it('slow answers past the per-call timeout become NangoTimeoutError; hang + abort, NangoAbortedError', async () => {
    standIn.script({
      path: '/connections/conn-oauth2',
      times: 1,
      respond: StandInAnswers.slow(2000, StandInAnswers.json({})),
    });
    await expect(
      nango.getToken('github', 'conn-oauth2', false, { timeout: 50 }),
    ).rejects.toBeInstanceOf(NangoTimeoutError);
    standIn.script({ path: '/connections/conn-oauth2', times: 1, respond: StandInAnswers.hang() });
    const controller = new AbortController();
    const pending = nango.getToken('github', 'conn-oauth2', false, { signal: controller.signal });
    setTimeout(() => controller.abort(), 20);
    await expect(pending).rejects.toBeInstanceOf(NangoAbortedError);
  });
});

describe('StandInAnswers on proxy endpoints', () => {
  it('json() answers one endpoint; upstream() passes a third-party error on', async () => {
    const removeUser = standIn.script({
      method: 'GET',
      path: '/proxy/user',
      respond: StandInAnswers.json({ login: 'octocat' }),
    });
    const removeRepo = standIn.script({
      path: '/proxy/repos/acme/app',
      respond: StandInAnswers.upstream(
        404,
        { message: 'Not Found' },
        { 'x-github-request-id': 'abc' },
      ),
    });
    try {
      await expect(
        nango.get({ endpoint: '/user', providerConfigKey: 'github', connectionId: 'conn-oauth2' }),
      ).resolves.toMatchObject({ status: 200, data: { login: 'octocat' } });
      const error = await nango
        .get({
          endpoint: '/repos/acme/app',
          providerConfigKey: 'github',
          connectionId: 'conn-oauth2',
        })
        .catch((e: unknown) => e);
      expect(error).toBeInstanceOf(NangoUpstreamError);
      expect(error).toMatchObject({ status: 404, data: { message: 'Not Found' } });
      expect((error as NangoUpstreamError).headers['x-github-request-id']).toBe('abc');
      // Other endpoints keep the built-in echo.
      await expect(
        nango.get({ endpoint: '/other', providerConfigKey: 'github', connectionId: 'conn-oauth2' }),
      ).resolves.toMatchObject({ data: { echo: { url: '/other' } } });
    } finally {
      removeUser();
      removeRepo();
    }
  });

  it('a 429 of Nango on the proxy is a rate limit, not an upstream error', async () => {
    standIn.script({ path: '/proxy/user', times: 1, respond: StandInAnswers.rateLimited(3) });
    await expect(
      nango.get({ endpoint: '/user', providerConfigKey: 'github', connectionId: 'conn-oauth2' }),
    ).rejects.toBeInstanceOf(NangoRateLimitError);
  });

  it('each answer is a fresh object', () => {
    const a = StandInAnswers.rateLimited();
    a.headers = {};
    expect(StandInAnswers.rateLimited().headers).toEqual({ 'retry-after': '1' });
  });
});
