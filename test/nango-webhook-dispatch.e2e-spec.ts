import 'reflect-metadata';
import { Injectable, type INestApplication } from '@nestjs/common';
import { Test } from '@nestjs/testing';
import { FastifyAdapter } from '@nestjs/platform-fastify';
import {
  NangoConfigurationError,
  NangoModule,
  OnNangoWebhook,
  signNangoWebhook,
} from '../lib/index.js';
import { matchesNangoWebhook } from '../lib/webhooks/on-nango-webhook.decorator.js';
import { Audit, calls, Connections, Failing } from './fixtures/apps/webhook-dispatch.app.js';
import { CapturingLogger } from './fixtures/capturing-logger.js';

/**
 * `forRoot({ webhooks: { path } })`: one route verifies each webhook once and hands it to every
 * `@OnNangoWebhook()` provider method that matches, over real HTTP on Express and Fastify.
 */

const SECRET = 'sk-dispatch-secret';
const DEV_SECRET = 'sk-dispatch-dev';

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
};

const sync = {
  from: 'nango',
  type: 'sync',
  connectionId: 'conn-1',
  providerConfigKey: 'github',
  syncName: 'issues',
  model: 'Issue',
  syncType: 'INCREMENTAL',
  success: true,
  modifiedAfter: '2026-01-01T00:00:00.000Z',
  responseResults: { added: 1, updated: 0, deleted: 0 },
};

describe.each(['express', 'fastify'] as const)('webhook handlers by event on %s', (platform) => {
  let app: INestApplication;
  let url: string;
  let logger: CapturingLogger;

  beforeAll(async () => {
    const moduleRef = await Test.createTestingModule({
      imports: [
        NangoModule.forRoot({ secretKey: SECRET, webhooks: { path: '/nango/events/' } }),
        NangoModule.forRoot({
          name: 'dev',
          secretKey: DEV_SECRET,
          webhooks: { path: 'dev/events' },
        }),
      ],
      providers: [Connections, Audit, Failing],
    }).compile();
    logger = new CapturingLogger();
    app =
      platform === 'fastify'
        ? moduleRef.createNestApplication(new FastifyAdapter(), { rawBody: true, logger })
        : moduleRef.createNestApplication({ rawBody: true, logger });
    await app.init();
    if (platform === 'fastify') {
      await (app.getHttpAdapter().getInstance() as { ready: () => Promise<unknown> }).ready();
    }
    await app.listen(0, '127.0.0.1');
    url = (await app.getUrl()).replace('[::1]', '127.0.0.1').replace('localhost', '127.0.0.1');
  });

  afterAll(async () => {
    await app?.close();
  });

  beforeEach(() => {
    calls.length = 0;
    logger.lines.length = 0;
  });

  async function post(path: string, event: unknown, key = SECRET): Promise<number> {
    const body = JSON.stringify(event);
    const res = await fetch(`${url}${path}`, {
      method: 'POST',
      headers: {
        'content-type': 'application/json',
        'x-nango-hmac-sha256': signNangoWebhook(body, key),
      },
      body,
    });
    await res.text();
    return res.status;
  }

  it('hands an event to every matching handler, once, and answers 200', async () => {
    expect(await post('/nango/events', auth)).toBe(200);
    expect(calls.map(([name]) => name).sort()).toEqual(['audit', 'created']);
    expect(calls[0]?.[1]).toEqual(auth);
  });

  it('matches operation and success, and a method decorated twice takes either kind', async () => {
    expect(await post('/nango/events', { ...auth, operation: 'refresh', success: false })).toBe(
      200,
    );
    expect(calls.map(([name]) => name).sort()).toEqual(['audit', 'broken']);
    calls.length = 0;
    expect(await post('/nango/events', { ...auth, operation: 'override', success: false })).toBe(
      200,
    );
    expect(calls.map(([name]) => name).sort()).toEqual(['audit', 'broken']);
  });

  it('matches a forwarded webhook by provider (its "from")', async () => {
    const forward = { from: 'github', type: 'forward', providerConfigKey: 'gh', payload: { a: 1 } };
    expect(await post('/nango/events', forward)).toBe(200);
    expect(calls.map(([name]) => name)).toEqual(['github']);
    calls.length = 0;
    expect(await post('/nango/events', { ...forward, from: 'slack' })).toBe(200);
    expect(calls).toEqual([]);
  });

  it('refuses a bad signature with 401: no handler runs', async () => {
    expect(await post('/nango/events', auth, 'not-the-key')).toBe(401);
    expect(calls).toEqual([]);
  });

  it('a handler that throws makes the route answer 500 and is logged; the others still run', async () => {
    expect(await post('/nango/events', { ...sync, syncName: 'boom' })).toBe(500);
    expect(calls.map(([name]) => name)).toEqual(['sync']);
    expect(logger.lines.join('\n')).toContain(
      'Failing.explode failed on a "sync" webhook: sync handler bug',
    );
    expect(await post('/nango/events', sync)).toBe(200);
  });

  it("a named instance's route checks its own key and reaches its own handlers", async () => {
    expect(await post('/dev/events', auth, DEV_SECRET)).toBe(200);
    expect(calls.map(([name]) => name)).toEqual(['dev']);
    expect(await post('/dev/events', auth, SECRET)).toBe(401);
    expect(await post('/nango/events', auth, DEV_SECRET)).toBe(401);
  });

  it('an event no handler takes is answered 200', async () => {
    expect(
      await post('/nango/events', { from: 'nango', type: 'async_action', providerConfigKey: 'x' }),
    ).toBe(200);
    expect(calls).toEqual([]);
  });
});

describe('webhooks option', () => {
  it.each([[''], ['a/../b'], [':id'], ['a/*'], [42]])('refuses path %p at forRoot', (path) => {
    expect(() =>
      NangoModule.forRoot({ secretKey: SECRET, webhooks: { path: path as string } }),
    ).toThrow(NangoConfigurationError);
  });

  it('refuses @OnNangoWebhook() without a known type', () => {
    expect(() => OnNangoWebhook({ type: 'nope' } as never)).toThrow(/needs type 'auth'/);
  });

  it('webhook routes in an app without rawBody: true stop app.init()', async () => {
    const moduleRef = await Test.createTestingModule({
      imports: [NangoModule.forRoot({ secretKey: SECRET, webhooks: { path: 'nango/events' } })],
    }).compile();
    const app = moduleRef.createNestApplication({ logger: false });
    await expect(app.init()).rejects.toThrow(/rawBody: true/);
    await app.close();
  });
});

describe("@OnNangoWebhook({ instance: 'default' })", () => {
  it("is called for the default instance's webhooks", async () => {
    const seen: string[] = [];
    @Injectable()
    class Named {
      @OnNangoWebhook({ type: 'auth', instance: 'default' })
      onAuth(payload: { connectionId: string }): void {
        seen.push(payload.connectionId);
      }
    }
    const moduleRef = await Test.createTestingModule({
      imports: [NangoModule.forRoot({ secretKey: SECRET, webhooks: { path: 'hooks' } })],
      providers: [Named],
    }).compile();
    const app = moduleRef.createNestApplication({ rawBody: true, logger: false });
    try {
      await app.listen(0, '127.0.0.1');
      const body = JSON.stringify(auth);
      const hooks = `${(await app.getUrl()).replace('[::1]', '127.0.0.1').replace('localhost', '127.0.0.1')}/hooks`;
      const res = await fetch(hooks, {
        method: 'POST',
        headers: {
          'content-type': 'application/json',
          'x-nango-hmac-sha256': signNangoWebhook(body, SECRET),
        },
        body,
      });
      await res.text();
      expect(res.status).toBe(200);
      expect(seen).toEqual(['conn-1']);
    } finally {
      await app.close();
    }
  });
});

describe('an @OnNangoWebhook() handler no webhook route can call', () => {
  it('is named in one warning per handler and instance, saying what to add; the app still starts', async () => {
    @Injectable()
    class Unrouted {
      @OnNangoWebhook({ type: 'auth' })
      onDefault(): void {}
      @OnNangoWebhook({ type: 'auth', instance: 'dev' })
      @OnNangoWebhook({ type: 'sync', instance: 'dev' })
      onDev(): void {}
      @OnNangoWebhook({ type: 'auth', instance: 'prod' })
      onProd(): void {}
    }
    const moduleRef = await Test.createTestingModule({
      imports: [
        NangoModule.forRoot({ secretKey: SECRET }),
        NangoModule.forRoot({
          name: 'dev',
          secretKey: DEV_SECRET,
          webhooks: { path: 'dev/hooks' },
        }),
      ],
      providers: [Unrouted],
    }).compile();
    const logger = new CapturingLogger();
    const app = moduleRef.createNestApplication({ rawBody: true, logger });
    try {
      await app.init();
      expect(logger.lines.filter((line) => line.startsWith('warn'))).toEqual([
        "warn Unrouted.onDefault has @OnNangoWebhook() but NangoModule.forRoot() mounts no webhook route, so it is never called: add webhooks: { path: 'nango/webhooks' } NangoWebhooks",
        "warn Unrouted.onProd has @OnNangoWebhook({ instance: 'prod' }) but the application registers no NangoModule.forRoot({ name: 'prod' }), so it is never called NangoWebhooks",
      ]);
    } finally {
      await app.close();
    }
  });
});

describe('matchesNangoWebhook()', () => {
  it("reads instance 'default' as the default instance, on either side", () => {
    expect(
      matchesNangoWebhook({ type: 'auth', instance: 'default' }, auth as never, undefined),
    ).toBe(true);
    expect(matchesNangoWebhook({ type: 'auth' }, auth as never, 'default')).toBe(true);
    expect(matchesNangoWebhook({ type: 'auth', instance: 'dev' }, auth as never, undefined)).toBe(
      false,
    );
    expect(matchesNangoWebhook({ type: 'auth' }, auth as never, 'dev')).toBe(false);
  });
});
