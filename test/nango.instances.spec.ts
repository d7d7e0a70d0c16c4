import 'reflect-metadata';
import { Injectable, Module } from '@nestjs/common';
import { Test, type TestingModule } from '@nestjs/testing';
import { inspect } from 'node:util';
import {
  NangoAuthenticationError,
  NangoConfigurationError,
  NangoModule,
  NangoService,
  getNangoServiceToken,
  type ResolvedNangoOptions,
} from '../lib/index.js';
import { NANGO_OPTIONS } from '../lib/nango.internal-constants.js';
import { getNangoOptionsToken } from '../lib/nango.tokens.js';
import { NangoStandIn } from '../lib/testing/index.js';
import { Consumer, FeatureModule } from './fixtures/apps/instances.app.js';

let prodNango: NangoStandIn;
let devNango: NangoStandIn;

beforeAll(async () => {
  prodNango = await NangoStandIn.start({
    connections: [
      {
        connectionId: 'c-prod',
        providerConfigKey: 'github',
        credentials: { type: 'API_KEY', apiKey: 'prod-k' },
      },
    ],
  });
  devNango = await NangoStandIn.start({
    connections: [
      {
        connectionId: 'c-dev',
        providerConfigKey: 'github',
        credentials: { type: 'API_KEY', apiKey: 'dev-k' },
      },
    ],
  });
});

afterAll(async () => {
  await prodNango.close();
  await devNango.close();
});

describe('several Nango instances', () => {
  let moduleRef: TestingModule | undefined;
  afterEach(async () => {
    await moduleRef?.close();
    moduleRef = undefined;
  });

  async function boot(): Promise<TestingModule> {
    moduleRef = await Test.createTestingModule({
      imports: [
        NangoModule.forRoot({
          secretKey: prodNango.secretKey,
          host: prodNango.url,
          isGlobal: true,
        }),
        NangoModule.forRoot({
          name: 'prod',
          secretKey: prodNango.secretKey,
          host: prodNango.url,
          isGlobal: true,
        }),
        NangoModule.forRootAsync({
          name: 'dev',
          isGlobal: true,
          useFactory: () => ({ secretKey: devNango.secretKey, host: devNango.url, timeout: 4000 }),
        }),
        FeatureModule,
      ],
    }).compile();
    return moduleRef;
  }

  it('gives each name its own NangoService, HTTP client and options, next to the default one', async () => {
    const ref = await boot();
    const { prod, dev, main } = ref.get(Consumer);
    expect(prod).toBeInstanceOf(NangoService);
    expect(dev).toBeInstanceOf(NangoService);
    expect(new Set([prod, dev, main]).size).toBe(3);
    expect(ref.get(getNangoServiceToken('prod'))).toBe(prod);
    expect((main as unknown as { options: ResolvedNangoOptions }).options.name).toBeUndefined();

    const prodOptions = ref.get<ResolvedNangoOptions>(getNangoOptionsToken('prod'));
    const devOptions = ref.get<ResolvedNangoOptions>(getNangoOptionsToken('dev'));
    expect(prodOptions).toMatchObject({ name: 'prod', host: prodNango.url, timeout: 30_000 });
    expect(devOptions).toMatchObject({ name: 'dev', host: devNango.url, timeout: 4000 });
    expect(getNangoOptionsToken()).toBe(NANGO_OPTIONS);
    // A lookup across modules (as route decorators do) finds exactly the instance asked for.
    expect(ref.get(NangoService, { strict: false })).toBe(main);
    expect(ref.get<ResolvedNangoOptions>(NANGO_OPTIONS, { strict: false }).name).toBeUndefined();
    expect(ref.get(getNangoServiceToken('dev'), { strict: false })).toBe(dev);

    prodNango.clearRequests();
    devNango.clearRequests();
    await expect(prod.getToken('github', 'c-prod')).resolves.toMatchObject({ apiKey: 'prod-k' });
    await expect(dev.getToken('github', 'c-dev')).resolves.toMatchObject({ apiKey: 'dev-k' });
    expect(prodNango.requests.map((r) => r.headers.authorization)).toEqual([
      `Bearer ${prodNango.secretKey}`,
    ]);
    expect(devNango.requests.map((r) => r.headers.authorization)).toEqual([
      `Bearer ${devNango.secretKey}`,
    ]);
  });

  it('names the instance in request errors, never its key', async () => {
    moduleRef = await Test.createTestingModule({
      imports: [
        NangoModule.forRoot({ name: 'dev', secretKey: prodNango.secretKey, host: devNango.url }),
      ],
    }).compile();
    const dev = moduleRef.get<NangoService>(getNangoServiceToken('dev'));
    const error = await dev.getToken('github', 'c-dev').catch((e: unknown) => e);
    expect(error).toBeInstanceOf(NangoAuthenticationError);
    const e = error as NangoAuthenticationError;
    expect(e.instance).toBe('dev');
    expect(e.message).toContain('[Nango instance "dev"]');
    const printed = `${e.message}${e.stack}${JSON.stringify(e)}${inspect(e)}`;
    expect(printed).not.toContain(prodNango.secretKey);
  });

  it('names the instance in errors raised while waiting on a shared fetch (timeout, abort)', async () => {
    moduleRef = await Test.createTestingModule({
      imports: [
        NangoModule.forRoot({ name: 'dev', secretKey: devNango.secretKey, host: devNango.url }),
      ],
    }).compile();
    const dev = moduleRef.get<NangoService>(getNangoServiceToken('dev'));
    const removeRule = devNango.script({
      path: '/connections/c-dev',
      respond: { status: 200, hang: true },
    });
    try {
      // The caller's 100 ms is shorter than the shared request's 30 s: the caller leaves alone.
      const timedOut = await dev
        .getToken('github', 'c-dev', false, { timeout: 100 })
        .catch((e: unknown) => e);
      expect(timedOut).toMatchObject({ name: 'NangoTimeoutError', instance: 'dev' });
      const aborted = await dev
        .getToken('github', 'c-dev', false, { signal: AbortSignal.abort() })
        .catch((e: unknown) => e);
      expect(aborted).toMatchObject({ name: 'NangoAbortedError', instance: 'dev' });
    } finally {
      removeRule();
    }
  });

  it('a named instance does not provide the default NangoService', async () => {
    @Injectable()
    class DefaultConsumer {
      constructor(readonly nango: NangoService) {}
    }
    @Module({ providers: [DefaultConsumer] })
    class DefaultFeature {}
    await expect(
      Test.createTestingModule({
        imports: [
          NangoModule.forRoot({ name: 'prod', secretKey: prodNango.secretKey, isGlobal: true }),
          DefaultFeature,
        ],
      }).compile(),
    ).rejects.toThrow(/resolve dependencies of the DefaultConsumer \(\?\)/);
  });

  it("name 'default' is the default instance", async () => {
    moduleRef = await Test.createTestingModule({
      imports: [NangoModule.forRoot({ name: 'default', secretKey: prodNango.secretKey })],
    }).compile();
    expect(moduleRef.get(NangoService)).toBeInstanceOf(NangoService);
    expect(moduleRef.get<ResolvedNangoOptions>(NANGO_OPTIONS).name).toBeUndefined();
  });

  it('a configuration error names the instance, never a value', async () => {
    const error = await Test.createTestingModule({
      imports: [
        NangoModule.forRootAsync({
          name: 'prod',
          useFactory: () => ({ secretKey: 'has space SECRET', timeout: -1 }),
        }),
      ],
    })
      .compile()
      .catch((e: unknown) => e);
    expect(error).toBeInstanceOf(NangoConfigurationError);
    expect((error as Error).message).toMatch(
      /^Invalid NangoModule options of instance "prod":\n- secretKey: /,
    );
    expect((error as NangoConfigurationError).fields).toEqual(['secretKey', 'timeout']);
    expect((error as Error).message).not.toContain('SECRET');
  });

  it.each([[''], ['has space'], [42]])('refuses the instance name %p', (name) => {
    expect(() =>
      NangoModule.forRoot({ name: name as string, secretKey: prodNango.secretKey }),
    ).toThrow(NangoConfigurationError);
    expect(() =>
      NangoModule.forRoot({ name: name as string, secretKey: prodNango.secretKey }),
    ).toThrow(/name: must be a string of 1 to 100 printable characters/);
  });
});
