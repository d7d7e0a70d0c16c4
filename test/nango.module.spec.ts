import 'reflect-metadata';
import { Injectable, Module } from '@nestjs/common';
import { Test } from '@nestjs/testing';
import { HttpService } from '@nestjs/axios';
import {
  NangoConfigurationError,
  NangoModule,
  NangoService,
  InjectNango,
  getNangoServiceToken,
  type NangoModuleOptions,
  type ResolvedNangoOptions,
} from '../lib/index.js';
import { NANGO_DEFAULT_RETRY } from '../lib/nango.constants.js';
import { NANGO_OPTIONS } from '../lib/nango.internal-constants.js';
import { NESTJS_NANGO_VERSION } from '../lib/nango.version.js';
import { NANGO_HTTP_SERVICE } from '../lib/nango.tokens.js';
import { readFileSync } from 'node:fs';
import { inspect } from 'node:util';
import {
  ConfigModule,
  FactoryModule,
  NangoConfigService,
  OptionsFactory,
  OptionsFromConfig,
  SECRET,
} from './fixtures/apps/options-factories.app.js';

async function optionsOf(imports: Parameters<typeof Test.createTestingModule>[0]['imports']) {
  const moduleRef = await Test.createTestingModule({ imports }).compile();
  const options = moduleRef.get<ResolvedNangoOptions>(NANGO_OPTIONS);
  const http = moduleRef.get<HttpService>(NANGO_HTTP_SERVICE);
  const service = moduleRef.get(NangoService);
  await moduleRef.close();
  return { options, http, service };
}

describe('NangoModule', () => {
  it('forRoot applies defaults once and builds its own axios instance', async () => {
    const { options, http, service } = await optionsOf([
      NangoModule.forRoot({ secretKey: SECRET }),
    ]);
    expect(options).toEqual({
      secretKey: SECRET,
      host: 'https://api.nango.dev',
      timeout: 30_000,
      userAgent: `nestjs-nango/${NESTJS_NANGO_VERSION}`,
      cache: false,
      retry: NANGO_DEFAULT_RETRY,
    });
    expect(service).toBeInstanceOf(NangoService);
    expect(http.axiosRef.defaults.baseURL).toBe('https://api.nango.dev');
    expect(http.axiosRef.defaults.timeout).toBe(30_000);
    expect(http.axiosRef.defaults.headers['Authorization']).toBe(`Bearer ${SECRET}`);
    expect(http.axiosRef.defaults.httpAgent.keepAlive).toBe(true);
    expect(http.axiosRef.defaults.httpsAgent.keepAlive).toBe(true);
  });

  it('the version constant matches package.json', () => {
    const pkg = JSON.parse(readFileSync(new URL('../package.json', import.meta.url), 'utf8')) as {
      version: string;
    };
    expect(NESTJS_NANGO_VERSION).toBe(pkg.version);
  });

  it('forRootAsync useFactory with imports and inject', async () => {
    const { options } = await optionsOf([
      NangoModule.forRootAsync({
        imports: [ConfigModule],
        inject: [NangoConfigService],
        useFactory: (config: NangoConfigService) => ({
          secretKey: config.secretKey,
          host: config.host,
        }),
      }),
    ]);
    expect(options.host).toBe('http://localhost:3003');
    expect(options.secretKey).toBe(SECRET);
  });

  it('forRootAsync useClass', async () => {
    const { options } = await optionsOf([NangoModule.forRootAsync({ useClass: OptionsFactory })]);
    expect(options).toEqual({
      secretKey: SECRET,
      host: 'https://nango.example.com/api',
      timeout: 5000,
      userAgent: `nestjs-nango/${NESTJS_NANGO_VERSION} my-app/1.0`,
      cache: false,
      retry: NANGO_DEFAULT_RETRY,
    });
  });

  it('forRootAsync useClass with imports: the class injects what the imported module exports', async () => {
    const { options } = await optionsOf([
      NangoModule.forRootAsync({ imports: [ConfigModule], useClass: OptionsFromConfig }),
    ]);
    expect(options.host).toBe('http://localhost:3003');
    expect(options.secretKey).toBe(SECRET);
  });

  it('forRootAsync useExisting', async () => {
    const { options } = await optionsOf([
      NangoModule.forRootAsync({ imports: [FactoryModule], useExisting: OptionsFactory }),
    ]);
    expect(options.timeout).toBe(5000);
  });

  it('secretKey and apiKey may both be set when equal', async () => {
    const { options } = await optionsOf([
      NangoModule.forRoot({ secretKey: SECRET, apiKey: SECRET }),
    ]);
    expect(options.secretKey).toBe(SECRET);
  });

  describe('isGlobal', () => {
    @Injectable()
    class Consumer {
      constructor(readonly nango: NangoService) {}
    }
    @Module({ providers: [Consumer] })
    class FeatureModule {}

    it('is off by default: a module that does not import NangoModule cannot inject NangoService', async () => {
      await expect(
        Test.createTestingModule({
          imports: [NangoModule.forRoot({ secretKey: SECRET }), FeatureModule],
        }).compile(),
      ).rejects.toThrow(/NangoService/);
    });

    it('isGlobal: true makes NangoService injectable everywhere, and never reaches the options', async () => {
      const moduleRef = await Test.createTestingModule({
        imports: [NangoModule.forRoot({ secretKey: SECRET, isGlobal: true }), FeatureModule],
      }).compile();
      expect(moduleRef.get(Consumer).nango).toBeInstanceOf(NangoService);
      expect(Object.keys(moduleRef.get(NANGO_OPTIONS))).not.toContain('isGlobal');
      await moduleRef.close();
    });

    it('isGlobal works with forRootAsync', async () => {
      const moduleRef = await Test.createTestingModule({
        imports: [
          NangoModule.forRootAsync({ isGlobal: true, useFactory: () => ({ secretKey: SECRET }) }),
          FeatureModule,
        ],
      }).compile();
      expect(moduleRef.get(Consumer).nango).toBeInstanceOf(NangoService);
      await moduleRef.close();
    });
  });

  describe('rejects bad options at compile(), naming each field and never the secret', () => {
    const cases: Array<[string, unknown, string[]]> = [
      ['no key at all', {}, ['secretKey']],
      ['secretKey and apiKey differ', { secretKey: SECRET, apiKey: `${SECRET}-other` }, ['apiKey']],
      ['empty secretKey', { secretKey: '' }, ['secretKey']],
      ['secretKey with CR/LF', { secretKey: `${SECRET}\r\nX-Evil: 1` }, ['secretKey']],
      ['secretKey not a string', { secretKey: 42 }, ['secretKey']],
      ['host without scheme', { secretKey: SECRET, host: 'api.nango.dev' }, ['host']],
      ['host with ftp scheme', { secretKey: SECRET, host: 'ftp://api.nango.dev' }, ['host']],
      ['timeout 0', { secretKey: SECRET, timeout: 0 }, ['timeout']],
      ['timeout negative', { secretKey: SECRET, timeout: -5 }, ['timeout']],
      ['timeout infinite', { secretKey: SECRET, timeout: Infinity }, ['timeout']],
      ['timeout too long', { secretKey: SECRET, timeout: 600_001 }, ['timeout']],
      ['timeout not a number', { secretKey: SECRET, timeout: '30s' }, ['timeout']],
      ['userAgent with newline', { secretKey: SECRET, userAgent: 'a\nb' }, ['userAgent']],
      ['unknown option', { secretKey: SECRET, secretkey: SECRET }, ['secretkey']],
      [
        'several at once',
        { secretKey: SECRET, host: 'nope', timeout: 0, userAgent: 'x\r\n' },
        ['host', 'timeout', 'userAgent'],
      ],
    ];

    it.each(cases)('%s', async (_name, options, fields) => {
      const error: unknown = await Test.createTestingModule({
        imports: [NangoModule.forRoot(options as NangoModuleOptions)],
      })
        .compile()
        .then(
          () => undefined,
          (e: unknown) => e,
        );
      expect(error).toBeInstanceOf(NangoConfigurationError);
      const configError = error as NangoConfigurationError;
      expect(configError.fields.sort()).toEqual([...fields].sort());
      for (const field of fields) expect(configError.message).toContain(`- ${field}:`);
      for (const text of [
        configError.message,
        configError.stack ?? '',
        JSON.stringify(configError),
        inspect(configError),
      ]) {
        expect(text).not.toContain(SECRET);
      }
    });

    it('rejects through forRootAsync too', async () => {
      await expect(
        Test.createTestingModule({
          imports: [
            NangoModule.forRootAsync({
              useFactory: async () => ({ secretKey: SECRET, host: 'x' }),
            }),
          ],
        }).compile(),
      ).rejects.toThrow(/- host: must be an http\(s\) URL/);
    });
  });
});

describe('InjectNango', () => {
  it('injects the default NangoService', async () => {
    @Injectable()
    class Consumer {
      constructor(@InjectNango() readonly nango: NangoService) {}
    }
    const moduleRef = await Test.createTestingModule({
      imports: [NangoModule.forRoot({ secretKey: SECRET })],
      providers: [Consumer],
    }).compile();
    expect(moduleRef.get(Consumer).nango).toBe(moduleRef.get(NangoService));
    expect(getNangoServiceToken()).toBe(NangoService);
    expect(getNangoServiceToken('default')).toBe(NangoService);
    await moduleRef.close();
  });
});
