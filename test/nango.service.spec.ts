import 'reflect-metadata';
import { Test, type TestingModule } from '@nestjs/testing';
import { createServer } from 'node:http';
import type { AddressInfo } from 'node:net';
import type { Readable } from 'node:stream';
import {
  NangoModule,
  NangoService,
  NangoConnectionNotFoundError,
  NangoIntegrationNotFoundError,
  NangoReconnectRequiredError,
  NangoAuthenticationError,
  NangoRateLimitError,
  NangoUnavailableError,
  NangoTimeoutError,
  NangoAbortedError,
  NangoUpstreamError,
  NangoInvalidRequestError,
  NangoRequestError,
  NangoInvalidArgumentError,
  toNangoHttpException,
  type NangoModuleOptions,
} from '../lib/index.js';
import { NESTJS_NANGO_VERSION } from '../lib/nango.version.js';
import { NangoStandIn } from '../lib/testing/index.js';
import { seedConnections } from './fixtures/seed.js';
import { eventually } from './fixtures/eventually.js';

let standIn: NangoStandIn;
let moduleRef: TestingModule;
let nango: NangoService;

async function serviceFor(
  options: NangoModuleOptions,
): Promise<{ service: NangoService; close: () => Promise<void> }> {
  const ref = await Test.createTestingModule({ imports: [NangoModule.forRoot(options)] }).compile();
  return { service: ref.get(NangoService), close: () => ref.close() };
}

async function rejection(promise: Promise<unknown>): Promise<unknown> {
  return promise.then(
    (value) => {
      throw new Error(`expected a rejection, got ${JSON.stringify(value)}`);
    },
    (error: unknown) => error,
  );
}

beforeAll(async () => {
  standIn = await NangoStandIn.start({ connections: seedConnections() });
  moduleRef = await Test.createTestingModule({
    imports: [
      NangoModule.forRoot({
        secretKey: standIn.secretKey,
        host: `${standIn.url}/`,
        userAgent: 'svc-test/1.0',
        // Error mapping is tested one answer at a time; retrying is tested in nango.retry.spec.ts.
        retry: false,
      }),
    ],
  }).compile();
  nango = moduleRef.get(NangoService);
});

afterAll(async () => {
  await moduleRef?.close();
  await standIn?.close();
});

beforeEach(() => {
  standIn.seed(...seedConnections());
  standIn.clearRequests();
});

const last = () => {
  const request = standIn.requests.at(-1);
  if (!request) throw new Error('the stand-in received no request');
  return request;
};

describe('getToken', () => {
  it('returns the OAUTH2 access token, with the exact request of the contract', async () => {
    await expect(nango.getToken('github', 'conn-oauth2')).resolves.toBe('gh-access-token-1');
    expect(standIn.requests).toHaveLength(1);
    const request = last();
    expect(request.method).toBe('GET');
    expect(request.url).toBe(
      '/connections/conn-oauth2?provider_config_key=github&force_refresh=false&refresh_token=false',
    );
    expect(request.headers['authorization']).toBe(`Bearer ${standIn.secretKey}`);
    expect(request.headers['user-agent']).toBe(`nestjs-nango/${NESTJS_NANGO_VERSION} svc-test/1.0`);
  });

  it('forceRefresh makes Nango issue a new token', async () => {
    const token = await nango.getToken('github', 'conn-oauth2', true);
    expect(typeof token).toBe('string');
    expect(token).not.toBe('gh-access-token-1');
    expect(last().query).toMatchObject({ force_refresh: 'true', refresh_token: 'false' });
    await expect(nango.getToken('github', 'conn-oauth2')).resolves.toBe(token);
  });

  it('an expired OAUTH2 token comes back refreshed by Nango', async () => {
    const token = await nango.getToken('github', 'conn-expired');
    expect(token).not.toBe('gh-expired-token');
    expect(typeof token).toBe('string');
  });

  it('OAUTH1 gives { oAuthToken, oAuthTokenSecret }', async () => {
    await expect(nango.getToken('twitter', 'conn-oauth1')).resolves.toEqual({
      oAuthToken: 'tw-token',
      oAuthTokenSecret: 'tw-token-secret',
    });
  });

  it('API_KEY, BASIC and unauthenticated give the credentials object', async () => {
    await expect(nango.getToken('jira', 'conn-apikey')).resolves.toEqual({
      type: 'API_KEY',
      apiKey: 'jira-api-key-123',
    });
    await expect(nango.getToken('basic-api', 'conn-basic')).resolves.toEqual({
      type: 'BASIC',
      username: 'alice',
      password: 'alice-password',
    });
    await expect(nango.getToken('public-api', 'conn-none')).resolves.toEqual({});
  });
});

describe('getConnection', () => {
  it('returns the full connection; refresh_token only when asked; expires_at stays a string', async () => {
    const without = await nango.getConnection('github', 'conn-oauth2');
    expect(last().url).toBe(
      '/connections/conn-oauth2?provider_config_key=github&force_refresh=false&refresh_token=false',
    );
    expect(without).toMatchObject({
      connection_id: 'conn-oauth2',
      provider_config_key: 'github',
      provider: 'github',
      metadata: { team: 'a' },
      tags: { env: 'test' },
      end_user: { id: 'user-1' },
      credentials: { type: 'OAUTH2', access_token: 'gh-access-token-1' },
    });
    expect(without.credentials).not.toHaveProperty('refresh_token');
    expect(typeof (without.credentials as { expires_at: unknown }).expires_at).toBe('string');

    const withRefresh = await nango.getConnection('github', 'conn-oauth2', false, true);
    expect(last().query).toMatchObject({ refresh_token: 'true' });
    expect(withRefresh.credentials).toMatchObject({ refresh_token: 'gh-refresh-token-1' });
  });

  it('an id with /, ?, # and spaces reaches Nango as exactly that id', async () => {
    const connection = await nango.getConnection('github', 'team/a?b#c d');
    expect(last().url).toBe(
      `/connections/${encodeURIComponent('team/a?b#c d')}?provider_config_key=github&force_refresh=false&refresh_token=false`,
    );
    expect(connection.connection_id).toBe('team/a?b#c d');
  });

  it('an integration key with odd characters is sent as a query value, encoded', async () => {
    const error = await rejection(nango.getConnection('a&b=c', 'conn-oauth2'));
    expect(error).toBeInstanceOf(NangoIntegrationNotFoundError);
    expect(last().query['provider_config_key']).toBe('a&b=c');
  });
});

describe('listConnections', () => {
  it('lists every connection without credentials', async () => {
    const list = await nango.listConnections();
    expect(last().url).toBe('/connections');
    expect(list.connections.map((c) => c.connection_id).sort()).toEqual(
      seedConnections()
        .map((c) => c.connectionId)
        .sort(),
    );
    for (const connection of list.connections) {
      expect(connection).not.toHaveProperty('credentials');
      expect(typeof connection.created).toBe('string');
    }
  });

  it('filters by connection id', async () => {
    const list = await nango.listConnections('conn-apikey');
    expect(last().url).toBe('/connections?connectionId=conn-apikey');
    expect(list.connections.map((c) => c.connection_id)).toEqual(['conn-apikey']);
  });

  it('takes the object form, each field mapped to its query name', async () => {
    const list = await nango.listConnections({
      userId: 'user-1',
      integrationId: 'github',
      tags: { env: 'test' },
      limit: 10,
      page: 0,
    });
    expect(last().url).toBe(
      '/connections?endUserId=user-1&integrationId=github&tags%5Benv%5D=test&limit=10&page=0',
    );
    expect(list.connections.map((c) => c.connection_id)).toEqual(['conn-oauth2']);
  });
});

describe('proxy', () => {
  it('sends the contract headers and returns the third party answer', async () => {
    const response = await nango.proxy<{
      echo: { method: string; url: string; headers: Record<string, string> };
    }>({
      method: 'get',
      endpoint: '/repos',
      providerConfigKey: 'github',
      connectionId: 'conn-oauth2',
      headers: { 'X-Custom': 'v1', Accept: 'application/vnd.github+json' },
      params: { per_page: 5, labels: ['a', 'b'], skip: undefined },
      retries: 3,
      retryOn: [408, 409],
      baseUrlOverride: 'https://api.example.com',
      decompress: true,
    });
    const request = last();
    expect(request.method).toBe('GET');
    expect(request.url).toBe('/proxy/repos?per_page=5&labels=a%2Cb');
    expect(request.headers).toMatchObject({
      authorization: `Bearer ${standIn.secretKey}`,
      'connection-id': 'conn-oauth2',
      'provider-config-key': 'github',
      'nango-proxy-x-custom': 'v1',
      'nango-proxy-accept': 'application/vnd.github+json',
      retries: '3',
      'retry-on': '408,409',
      'base-url-override': 'https://api.example.com',
      decompress: 'true',
    });
    expect(response.status).toBe(200);
    expect(response.data.echo.method).toBe('GET');
    expect(response.data.echo.headers['x-custom']).toBe('v1');
    expect(response.data.echo.headers['authorization']).toBe('Bearer gh-access-token-1');
    // On a 2xx Nango keeps only the third party's content-type (proxy_get_apikey_upstream_headers_2xx.json).
    expect(response.headers['x-echo-server']).toBeUndefined();
    expect(response.headers['content-type']).toBe('application/json');
    expect(Object.keys(response).sort()).toEqual(['data', 'headers', 'status', 'statusText']);
  });

  it('leaves out Retries, Retry-On, Base-Url-Override and Decompress when not set, and inserts a /', async () => {
    await nango.get({ endpoint: 'user', providerConfigKey: 'jira', connectionId: 'conn-apikey' });
    const request = last();
    expect(request.url).toBe('/proxy/user');
    for (const header of ['retries', 'retry-on', 'base-url-override', 'decompress']) {
      expect(request.headers).not.toHaveProperty(header);
    }
  });

  it.each(['post', 'put', 'patch', 'delete'] as const)(
    '%s sends data as a JSON body',
    async (method) => {
      const response = await nango[method]<{ echo: { method: string; body: string } }>({
        endpoint: '/items',
        providerConfigKey: 'jira',
        connectionId: 'conn-apikey',
        data: { name: 'widget', qty: 2 },
      });
      const request = last();
      expect(request.method).toBe(method.toUpperCase());
      expect(request.headers['content-type']).toMatch(/^application\/json/);
      expect(JSON.parse(request.body)).toEqual({ name: 'widget', qty: 2 });
      expect(response.data.echo.method).toBe(method.toUpperCase());
    },
  );

  it('passes a stream through', async () => {
    const response = await nango.get<Readable>({
      endpoint: '/bytes/300000',
      providerConfigKey: 'jira',
      connectionId: 'conn-apikey',
      responseType: 'stream',
    });
    let size = 0;
    for await (const chunk of response.data) size += (chunk as Buffer).length;
    expect(size).toBe(300000);
  });

  it('a third-party 404 is a NangoUpstreamError with its status and body, kept apart from Nango errors', async () => {
    const error = await rejection(
      nango.get({
        endpoint: '/status/404',
        providerConfigKey: 'jira',
        connectionId: 'conn-apikey',
      }),
    );
    expect(error).toBeInstanceOf(NangoUpstreamError);
    const upstream = error as NangoUpstreamError;
    expect(upstream.status).toBe(404);
    expect(upstream.data).toEqual({ echo_error: true, status: 404 });
    expect(upstream.headers['content-type']).toMatch(/json/);
    expect(upstream.code).toBeUndefined();
    expect(upstream.message).toContain('answered 404 to GET /status/404');
  });

  it('a third-party 500 is an upstream error too, not "Nango unavailable"', async () => {
    const error = await rejection(
      nango.get({
        endpoint: '/status/500',
        providerConfigKey: 'jira',
        connectionId: 'conn-apikey',
      }),
    );
    expect(error).toBeInstanceOf(NangoUpstreamError);
    expect((error as NangoUpstreamError).status).toBe(500);
  });

  it('an unknown connection through the proxy is NangoConnectionNotFoundError', async () => {
    const error = await rejection(
      nango.get({ endpoint: '/x', providerConfigKey: 'jira', connectionId: 'nope' }),
    );
    expect(error).toBeInstanceOf(NangoConnectionNotFoundError);
    expect(error).toMatchObject({
      status: 400,
      code: 'server_error',
      connectionId: 'nope',
      operation: 'proxy',
    });
  });

  it('a connection whose refresh failed is NangoReconnectRequiredError, the first time (400) and during the backoff (424)', async () => {
    const call = () =>
      rejection(
        nango.get({ endpoint: '/x', providerConfigKey: 'github', connectionId: 'conn-broken' }),
      );
    const first = await call();
    expect(first).toBeInstanceOf(NangoReconnectRequiredError);
    expect(first).toMatchObject({
      status: 400,
      code: 'server_error',
      nangoMessage: expect.stringMatching(/^Failed to get connection credentials: /),
    });
    const again = await call();
    expect(again).toBeInstanceOf(NangoReconnectRequiredError);
    expect(again).toMatchObject({ status: 424, code: 'connection_refresh_backoff' });
  });
});

describe('errors from Nango', () => {
  it('unknown connection: NangoConnectionNotFoundError with status, code, message, operation and ids', async () => {
    const error = await rejection(nango.getToken('github', 'does-not-exist'));
    expect(error).toBeInstanceOf(NangoConnectionNotFoundError);
    expect(error).toBeInstanceOf(NangoRequestError);
    expect(error).toMatchObject({
      status: 404,
      code: 'not_found',
      nangoMessage: 'Failed to find connection',
      operation: 'getToken',
      providerConfigKey: 'github',
      connectionId: 'does-not-exist',
    });
    expect((error as Error).message).toBe(
      'Nango has no connection "does-not-exist" for integration "github" (getToken: 404 not_found, "Failed to find connection").',
    );
  });

  it('unknown integration: NangoIntegrationNotFoundError', async () => {
    const error = await rejection(nango.getConnection('nope', 'conn-oauth2'));
    expect(error).toBeInstanceOf(NangoIntegrationNotFoundError);
    expect(error).toMatchObject({
      status: 400,
      code: 'unknown_provider_config',
      operation: 'getConnection',
    });
  });

  it('a failed refresh is NangoReconnectRequiredError: 400 invalid_credentials, then 424', async () => {
    const first = await rejection(nango.getToken('github', 'conn-broken'));
    expect(first).toBeInstanceOf(NangoReconnectRequiredError);
    expect(first).toMatchObject({ status: 400, code: 'invalid_credentials' });
    const again = await rejection(nango.getToken('github', 'conn-broken'));
    expect(again).toBeInstanceOf(NangoReconnectRequiredError);
    expect(again).toMatchObject({ status: 424, code: 'invalid_credentials' });
    expect((again as Error).message).toContain('must be reconnected by its end user');
  });

  it('a wrong secret key is NangoAuthenticationError (unknown_account and invalid_secret_key_format)', async () => {
    for (const [key, code] of [
      ['6f1c2d3e-4b5a-4c6d-8e7f-901234567890', 'unknown_account'],
      ['not-a-uuid', 'invalid_secret_key_format'],
    ] as const) {
      const { service, close } = await serviceFor({ secretKey: key, host: standIn.url });
      try {
        const error = await rejection(service.listConnections());
        expect(error).toBeInstanceOf(NangoAuthenticationError);
        expect(error).toMatchObject({ status: 401, code });
        expect((error as Error).message).not.toContain(key);
      } finally {
        await close();
      }
    }
  });

  it('429 is NangoRateLimitError with retryAfter from Retry-After seconds', async () => {
    standIn.script({
      path: '/connections/conn-oauth2',
      times: 1,
      respond: {
        status: 429,
        headers: { 'retry-after': '7' },
        body: { error: { code: 'too_many_request' } },
      },
    });
    const error = await rejection(nango.getToken('github', 'conn-oauth2'));
    expect(error).toBeInstanceOf(NangoRateLimitError);
    expect(error).toMatchObject({ status: 429, retryAfter: 7, code: 'too_many_request' });
  });

  it('429 with a Retry-After date, or only x-ratelimit-reset, still gives retryAfter', async () => {
    standIn.script({
      path: '/connections',
      times: 1,
      respond: {
        status: 429,
        headers: { 'retry-after': new Date(Date.now() + 30_000).toUTCString() },
        body: {},
      },
    });
    const byDate = (await rejection(nango.listConnections())) as NangoRateLimitError;
    expect(byDate.retryAfter).toBeGreaterThanOrEqual(28);
    expect(byDate.retryAfter).toBeLessThanOrEqual(31);
    standIn.script({
      path: '/connections',
      times: 1,
      respond: {
        status: 429,
        headers: { 'x-ratelimit-reset': String(Math.floor(Date.now() / 1000) + 12) },
        body: {},
      },
    });
    const byReset = (await rejection(nango.listConnections())) as NangoRateLimitError;
    expect(byReset.retryAfter).toBeGreaterThanOrEqual(11);
    expect(byReset.retryAfter).toBeLessThanOrEqual(13);
  });

  it('5xx is NangoUnavailableError', async () => {
    standIn.script({
      path: '/connections',
      times: 1,
      respond: { status: 503, body: { error: { code: 'server_error', message: 'down' } } },
    });
    const error = await rejection(nango.listConnections());
    expect(error).toBeInstanceOf(NangoUnavailableError);
    expect(error).toMatchObject({ status: 503, code: 'server_error', nangoMessage: 'down' });
  });

  it("Nango's unknown-route answer (500 generic_error_support) is NangoUnavailableError", async () => {
    standIn.script({
      path: '/connections',
      times: 1,
      respond: {
        status: 500,
        body: {
          error: { code: 'generic_error_support', message: 'contact support', payload: 'x' },
        },
      },
    });
    await expect(nango.listConnections()).rejects.toBeInstanceOf(NangoUnavailableError);
  });

  it('a network failure is NangoUnavailableError naming the host and the error code', async () => {
    const server = createServer();
    await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
    const { port } = server.address() as AddressInfo;
    await new Promise<void>((resolve) => server.close(() => resolve()));
    const { service, close } = await serviceFor({
      secretKey: standIn.secretKey,
      host: `http://127.0.0.1:${port}`,
    });
    try {
      const error = await rejection(service.getToken('github', 'conn-oauth2'));
      expect(error).toBeInstanceOf(NangoUnavailableError);
      expect(error).toMatchObject({ code: 'ECONNREFUSED', operation: 'getToken' });
      expect((error as Error).message).toContain(`http://127.0.0.1:${port}`);
      expect(((error as Error).cause as Error).message).toContain('ECONNREFUSED');
    } finally {
      await close();
    }
  });

  it('a connection reset is NangoUnavailableError', async () => {
    standIn.script({ path: '/connections', times: 1, respond: { status: 200, reset: true } });
    await expect(nango.listConnections()).rejects.toBeInstanceOf(NangoUnavailableError);
  });

  it('a hung Nango gives NangoTimeoutError after the per-call timeout', async () => {
    standIn.script({
      path: '/connections/conn-oauth2',
      times: 1,
      respond: { status: 200, hang: true },
    });
    const error = await rejection(nango.getToken('github', 'conn-oauth2', false, { timeout: 150 }));
    expect(error).toBeInstanceOf(NangoTimeoutError);
    expect(error).toMatchObject({ timeoutMs: 150, operation: 'getToken' });
    expect((error as Error).message).toBe(
      'Nango did not answer within 150 ms (getToken, integration "github", connection "conn-oauth2").',
    );
  });

  it('the module timeout applies when no per-call timeout is given', async () => {
    const { service, close } = await serviceFor({
      secretKey: standIn.secretKey,
      host: standIn.url,
      timeout: 120,
    });
    standIn.script({ path: '/connections', times: 1, respond: { status: 200, hang: true } });
    try {
      await expect(service.listConnections()).rejects.toMatchObject({
        name: 'NangoTimeoutError',
        timeoutMs: 120,
      });
    } finally {
      await close();
    }
  });

  it('an aborted signal gives NangoAbortedError', async () => {
    standIn.script({ path: '/connections', times: 1, respond: { status: 200, hang: true } });
    const seen = standIn.count({ method: 'GET', path: '/connections' });
    const controller = new AbortController();
    const pending = nango.listConnections(undefined, { signal: controller.signal });
    // Abort once the stand-in holds the request, so the one-off hang is spent here and never
    // answers the next test's request (on a busy machine, 50 ms may pass before it is sent).
    await eventually(
      () => standIn.count({ method: 'GET', path: '/connections' }) > seen,
      'the stand-in received the request',
      60_000,
    );
    controller.abort();
    await expect(pending).rejects.toBeInstanceOf(NangoAbortedError);
  });

  it('other refusals are a plain NangoRequestError with Nango code and status', async () => {
    standIn.script({
      path: '/connections',
      times: 1,
      respond: { status: 400, body: { error: { code: 'connection_test_failed', message: 'No' } } },
    });
    const error = await rejection(nango.listConnections());
    expect((error as Error).constructor).toBe(NangoRequestError);
    expect(error).toMatchObject({
      status: 400,
      code: 'connection_test_failed',
      nangoMessage: 'No',
    });
  });

  it('a malformed input is a NangoInvalidRequestError naming the field and Nango words', async () => {
    standIn.script({
      path: '/connections',
      times: 1,
      respond: {
        status: 400,
        body: {
          error: {
            code: 'invalid_query_params',
            errors: [
              {
                code: 'too_small',
                message: 'Too small: expected number to be >=1',
                path: ['limit'],
              },
            ],
          },
        },
      },
    });
    const error = await rejection(nango.listConnections());
    expect((error as Error).constructor).toBe(NangoInvalidRequestError);
    expect(error).toMatchObject({
      status: 400,
      code: 'invalid_query_params',
      argument: 'limit',
      nangoMessage: 'Too small: expected number to be >=1',
    });
  });

  it('OAUTH2 credentials without an access token are a clear NangoRequestError', async () => {
    standIn.script({
      path: '/connections/conn-no-token',
      times: 1,
      respond: {
        status: 200,
        body: { connection_id: 'conn-no-token', credentials: { type: 'OAUTH2' } },
      },
    });
    await expect(nango.getToken('github', 'conn-no-token')).rejects.toThrow(
      'Nango answered getToken() with OAUTH2 credentials without access_token; is the host a Nango API?',
    );
  });

  it('an answer that is not a connection is a clear NangoRequestError', async () => {
    standIn.script({
      path: '/connections/conn-oauth2',
      times: 1,
      respond: { status: 200, body: '<html>proxy login</html>' },
    });
    await expect(nango.getToken('github', 'conn-oauth2')).rejects.toThrow(
      /is the host a Nango API\?/,
    );
  });
});

describe('bad input is refused before any request', () => {
  const longId = 'x'.repeat(256);
  const base = { providerConfigKey: 'jira', connectionId: 'conn-apikey', endpoint: '/x' };
  const cases: Array<[string, () => Promise<unknown>, string]> = [
    ['empty connection id', () => nango.getToken('github', ''), 'connectionId'],
    ['"." connection id', () => nango.getToken('github', '.'), 'connectionId'],
    ['".." connection id', () => nango.getConnection('github', '..'), 'connectionId'],
    ['over-long connection id', () => nango.getToken('github', longId), 'connectionId'],
    ['connection id with CR/LF', () => nango.getToken('github', 'a\r\nb'), 'connectionId'],
    [
      'non-string connection id',
      () => nango.getToken('github', 42 as unknown as string),
      'connectionId',
    ],
    ['empty integration key', () => nango.getToken('', 'conn-oauth2'), 'providerConfigKey'],
    [
      'over-long integration key',
      () => nango.getConnection(longId, 'conn-oauth2'),
      'providerConfigKey',
    ],
    [
      'non-boolean forceRefresh',
      () => nango.getToken('github', 'c', 'yes' as unknown as boolean),
      'forceRefresh',
    ],
    ['timeout 0', () => nango.getToken('github', 'c', false, { timeout: 0 }), 'timeout'],
    [
      'signal not an AbortSignal',
      () => nango.listConnections(undefined, { signal: {} as AbortSignal }),
      'signal',
    ],
    ['list limit 0', () => nango.listConnections({ limit: 0 }), 'limit'],
    ['list empty connection id', () => nango.listConnections(''), 'connectionId'],
    ['proxy empty connection id', () => nango.proxy({ ...base, connectionId: '' }), 'connectionId'],
    [
      'proxy non-ASCII connection id',
      () => nango.proxy({ ...base, connectionId: 'café' }),
      'connectionId',
    ],
    [
      'proxy ".." integration key',
      () => nango.proxy({ ...base, providerConfigKey: '..' }),
      'providerConfigKey',
    ],
    [
      'endpoint with a scheme',
      () => nango.get({ ...base, endpoint: 'https://evil.example/x' }),
      'endpoint',
    ],
    [
      'endpoint naming a host',
      () => nango.get({ ...base, endpoint: '//evil.example/x' }),
      'endpoint',
    ],
    ['endpoint with ..', () => nango.get({ ...base, endpoint: '/a/../admin' }), 'endpoint'],
    ['endpoint that is ..', () => nango.get({ ...base, endpoint: '..' }), 'endpoint'],
    [
      'endpoint with encoded ..',
      () => nango.get({ ...base, endpoint: '/a/%2e%2E/admin' }),
      'endpoint',
    ],
    [
      'endpoint with half-encoded ..',
      () => nango.get({ ...base, endpoint: '/a/.%2e/admin' }),
      'endpoint',
    ],
    [
      'endpoint with double-encoded ..',
      () => nango.get({ ...base, endpoint: '/a/%252e%252e/admin' }),
      'endpoint',
    ],
    [
      'endpoint with encoded ../',
      () => nango.get({ ...base, endpoint: '/a/..%2fadmin' }),
      'endpoint',
    ],
    [
      'endpoint with a backslash',
      () => nango.get({ ...base, endpoint: '/a\\..\\admin' }),
      'endpoint',
    ],
    ['endpoint with a fragment', () => nango.get({ ...base, endpoint: '/a#b' }), 'endpoint'],
    ['endpoint with CR/LF', () => nango.get({ ...base, endpoint: '/a\r\nHost: evil' }), 'endpoint'],
    ['empty endpoint', () => nango.get({ ...base, endpoint: '' }), 'endpoint'],
    [
      'endpoint with ? plus params',
      () => nango.get({ ...base, endpoint: '/a?x=1', params: { y: 2 } }),
      'params',
    ],
    [
      'header name with a space',
      () => nango.get({ ...base, headers: { 'X Bad': 'v' } }),
      'headers',
    ],
    [
      'header name with CR/LF',
      () => nango.get({ ...base, headers: { 'X-A\r\nX-B': 'v' } }),
      'headers',
    ],
    [
      'header value with CR/LF',
      () => nango.get({ ...base, headers: { 'X-A': 'v\r\nX-Evil: 1' } }),
      'headers',
    ],
    [
      'header value that is an object',
      () => nango.get({ ...base, headers: { 'X-A': {} as string } }),
      'headers',
    ],
    [
      'param value that is an object',
      () => nango.get({ ...base, params: { a: {} as string } }),
      'params',
    ],
    ['unknown method', () => nango.proxy({ ...base, method: 'TRACE' as 'GET' }), 'method'],
    ['GET with data', () => nango.get({ ...base, data: { a: 1 } }), 'data'],
    ['negative retries', () => nango.get({ ...base, retries: -1 }), 'retries'],
    ['fractional retries', () => nango.get({ ...base, retries: 1.5 }), 'retries'],
    ['retryOn with a bad status', () => nango.get({ ...base, retryOn: [99] }), 'retryOn'],
    [
      'baseUrlOverride not http(s)',
      () => nango.get({ ...base, baseUrlOverride: 'ftp://x.example' }),
      'baseUrlOverride',
    ],
    [
      'baseUrlOverride with CR/LF',
      () => nango.get({ ...base, baseUrlOverride: 'https://x.example\r\n' }),
      'baseUrlOverride',
    ],
    [
      'unknown responseType',
      () => nango.get({ ...base, responseType: 'blob' as 'json' }),
      'responseType',
    ],
  ];

  it.each(cases)('%s', async (_name, call, argument) => {
    const error = await rejection(call());
    expect(error).toBeInstanceOf(NangoInvalidArgumentError);
    expect((error as NangoInvalidArgumentError).argument).toBe(argument);
    expect((error as Error).message).toMatch(new RegExp(`^\\w+\\(\\): ${argument} `));
    expect(standIn.requests).toHaveLength(0);
  });
});

describe("a connection id outside Nango's rule (issue 11: decided per route)", () => {
  it('/proxy: refused before sending, naming the rule Nango applies to Connection-Id', async () => {
    const error = await rejection(
      nango.get({ endpoint: '/x', providerConfigKey: 'jira', connectionId: 'realerr!bad' }),
    );
    expect(error).toBeInstanceOf(NangoInvalidArgumentError);
    expect(error).toMatchObject({ operation: 'proxy', argument: 'connectionId' });
    expect((error as Error).message).toContain(
      "must match Nango's connection id rule /^[a-zA-Z0-9,.;:=+~[\\]|@${}\"'\\\\/_ -]+$/",
    );
    expect(standIn.requests).toHaveLength(0);
    // Ids inside the rule, even with "/" and spaces, are sent.
    await nango.get({ endpoint: '/x', providerConfigKey: 'jira', connectionId: 'conn-apikey' });
    expect(standIn.requests).toHaveLength(1);
  });

  it("/connections/{id}: sent percent-encoded; Nango's refusal is passed on with Nango's words", async () => {
    // Nango's answer to a path id outside its rule (getConnection.ts in NangoHQ/nango).
    const rule = 'Invalid string: must match pattern /^[a-zA-Z0-9,.;:=+~[\\]|@${}"\'\\\\/_ -]+$/';
    standIn.script({
      path: '/connections/realerr!bad',
      times: 1,
      respond: {
        status: 400,
        body: {
          error: {
            code: 'invalid_uri_params',
            errors: [{ code: 'invalid_format', message: rule, path: ['connectionId'] }],
          },
        },
      },
    });
    const error = await rejection(nango.getConnection('github', 'realerr!bad'));
    expect(last().url).toBe(
      '/connections/realerr!bad?provider_config_key=github&force_refresh=false&refresh_token=false',
    );
    expect(error).toBeInstanceOf(NangoInvalidRequestError);
    expect(error).toMatchObject({
      status: 400,
      code: 'invalid_uri_params',
      argument: 'connectionId',
      nangoMessage: rule,
    });
    expect(toNangoHttpException(error)?.getResponse()).toMatchObject({
      statusCode: 400,
      code: 'invalid_connection',
      message: `Nango refused the connectionId: ${rule}`,
    });
  });
});
