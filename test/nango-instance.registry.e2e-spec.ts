import 'reflect-metadata';
import { Controller, Get, type INestApplication, type ModuleMetadata } from '@nestjs/common';
import { Reflector } from '@nestjs/core';
import { FastifyAdapter } from '@nestjs/platform-fastify';
import { Test, type TestingModule } from '@nestjs/testing';
import {
  getNangoServiceToken,
  InjectNangoConnection,
  InjectNangoToken,
  NangoConfigurationError,
  NangoUsageError,
  NangoInstanceRegistry,
  NangoModule,
  NangoRecordsService,
  NangoService,
  NangoWebhookPayload,
  signNangoWebhook,
  type NangoToken,
} from '../lib/index.js';
import { getNangoOptionsToken } from '../lib/nango.tokens.js';
import { NangoParamsMetadata } from '../lib/decorators/nango-params.metadata.js';
import { NangoStandIn } from '../lib/testing/index.js';
import {
  AliasingRegistry,
  ProdRoutesModule,
  prodInstanceModule,
} from './fixtures/apps/instance-registry.app.js';

type AdapterName = 'express' | 'fastify';

const seed = {
  connectionId: 'user-1',
  providerConfigKey: 'github',
  credentials: { type: 'OAUTH2' as const, access_token: 'prod-token', raw: {} },
};

describe('NangoInstanceRegistry', () => {
  let standIn: NangoStandIn;
  const refs: TestingModule[] = [];

  beforeAll(async () => {
    standIn = await NangoStandIn.start({ connections: [seed] });
  });

  afterEach(async () => {
    while (refs.length > 0) await refs.pop()?.close();
    standIn.clearRequests();
  });

  afterAll(async () => {
    await standIn?.close();
  });

  async function compile(imports: NonNullable<ModuleMetadata['imports']>): Promise<TestingModule> {
    const ref = await Test.createTestingModule({ imports }).compile();
    refs.push(ref);
    return ref;
  }

  it('finds every instance by name, in any module, global or not', async () => {
    const ref = await compile([
      NangoModule.forRoot({ secretKey: standIn.secretKey, host: standIn.url }),
      prodInstanceModule(standIn.secretKey, standIn.url),
      ProdRoutesModule,
    ]);
    // Resolvable from a module that does not import NangoModule.
    const registry = ref.select(ProdRoutesModule).get(NangoInstanceRegistry);
    const prod = registry.find('prod');
    expect(prod?.name).toBe('prod');
    expect(prod?.service).toBe(ref.get(getNangoServiceToken('prod'), { strict: false }));
    expect(prod?.options).toBe(ref.get(getNangoOptionsToken('prod'), { strict: false }));
    expect(prod?.options.name).toBe('prod');
    const byDefault = registry.find();
    expect(byDefault?.name).toBeUndefined();
    expect(byDefault?.service).toBe(ref.get(NangoService));
    expect(registry.find('default')).toBe(byDefault);
    expect(registry.get('prod', 'Test')).toBe(prod);
    expect(registry.find('nope')).toBeUndefined();
  });

  it('one error for a missing instance, naming who asked and how to register it, never a key', async () => {
    const ref = await compile([prodInstanceModule(standIn.secretKey, standIn.url)]);
    const registry = ref.get(NangoInstanceRegistry);
    const named = (() => {
      try {
        registry.get('staging', 'MyIndicator');
      } catch (error) {
        return error;
      }
    })();
    expect(named).toBeInstanceOf(NangoUsageError);
    expect(named).not.toBeInstanceOf(NangoConfigurationError);
    expect(named).toMatchObject({
      message: `MyIndicator found no Nango instance named "staging": import NangoModule.forRoot({ name: 'staging', ... }) in the application.`,
    });
    // Only a named instance is registered: the default one is missing.
    expect(() => registry.get(undefined, 'MyIndicator')).toThrow(
      'MyIndicator found no Nango instance: import NangoModule.forRoot({ ... }) in the application.',
    );
    expect(JSON.stringify(named)).not.toContain(standIn.secretKey);
    expect(String((named as Error).stack)).not.toContain(standIn.secretKey);
  });

  it('the parameter decorators record their use as handler metadata, read through Reflector', () => {
    @Controller()
    class Routes {
      @Get('a')
      token(@InjectNangoToken() _token: NangoToken): void {}

      @Get('b')
      both(@InjectNangoToken() _token: NangoToken, @InjectNangoConnection() _c: unknown): void {}

      @Get('c')
      payload(@NangoWebhookPayload() _payload: unknown): void {}

      @Get('d')
      plain(): void {}
    }
    const reflector = new Reflector();
    const read = (handler: (...args: never[]) => void): unknown =>
      reflector.get(NangoParamsMetadata, handler);
    expect(read(Routes.prototype.token)).toEqual(['InjectNangoToken']);
    expect(read(Routes.prototype.both)).toEqual(
      expect.arrayContaining(['InjectNangoToken', 'InjectNangoConnection']),
    );
    expect(read(Routes.prototype.both)).toHaveLength(2);
    expect(read(Routes.prototype.payload)).toEqual(['NangoWebhookPayload']);
    expect(read(Routes.prototype.plain)).toBeUndefined();
    // Inherited handlers carry their metadata along.
    class MoreRoutes extends Routes {}
    expect(read(MoreRoutes.prototype.token)).toEqual(['InjectNangoToken']);
  });

  it("forRoot adds the instance's providers and exports its service, options and records service only", () => {
    const named = NangoModule.forRoot({
      name: 'prod',
      secretKey: 'sk',
      webhooks: { path: 'nango/webhooks' },
    });
    expect(named.module).toBe(NangoModule);
    expect(named.global).toBe(false);
    expect(named.exports).toEqual([
      'NangoService:prod',
      'NangoOptions:prod',
      'NangoRecordsService:prod',
    ]);
    const provided = (named.providers ?? []).map((p) =>
      typeof p === 'function' ? p : (p as { provide: unknown }).provide,
    );
    expect(provided).toEqual(
      expect.arrayContaining([
        'NangoOptions:prod',
        'NangoHttpService:prod',
        'NangoService:prod',
        'NangoRecordsService:prod',
      ]),
    );
    expect(provided).not.toContain(NangoService);
    expect(provided).not.toContain(NangoRecordsService);
    expect(named.controllers).toHaveLength(1);
    const byDefault = NangoModule.forRootAsync({
      isGlobal: true,
      useFactory: () => ({ secretKey: 'sk' }),
    });
    expect(byDefault.global).toBe(true);
    expect(byDefault.exports).toEqual([NangoService, getNangoOptionsToken(), NangoRecordsService]);
    expect(byDefault.controllers ?? []).toHaveLength(0); // no route without webhooks or connect
  });

  describe.each<[AdapterName]>([['express'], ['fastify']])('over HTTP on %s', (adapter) => {
    let app: INestApplication | undefined;

    afterEach(async () => {
      await app?.close();
      app = undefined;
    });

    async function start(override?: typeof AliasingRegistry): Promise<string> {
      let builder = Test.createTestingModule({
        imports: [prodInstanceModule(standIn.secretKey, standIn.url), ProdRoutesModule],
      });
      if (override !== undefined)
        builder = builder.overrideProvider(NangoInstanceRegistry).useClass(override);
      const ref = await builder.compile();
      app =
        adapter === 'fastify'
          ? ref.createNestApplication(new FastifyAdapter(), { rawBody: true, logger: false })
          : ref.createNestApplication({ rawBody: true, logger: false });
      await app.listen(0, '127.0.0.1');
      return app.getUrl();
    }

    it("routes of a module that imports no NangoModule get a non-global instance's credentials", async () => {
      const base = await start();
      const token = await fetch(`${base}/prod/token`);
      expect(token.status).toBe(200);
      await expect(token.json()).resolves.toEqual({ token: 'prod-token' });
      const connection = await fetch(`${base}/prod/connection`);
      expect(connection.status).toBe(200);
      await expect(connection.json()).resolves.toEqual({ id: 'user-1' });
      expect(standIn.count({ path: '/connections/user-1' })).toBe(2);
    });

    it("the webhook guard of such a module verifies with the instance's key", async () => {
      const base = await start();
      const body = JSON.stringify({ type: 'auth', connectionId: 'user-1' });
      const post = (key: string): Promise<Response> =>
        fetch(`${base}/prod/webhooks`, {
          method: 'POST',
          headers: {
            'content-type': 'application/json',
            'x-nango-hmac-sha256': signNangoWebhook(body, key),
          },
          body,
        });
      const signed = await post(standIn.secretKey);
      expect(signed.status).toBe(200);
      await expect(signed.json()).resolves.toEqual({ type: 'auth' });
      expect((await post('another-key')).status).toBe(401);
    });

    it('the interceptor uses the registry it is handed: an overriding registry is obeyed', async () => {
      const base = await start(AliasingRegistry);
      const res = await fetch(`${base}/prod/alias`);
      expect(res.status).toBe(200);
      await expect(res.json()).resolves.toEqual({ token: 'prod-token' });
    });

    it('without the override, the unknown instance is a 500 and nothing reaches Nango', async () => {
      const base = await start();
      const res = await fetch(`${base}/prod/alias`);
      expect(res.status).toBe(500);
      expect(standIn.count({ path: '/connections/user-1' })).toBe(0);
    });
  });
});
