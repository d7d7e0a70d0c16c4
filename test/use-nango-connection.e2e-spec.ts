import 'reflect-metadata';
import { APP_INTERCEPTOR } from '@nestjs/core';
import { Test } from '@nestjs/testing';
import {
  NangoConnectionNotDeclaredError,
  NangoStartupError,
  NangoConnectionOptionsError,
  NangoModule,
  NangoTokenInterceptor,
  UseNangoConnection,
  type NangoModuleOptions,
} from '../lib/index.js';
import { NangoStandIn } from '../lib/testing/index.js';
import { seedConnections } from './fixtures/seed.js';
import { adapterFor, fetchAnswer, type AdapterName } from './fixtures/http.js';
import {
  boot,
  DefaultsController,
  FeatureModule,
  FleetController,
  GithubController,
  MisuseController,
  PlainController,
  UndeclaredController,
  userOf,
  type Booted,
} from './fixtures/apps/use-nango-connection.app.js';
import { expectNoneOf } from './fixtures/secrets.js';

/** A recognisable secret key: it must never reach a response body or a log line. */
const SECRET = '5ec2e7aa-1eaf-4bad-8c0d-5ec2e75ec2e7';
/** Tokens of the seeded connections: none may show up in an error body or a log either. */
const TOKENS = [
  'gh-access-token-1',
  'gh-refresh-token-1',
  'gh-broken-token',
  'gh-expired-token',
  'jira-api-key-123',
  'alice-password',
  'tw-token-secret',
];

function nangoModule(standIn: NangoStandIn, options: Partial<NangoModuleOptions> = {}): unknown {
  return NangoModule.forRoot({
    secretKey: SECRET,
    host: standIn.url,
    defaultConnection: { connectionId: userOf },
    // Scripted one-off failures must reach the controller as they are, not be retried away.
    retry: false,
    ...options,
  });
}

/** GETs `url` with `headers`. */
const call = fetchAnswer;

function expectNoSecret(...texts: string[]): void {
  expectNoneOf([SECRET, ...TOKENS], ...texts);
}

describe.each<[AdapterName]>([['express'], ['fastify']])('controllers on %s', (adapter) => {
  let standIn: NangoStandIn;
  let booted: Booted;

  beforeAll(async () => {
    standIn = await NangoStandIn.start({ secretKey: SECRET, connections: seedConnections() });
    booted = await boot(adapter, {
      imports: [nangoModule(standIn, { timeout: 5_000 })],
      controllers: [GithubController, DefaultsController, MisuseController],
    });
  });

  afterAll(async () => {
    await booted?.app.close();
    await standIn?.close();
  });

  beforeEach(() => {
    standIn.seed(...seedConnections());
    standIn.clearRequests();
    booted.logger.lines.length = 0;
  });

  const get = (path: string, headers?: Record<string, string>) =>
    call(`${booted.url}${path}`, headers);

  describe('resolves the connection and injects its token', () => {
    it('from a route param, with exactly one getToken call to Nango', async () => {
      const res = await get('/gh/param/conn-oauth2');
      expect(res).toMatchObject({ status: 200, body: { token: 'gh-access-token-1' } });
      expect(standIn.requests).toHaveLength(1);
      expect(standIn.requests[0]?.pathname).toBe('/connections/conn-oauth2');
      expect(standIn.requests[0]?.query).toMatchObject({
        provider_config_key: 'github',
        force_refresh: 'false',
      });
    });

    it('from a route param needing percent-encoding', async () => {
      const res = await get(`/gh/param/${encodeURIComponent('team/a?b#c d')}`);
      expect(res).toMatchObject({ status: 200, body: { token: 'gh-odd-id-token' } });
    });

    it('from a header, whatever its case', async () => {
      const res = await get('/gh/header', { 'x-connection-id': 'conn-expired' });
      // The expired token was refreshed by Nango: a fresh one reaches the handler.
      expect(res).toMatchObject({ status: 200, body: { token: 'conn-expired-access-1' } });
    });

    it('from the query string', async () => {
      const res = await get('/gh/query?connection=conn-oauth2');
      expect(res).toMatchObject({ status: 200, body: { token: 'gh-access-token-1' } });
    });

    it('from the user a guard set', async () => {
      standIn.seed({
        connectionId: 'user-42',
        providerConfigKey: 'github',
        credentials: { type: 'OAUTH2', access_token: 'user-42-token', raw: {} },
      });
      const res = await get('/gh/me', { 'x-user': 'user-42' });
      expect(res).toMatchObject({ status: 200, body: { token: 'user-42-token' } });
    });

    it('from the module default (the user), with the integration from a route param', async () => {
      const res = await get('/int/jira/token', { 'x-user': 'conn-apikey' });
      expect(res).toMatchObject({
        status: 200,
        body: { token: { type: 'API_KEY', apiKey: 'jira-api-key-123' } },
      });
      expect(standIn.requests[0]?.query['provider_config_key']).toBe('jira');
    });

    it('from constants on the controller, the handler adding nothing', async () => {
      const res = await get('/gh/constant');
      expect(res).toMatchObject({ status: 200, body: { token: 'gh-access-token-1' } });
    });

    it('with forceRefresh, asking Nango for a refreshed token', async () => {
      const res = await get('/gh/fresh');
      expect(res).toMatchObject({ status: 200, body: { token: 'conn-oauth2-access-1' } });
      expect(standIn.requests[0]?.query['force_refresh']).toBe('true');
    });

    it('injects the whole connection and the token with one getConnection call', async () => {
      const res = await get('/gh/connection/conn-oauth1');
      expect(res.status).toBe(200);
      expect(res.body).toEqual({
        connectionId: 'conn-oauth1',
        credentials: expect.objectContaining({
          type: 'OAUTH1',
          oauth_token: 'tw-token',
        }) as unknown,
        token: { oAuthToken: 'tw-token', oAuthTokenSecret: 'tw-token-secret' },
      });
      expect(standIn.requests).toHaveLength(1);
    });
  });

  describe('answers with the documented status and body, never a secret', () => {
    const expectClean = (res: { text: string }) => expectNoSecret(res.text, booted.logger.text());

    it('400 for a missing connection id', async () => {
      const res = await get('/gh/header');
      expect(res.status).toBe(400);
      expect(res.body).toEqual({
        statusCode: 400,
        error: 'Bad Request',
        code: 'missing_connection_id',
        message: 'Missing connectionId (from header "X-Connection-Id").',
      });
      expect(standIn.requests).toHaveLength(0);
      expectClean(res);
    });

    it('401 for a missing connection id when the route says so', async () => {
      // The guard passes (x-user set) but the user id is empty.
      const res = await get('/gh/me', { 'x-user': '' });
      expect(res.status).toBe(401);
      expect(res.body).toMatchObject({
        statusCode: 401,
        error: 'Unauthorized',
        code: 'missing_connection_id',
      });
    });

    it('400 for a connection id given twice in the query', async () => {
      const res = await get('/gh/query?connection=conn-oauth2&connection=conn-basic');
      expect(res.status).toBe(400);
      expect(res.body).toMatchObject({ code: 'invalid_connection_id' });
      expect(standIn.requests).toHaveLength(0);
    });

    it('400 for a connection id Nango could never match (too long)', async () => {
      // (In a header: Fastify refuses route params over 100 characters itself, with a 414.)
      const res = await get('/gh/header', { 'x-connection-id': 'x'.repeat(256) });
      expect(res.status).toBe(400);
      expect(res.body).toEqual({
        statusCode: 400,
        error: 'Bad Request',
        code: 'invalid_connection',
        message: 'connectionId must be at most 255 characters (got 256).',
      });
      expect(standIn.requests).toHaveLength(0);
    });

    it('404 for an unknown connection', async () => {
      const res = await get('/gh/param/nobody');
      expect(res.status).toBe(404);
      expect(res.body).toEqual({
        statusCode: 404,
        error: 'Not Found',
        code: 'connection_not_found',
        message: 'No such Nango connection for this integration.',
        providerConfigKey: 'github',
        connectionId: 'nobody',
      });
      expectClean(res);
    });

    it('404 for an unknown integration', async () => {
      const res = await get('/int/nope/token', { 'x-user': 'conn-oauth2' });
      expect(res.status).toBe(404);
      expect(res.body).toMatchObject({
        statusCode: 404,
        code: 'integration_not_found',
        providerConfigKey: 'nope',
      });
    });

    it('424 with a reconnect hint when the refresh failed', async () => {
      const res = await get('/gh/param/conn-broken');
      expect(res.status).toBe(424);
      expect(res.body).toEqual({
        statusCode: 424,
        error: 'Failed Dependency',
        code: 'reconnect_required',
        message: 'The connection can no longer be refreshed: the end user must reconnect.',
        reconnect: true,
        providerConfigKey: 'github',
        connectionId: 'conn-broken',
      });
      expect(booted.logger.text()).toContain('GithubController.param');
      expectClean(res);
    });

    it('401 with a reconnect hint when the route says so', async () => {
      const res = await get('/gh/reconnect-401/conn-broken');
      expect(res.status).toBe(401);
      expect(res.body).toMatchObject({
        statusCode: 401,
        error: 'Unauthorized',
        reconnect: true,
        connectionId: 'conn-broken',
      });
    });

    it('502 when Nango answers a server error, logged without secrets', async () => {
      standIn.script({ path: '/connections/conn-oauth2', times: 1, respond: { status: 500 } });
      const res = await get('/gh/param/conn-oauth2');
      expect(res.status).toBe(502);
      expect(res.body).toEqual({
        statusCode: 502,
        error: 'Bad Gateway',
        code: 'nango_unavailable',
        message: 'Nango is unavailable.',
      });
      expect(booted.logger.text()).toMatch(/error .*GithubController\.param: .*server error/);
      expectClean(res);
    });

    it('502 when the connection to Nango is reset', async () => {
      standIn.script({
        path: '/connections/conn-oauth2',
        times: 1,
        respond: { status: 200, reset: true },
      });
      const res = await get('/gh/param/conn-oauth2');
      expect(res.status).toBe(502);
      expect(res.body).toMatchObject({ code: 'nango_unavailable' });
      expectClean(res);
    });

    it('503 with Retry-After when Nango rate limits', async () => {
      standIn.script({
        path: '/connections/conn-oauth2',
        times: 1,
        respond: {
          status: 429,
          headers: { 'retry-after': '7' },
          body: { error: { code: 'too_many_request' } },
        },
      });
      const res = await get('/gh/param/conn-oauth2');
      expect(res.status).toBe(503);
      expect(res.headers.get('retry-after')).toBe('7');
      expect(res.body).toEqual({
        statusCode: 503,
        error: 'Service Unavailable',
        code: 'nango_rate_limited',
        message: 'Nango is rate limiting this server; try again later.',
        retryAfter: 7,
      });
      expectClean(res);
    });

    it('504 when Nango does not answer in time', async () => {
      standIn.script({
        path: '/connections/conn-oauth2',
        times: 1,
        respond: { status: 200, hang: true },
      });
      const res = await get('/gh/param/conn-oauth2');
      expect(res.status).toBe(504);
      expect(res.body).toMatchObject({ statusCode: 504, code: 'nango_timeout' });
      expectClean(res);
    });

    it('502 for any other refusal of Nango', async () => {
      standIn.script({
        path: '/connections/conn-oauth2',
        times: 1,
        respond: {
          status: 400,
          body: { error: { code: 'connection_test_failed', message: 'Invalid credentials' } },
        },
      });
      const res = await get('/gh/param/conn-oauth2');
      expect(res.status).toBe(502);
      expect(res.body).toEqual({
        statusCode: 502,
        error: 'Bad Gateway',
        code: 'nango_error',
        message: 'Nango refused the request.',
        nangoCode: 'connection_test_failed',
      });
      expect(booted.logger.text()).toContain('connection_test_failed');
      expectClean(res);
    });

    it('500 without detail when Nango refuses the secret key', async () => {
      standIn.script({
        path: '/connections/conn-oauth2',
        times: 1,
        respond: {
          status: 401,
          body: { error: { code: 'unknown_account', message: 'No account found' } },
        },
      });
      const res = await get('/gh/param/conn-oauth2');
      expect(res.status).toBe(500);
      expect(res.body).toEqual({
        statusCode: 500,
        error: 'Internal Server Error',
        code: 'internal_error',
        message: 'Internal server error',
      });
      expect(booted.logger.text()).toContain('Nango rejected the secret key');
      expectClean(res);
    });
  });

  describe('misuse', () => {
    // Caught by app.init() now, before any request (it used to be a 500 on the first one).
    it('@InjectNangoToken() / @InjectNangoConnection() without @UseNangoConnection() stop app.init(), naming each handler and the fix', async () => {
      const ref = await Test.createTestingModule({
        imports: [nangoModule(standIn) as never],
        controllers: [UndeclaredController],
      }).compile();
      // The suite's logger: a new one would replace it for the other tests.
      const app = ref.createNestApplication(adapterFor(adapter), { logger: booted.logger });
      const error = await app.init().then(
        () => undefined,
        (e: unknown) => e,
      );
      await app.close();
      expect(error).toBeInstanceOf(NangoStartupError);
      expect((error as NangoStartupError).handlers).toEqual([
        'UndeclaredController.token',
        'UndeclaredController.connection',
      ]);
      expect((error as Error).message).toContain(
        'UndeclaredController.token uses @InjectNangoToken() but no @UseNangoConnection() ' +
          'applies to it: add @UseNangoConnection({ providerConfigKey, connectionId })',
      );
      expect((error as Error).message).toContain(
        'UndeclaredController.connection uses @InjectNangoConnection() but no @UseNangoConnection()',
      );
      expect(standIn.requests).toHaveLength(0);
    });

    it('a resolver that throws is a 500 naming the handler', async () => {
      const res = await get('/misuse/throws');
      expect(res.status).toBe(500);
      expect(booted.logger.text()).toContain(
        'MisuseController.throws: the connectionId resolver threw "resolver bug"; fix it, or throw an HttpException',
      );
      expect(standIn.requests).toHaveLength(0);
    });

    it("a resolver's HttpException is the answer", async () => {
      const res = await get('/misuse/forbidden');
      expect(res).toMatchObject({ status: 403, body: { message: 'not yours' } });
    });

    it('a resolver returning an object is a 500 naming the handler', async () => {
      const res = await get('/misuse/object');
      expect(res.status).toBe(500);
      expect(booted.logger.text()).toContain(
        'MisuseController.object: the connectionId resolver returned object, not a string',
      );
    });

    it('a route with no integration key anywhere is a 500 saying what to set', async () => {
      const res = await get('/misuse/no-key');
      expect(res.status).toBe(500);
      expect(booted.logger.text()).toContain(
        'MisuseController.noKey: no providerConfigKey to use: set @UseNangoConnection({ providerConfigKey })',
      );
    });

    it('an unregistered Nango instance is a 500 saying how to register it', async () => {
      const res = await get('/misuse/instance');
      expect(res.status).toBe(500);
      expect(booted.logger.text()).toContain('no Nango instance is named "nope"');
    });
  });

  it('keeps concurrent requests apart: each gets exactly its own token', async () => {
    const fleet = await NangoStandIn.start({ secretKey: SECRET, latencyMs: [0, 20] });
    const connections = Array.from({ length: 30 }, (_, i) => `tenant-${i}`);
    fleet.seed(
      ...connections.map((connectionId) => ({
        connectionId,
        providerConfigKey: 'github',
        credentials: { type: 'OAUTH2', access_token: `${connectionId}-token`, raw: {} },
      })),
    );
    const app = await boot(adapter, {
      imports: [nangoModule(fleet)],
      controllers: [FleetController],
    });
    try {
      const picks = Array.from(
        { length: 300 },
        () => connections[Math.floor(Math.random() * connections.length)] as string,
      );
      const results = await Promise.all(
        picks.map((id, i) =>
          i % 3 === 0
            ? call(`${app.url}/fleet/param/${id}`)
            : i % 3 === 1
              ? call(`${app.url}/fleet/header`, { 'x-connection-id': id })
              : call(`${app.url}/fleet/me`, { 'x-user': id }),
        ),
      );
      results.forEach((res, i) => {
        expect(res).toMatchObject({ status: 200, body: { token: `${picks[i]}-token` } });
      });
      // Concurrent fetches of one connection are coalesced: at most one Nango call a request.
      const reached = fleet.count({ path: /^\/connections\// });
      expect(reached).toBeLessThanOrEqual(300);
      expect(reached).toBeGreaterThanOrEqual(new Set(picks).size);
    } finally {
      await app.app.close();
      await fleet.close();
    }
  });
});

describe.each<[AdapterName, 'useExisting' | 'useClass']>([
  ['express', 'useExisting'],
  ['express', 'useClass'],
  ['fastify', 'useExisting'],
  ['fastify', 'useClass'],
])('global registration on %s with %s', (adapter, kind) => {
  let standIn: NangoStandIn;
  let booted: Booted;

  beforeAll(async () => {
    standIn = await NangoStandIn.start({ secretKey: SECRET, connections: seedConnections() });
    booted = await boot(adapter, {
      imports: [NangoModule.forRoot({ secretKey: SECRET, host: standIn.url })],
      controllers: [PlainController],
      providers: [
        kind === 'useExisting'
          ? { provide: APP_INTERCEPTOR, useExisting: NangoTokenInterceptor }
          : { provide: APP_INTERCEPTOR, useClass: NangoTokenInterceptor },
      ],
    });
  });

  afterAll(async () => {
    await booted?.app.close();
    await standIn?.close();
  });

  beforeEach(() => standIn.clearRequests());

  it('resolves NangoTokenInterceptor, exported by NangoModule', () => {
    expect(booted.app.get(NangoTokenInterceptor)).toBeInstanceOf(NangoTokenInterceptor);
  });

  it('does nothing on routes without @UseNangoConnection()', async () => {
    const res = await call(`${booted.url}/plain/free`);
    expect(res).toMatchObject({ status: 200, body: { ok: true } });
    expect(standIn.requests).toHaveLength(0);
  });

  it('fetches once on a decorated route, though the interceptor is applied twice', async () => {
    const res = await call(`${booted.url}/plain/token/conn-oauth2`);
    expect(res).toMatchObject({ status: 200, body: { token: 'gh-access-token-1' } });
    expect(standIn.requests).toHaveLength(1);
  });
});

describe('a feature module not importing NangoModule', () => {
  let standIn: NangoStandIn;
  let booted: Booted;

  beforeAll(async () => {
    standIn = await NangoStandIn.start({ secretKey: SECRET, connections: seedConnections() });
    booted = await boot('express', {
      imports: [nangoModule(standIn), FeatureModule],
      controllers: [],
    });
  });

  afterAll(async () => {
    await booted?.app.close();
    await standIn?.close();
  });

  it('still gets the service and the module default connection', async () => {
    const res = await call(`${booted.url}/int/jira/token`, { 'x-user': 'conn-apikey' });
    expect(res).toMatchObject({
      status: 200,
      body: { token: { type: 'API_KEY', apiKey: 'jira-api-key-123' } },
    });
  });
});

describe('checks at start-up', () => {
  it('@UseNangoConnection() rejects an unknown resolver form when applied', () => {
    expect(() => UseNangoConnection({ connectionId: { cookie: 'sid' } as never })).toThrow(
      NangoConnectionOptionsError,
    );
    expect(() => UseNangoConnection({ connectionId: { cookie: 'sid' } as never })).toThrow(
      "connectionId has keys [cookie]; it must be a string, { param: 'name' }, { header: 'name' }, { query: 'name' }, { arg: 'name' } or a function (ctx) => string",
    );
  });

  it.each<[string, unknown, string]>([
    [
      'an empty constant',
      { providerConfigKey: '' },
      'providerConfigKey must not be an empty string',
    ],
    ['a number', { connectionId: 42 }, 'connectionId must be a string'],
    ['an empty param name', { connectionId: { param: '' } }, '{ param } must name the param'],
    ['two keys', { connectionId: { param: 'a', header: 'b' } }, 'has keys [param, header]'],
    ['a bad forceRefresh', { forceRefresh: 'yes' }, 'forceRefresh must be a boolean'],
    ['a bad missingStatus', { missingStatus: 403 }, 'missingStatus must be 400 or 401'],
    ['a bad reconnectStatus', { reconnectStatus: 500 }, 'reconnectStatus must be 424 or 401'],
    ['an unknown option', { connection: 'x' }, 'connection is not an option'],
    ['an empty instance', { instance: '' }, 'instance must be the non-empty name'],
  ])('@UseNangoConnection() rejects %s', (_what, options, message) => {
    expect(() => UseNangoConnection(options as never)).toThrow(message);
  });

  it('rejects a malformed defaultConnection when the module starts', async () => {
    const compile = Test.createTestingModule({
      imports: [
        NangoModule.forRoot({
          secretKey: SECRET,
          defaultConnection: { connectionId: { cookie: 'sid' } } as never,
        }),
      ],
    }).compile();
    await expect(compile).rejects.toThrow(
      /defaultConnection: \.connectionId has keys \[cookie\]; it must be a string/,
    );
  });

  it('rejects a defaultConnection that is not an object, or has unknown keys', async () => {
    for (const [defaultConnection, message] of [
      ['user', /defaultConnection: must be an object/],
      [{ connection: 'x' }, /defaultConnection: has an unknown key "connection"/],
    ] as const) {
      await expect(
        Test.createTestingModule({
          imports: [
            NangoModule.forRoot({
              secretKey: SECRET,
              defaultConnection: defaultConnection as never,
            }),
          ],
        }).compile(),
      ).rejects.toThrow(message);
    }
  });

  it('NangoConnectionNotDeclaredError names the handler and the fix', () => {
    const error = NangoConnectionNotDeclaredError.create(
      'ReposController.list',
      'InjectNangoToken',
    );
    expect(error).toBeInstanceOf(Error);
    expect(error.name).toBe('NangoConnectionNotDeclaredError');
    expect(error.handler).toBe('ReposController.list');
    expect(error.message).toBe(
      'ReposController.list uses @InjectNangoToken() but no @UseNangoConnection() applies to it: ' +
        'add @UseNangoConnection({ providerConfigKey, connectionId }) to the handler or its controller.',
    );
  });
});
