import 'reflect-metadata';
import { ForbiddenException, Module, type INestApplication } from '@nestjs/common';
import { Test } from '@nestjs/testing';
import { FastifyAdapter } from '@nestjs/platform-fastify';
import { NangoConfigurationError, NangoModule } from '../../lib/index.js';
import { NangoStandIn, StandInAnswers } from '../../lib/testing/index.js';
import { CapturingLogger } from '../fixtures/capturing-logger.js';
import { expectNoneOf } from '../fixtures/secrets.js';
import { listenLocally, type AdapterName } from '../fixtures/http.js';
import { connectAppModule, connectionsByUser } from '../fixtures/apps/connect.app.js';

/**
 * `forRoot({ connect })` over real HTTP: `POST <path>` creates a Connect session for the
 * signed-in user (behind the app's global guard), the stand-in plays the end user finishing the
 * Connect UI, the auth webhook handler links the connection, and the user's token follows.
 */

interface Posted {
  status: number;
  body: Record<string, unknown>;
  text: string;
}

describe.each<AdapterName>(['express', 'fastify'])('the connect route on %s', (platform) => {
  let standIn: NangoStandIn;
  let app: INestApplication | undefined;
  let url: string;
  let logger: CapturingLogger;

  beforeEach(async () => {
    standIn = await NangoStandIn.start();
    standIn.addIntegration('github');
    connectionsByUser.clear();
  });
  afterEach(async () => {
    await app?.close();
    app = undefined;
    await standIn.close();
  });

  async function start(module: new () => object): Promise<void> {
    // Nest's own logger is replaced for the whole app: every line it writes is in `logger`.
    logger = new CapturingLogger();
    const moduleRef = await Test.createTestingModule({ imports: [module] }).compile();
    app =
      platform === 'fastify'
        ? moduleRef.createNestApplication(new FastifyAdapter(), { rawBody: true, logger })
        : moduleRef.createNestApplication({ rawBody: true, logger });
    url = await listenLocally(app);
    standIn.setWebhookTarget(`${url}/nango/webhooks`);
  }

  async function call(method: string, path: string, user?: string): Promise<Posted> {
    const res = await fetch(`${url}${path}`, {
      method,
      headers: user === undefined ? {} : { authorization: `Bearer ${user}` },
    });
    const text = await res.text();
    return { status: res.status, body: JSON.parse(text) as Record<string, unknown>, text };
  }

  const sessionBodies = (): unknown[] =>
    standIn.requests
      .filter((r) => r.method === 'POST' && r.pathname === '/connect/sessions')
      .map((r) => JSON.parse(r.body) as unknown);

  it('creates a session for the signed-in user and answers { token, expiresAt }', async () => {
    await start(connectAppModule(standIn));
    const res = await call('POST', '/nango/connect-session', 'session-ada');
    expect(res.status).toBe(201);
    expect(Object.keys(res.body).sort()).toEqual(['expiresAt', 'token']);
    expect(res.body['token']).toMatch(/^nango_connect_session_[0-9a-f]{64}$/);
    expect(new Date(String(res.body['expiresAt'])).getTime()).toBeGreaterThan(Date.now());
    expect(sessionBodies()).toEqual([
      {
        end_user: { id: 'user-ada', email: 'ada@example.com', display_name: 'Ada Lovelace' },
        organization: { id: 'org-1', display_name: 'Analytical Engines' },
        allowed_integrations: ['github'],
      },
    ]);
    expectNoneOf([standIn.secretKey], res.text);
    expectNoneOf([standIn.secretKey, String(res.body['token'])], logger.text());
  });

  it('awaits an async endUser and organization', async () => {
    await start(
      connectAppModule(standIn, {
        endUser: async (req) => {
          await new Promise((resolve) => setImmediate(resolve));
          return { id: `async-${String(req.headers['x-tenant'])}` };
        },
        organization: () => Promise.resolve({ id: 'org-async' }),
      }),
    );
    const res = await fetch(`${url}/nango/connect-session`, {
      method: 'POST',
      headers: { authorization: 'Bearer session-bob', 'x-tenant': 't1' },
    });
    expect(res.status).toBe(201);
    expect(sessionBodies()).toEqual([
      {
        end_user: { id: 'async-t1' },
        organization: { id: 'org-async' },
        allowed_integrations: ['github'],
      },
    ]);
  });

  it('goes through the app’s global interceptors like any route', async () => {
    await start(connectAppModule(standIn, {}, false, true));
    const res = await call('POST', '/nango/connect-session', 'session-ada');
    expect(res.status).toBe(201);
    expect(res.body).toEqual({
      data: {
        token: expect.stringMatching(/^nango_connect_session_/),
        expiresAt: expect.any(String),
      },
    });
  });

  it('sends only the fields the end user has, and no allowed_integrations when not set', async () => {
    await start(
      connectAppModule(standIn, { allowedIntegrations: undefined, organization: undefined }),
    );
    expect((await call('POST', '/nango/connect-session', 'session-bob')).status).toBe(201);
    expect(sessionBodies()).toEqual([{ end_user: { id: 'user-bob' } }]);
  });

  it('is behind the app’s global guard: the guard denies, 403 and no session', async () => {
    await start(connectAppModule(standIn));
    for (const user of [undefined, 'session-nobody']) {
      const res = await call('POST', '/nango/connect-session', user);
      expect(res.status).toBe(403);
      expect(res.body['message']).toBe('Forbidden resource');
    }
    expect(sessionBodies()).toEqual([]);
    expect((await call('POST', '/nango/connect-session', 'session-bob')).status).toBe(201);
    expect(sessionBodies()).toHaveLength(1);
  });

  it('answers 401 when endUser finds no user, and logs nothing secret', async () => {
    await start(connectAppModule(standIn, { endUser: () => undefined }));
    const res = await call('POST', '/nango/connect-session', 'session-ada');
    expect(res.status).toBe(401);
    expect(res.body['message']).toBe('No signed-in user to connect an integration for');
    expect(sessionBodies()).toEqual([]);
    expectNoneOf([standIn.secretKey], res.text, logger.text());
  });

  it('answers 401 with a warn line when endUser throws, and the HttpException it throws as is', async () => {
    await start(
      connectAppModule(standIn, {
        endUser: (req) => {
          if (req.headers['x-role'] === undefined) throw new TypeError('no role');
          throw new ForbiddenException('Admins only');
        },
      }),
    );
    const res = await call('POST', '/nango/connect-session', 'session-ada');
    expect(res.status).toBe(401);
    expect(logger.lines.filter((l) => /^(warn|error) /.test(l))).toEqual([
      expect.stringMatching(
        /^warn POST \/nango\/connect-session: connect\.endUser\(req\) threw TypeError; answered 401/,
      ),
    ]);
    const forbidden = await fetch(`${url}/nango/connect-session`, {
      method: 'POST',
      headers: { authorization: 'Bearer session-ada', 'x-role': 'user' },
    });
    expect(forbidden.status).toBe(403);
    expect(((await forbidden.json()) as { message: string }).message).toBe('Admins only');
    expect(sessionBodies()).toEqual([]);
  });

  it('answers 500 with an error line naming the fix when endUser returns a malformed user', async () => {
    await start(connectAppModule(standIn, { endUser: () => ({ id: 42 }) as never }));
    const res = await call('POST', '/nango/connect-session', 'session-ada');
    expect(res.status).toBe(500);
    expect(logger.text()).toContain(
      'connect.endUser(req) must return { id: string, email?: string, displayName?: string } or undefined',
    );
    expect(sessionBodies()).toEqual([]);
  });

  it('answers a Nango refusal as the module’s other routes do, without the secret', async () => {
    await start(connectAppModule(standIn, { allowedIntegrations: ['not-an-integration'] }));
    const res = await call('POST', '/nango/connect-session', 'session-ada');
    expect(res.status).toBe(502);
    expect(res.body).toMatchObject({ code: 'nango_error' });
    expect(logger.lines.filter((l) => l.startsWith('error '))).toHaveLength(1);
    expectNoneOf([standIn.secretKey], res.text, logger.text());
  });

  it('answers Nango’s rate limit as the module maps it, with Retry-After, without the secret', async () => {
    await start(connectAppModule(standIn));
    standIn.script({
      method: 'POST',
      path: '/connect/sessions',
      respond: StandInAnswers.rateLimited(7),
    });
    const res = await fetch(`${url}/nango/connect-session`, {
      method: 'POST',
      headers: { authorization: 'Bearer session-ada' },
    });
    const text = await res.text();
    // The module's mapping of a Nango 429: this server is the one limited, so a 503.
    expect(res.status).toBe(503);
    expect(res.headers.get('retry-after')).toBe('7');
    expect(JSON.parse(text)).toMatchObject({ code: 'nango_rate_limited' });
    expectNoneOf([standIn.secretKey], text, logger.text());
  });

  it.each([
    ['forRoot', false],
    ['forRootAsync', true],
  ])(
    'with %s: the user finishes the Connect UI, the auth handler links the connection, the token follows',
    async (_label, async) => {
      await start(connectAppModule(standIn, {}, async));
      // Before connecting, the user has no connection: 401 from @UseNangoConnection().
      expect((await call('GET', '/me/github-token', 'session-ada')).status).toBe(401);

      const session = await call('POST', '/nango/connect-session', 'session-ada');
      const result = await standIn.completeConnect(String(session.body['token']), {
        providerConfigKey: 'github',
      });
      expect(result.webhook?.status).toBe(200);
      expect(connectionsByUser.get('user-ada')).toBe(result.connectionId);

      const token = await call('GET', '/me/github-token', 'session-ada');
      expect(token.status).toBe(200);
      const stored = standIn.connection('github', result.connectionId);
      expect(token.body['token']).toBe(stored?.credentials['access_token']);
      expect(stored?.tags).toEqual({
        end_user_display_name: 'Ada Lovelace',
        end_user_email: 'ada@example.com',
        end_user_id: 'user-ada',
        organization_display_name: 'Analytical Engines',
        organization_id: 'org-1',
      });
      // Another user still has none.
      expect((await call('GET', '/me/github-token', 'session-bob')).status).toBe(401);
      // Neither the secret key, the session token nor the access token was ever logged.
      expectNoneOf(
        [standIn.secretKey, String(session.body['token']), String(token.body['token'])],
        logger.text(),
      );
      expectNoneOf([standIn.secretKey], session.text);
    },
  );

  it('creates the session with the NangoService of a named instance', async () => {
    const other = await NangoStandIn.start();
    try {
      other.addIntegration('github');
      @Module({
        imports: [
          NangoModule.forRoot({ secretKey: standIn.secretKey, host: standIn.url }),
          NangoModule.forRoot({
            name: 'eu',
            secretKey: other.secretKey,
            host: other.url,
            connect: { path: 'eu/connect-session', endUser: () => ({ id: 'user-eu' }) },
          }),
        ],
      })
      class NamedModule {}
      await start(NamedModule);
      const res = await call('POST', '/eu/connect-session');
      expect(res.status).toBe(201);
      expect(sessionBodies()).toEqual([]);
      expect(
        other.requests.filter((r) => r.pathname === '/connect/sessions').map((r) => r.body),
      ).toEqual([JSON.stringify({ end_user: { id: 'user-eu' } })]);
    } finally {
      await other.close();
    }
  });

  it('refuses to complete an unknown token or an integration the session does not allow', async () => {
    await start(connectAppModule(standIn));
    standIn.addIntegration('slack');
    const session = await call('POST', '/nango/connect-session', 'session-ada');
    const token = String(session.body['token']);
    await expect(standIn.completeConnect(token, { providerConfigKey: 'slack' })).rejects.toThrow(
      'the session does not allow "slack" (allowed_integrations)',
    );
    await expect(
      standIn.completeConnect('nango_connect_session_unknown', { providerConfigKey: 'github' }),
    ).rejects.toThrow('no such connect session (unknown, expired or already used token');
    const done = await standIn.completeConnect(token, {
      providerConfigKey: 'github',
      connectionId: 'conn-ada',
      credentials: { type: 'API_KEY', apiKey: 'k-ada' },
    });
    expect(done).toMatchObject({
      providerConfigKey: 'github',
      connectionId: 'conn-ada',
      webhook: { status: 200 },
    });
    // A session is used once.
    await expect(standIn.completeConnect(token, { providerConfigKey: 'github' })).rejects.toThrow(
      'no such connect session',
    );
  });
});

describe('the connect option, checked at boot', () => {
  const base = { secretKey: 'sk-0000-connect-boot' };

  it.each([
    ['forRoot', (connect: unknown) => NangoModule.forRoot({ ...base, connect: connect as never })],
    [
      'forRootAsync',
      (connect: unknown) =>
        NangoModule.forRootAsync({ useFactory: () => base, connect: connect as never }),
    ],
  ])('%s names every bad field of connect, never a value', (_label, register) => {
    let error: unknown;
    try {
      register({
        path: 'users/:id',
        endUser: 'user-from-session',
        allowedIntegrations: [],
        allowed: ['github'],
      });
    } catch (e) {
      error = e;
    }
    expect(error).toBeInstanceOf(NangoConfigurationError);
    expect((error as NangoConfigurationError).fields.sort()).toEqual([
      'connect.allowed',
      'connect.allowedIntegrations',
      'connect.endUser',
      'connect.path',
    ]);
    const message = (error as Error).message;
    expect(message).toContain("connect.path: must be a route path such as 'nango/connect-session'");
    expect(message).toContain('connect.endUser: must be a function such as (req) =>');
    expect(message).toContain('connect.allowedIntegrations: must list at least one integration');
    expect(message).toContain('connect.allowed: is not a connect option');
    expect(message).not.toContain('user-from-session');
  });

  it('refuses a connect that is not an object, and integration keys that are not strings', () => {
    expect(() => NangoModule.forRoot({ ...base, connect: 'nango/connect' as never })).toThrow(
      'connect: must be an object such as',
    );
    expect(() =>
      NangoModule.forRoot({
        ...base,
        connect: { path: 'c', endUser: () => undefined, allowedIntegrations: ['a b', 3 as never] },
      }),
    ).toThrow('connect.allowedIntegrations: must hold integration keys');
  });
});
