import 'reflect-metadata';
import { Module } from '@nestjs/common';
import { Test, type TestingModule } from '@nestjs/testing';
import {
  NangoModule,
  NangoRateLimitError,
  NangoReconnectRequiredError,
  NangoService,
  NangoConfigurationError,
} from '../lib/index.js';
import { NESTJS_NANGO_VERSION } from '../lib/nango.version.js';
import { NANGO_MODULE_OPTIONS } from '../lib/nango.module-definition.js';
import { NangoStandIn, NangoTestingModule } from '../lib/testing/index.js';
import { seedConnections } from './fixtures/seed.js';
import { ReposModule, ReposService } from './fixtures/apps/repos.app.js';

describe('NangoTestingModule.forStandIn', () => {
  let standIn: NangoStandIn;
  let moduleRef: TestingModule | undefined;

  beforeAll(async () => {
    standIn = await NangoStandIn.start({ connections: seedConnections() });
  });
  afterEach(async () => {
    await moduleRef?.close();
    moduleRef = undefined;
    standIn.clearRequests();
  });
  afterAll(async () => {
    await standIn.close();
  });

  it("points NangoModule at the stand-in, globally, for the app's own services", async () => {
    moduleRef = await Test.createTestingModule({
      imports: [NangoTestingModule.forStandIn(standIn), ReposModule],
    }).compile();
    expect(moduleRef.get(NangoStandIn)).toBe(standIn);
    await expect(moduleRef.get(ReposService).login('conn-oauth2')).resolves.toMatchObject({
      echo: { method: 'GET', url: '/user', headers: { authorization: 'Bearer gh-access-token-1' } },
    });
    expect(standIn.requests.at(-1)?.headers['authorization']).toBe(`Bearer ${standIn.secretKey}`);
  });

  it('passes other NangoModule options on, and isGlobal: false keeps it local', async () => {
    @Module({
      imports: [NangoTestingModule.forStandIn(standIn, { isGlobal: false, userAgent: 'kit/1' })],
      providers: [ReposService],
    })
    class LocalModule {}
    moduleRef = await Test.createTestingModule({ imports: [LocalModule] }).compile();
    await moduleRef.get(ReposService).login('conn-oauth2');
    expect(standIn.requests.at(-1)?.headers['user-agent']).toBe(
      `nestjs-nango/${NESTJS_NANGO_VERSION} kit/1`,
    );
    await expect(
      Test.createTestingModule({
        imports: [NangoTestingModule.forStandIn(standIn, { isGlobal: false }), ReposModule],
      }).compile(),
    ).rejects.toThrow(/NangoService/);
  });

  it('scripted answers reach the app as typed errors', async () => {
    moduleRef = await Test.createTestingModule({
      imports: [NangoTestingModule.forStandIn(standIn)],
    }).compile();
    const nango = moduleRef.get(NangoService);
    standIn.script({
      path: '/connections/conn-oauth2',
      times: 1,
      respond: { status: 429, headers: { 'retry-after': '7' }, body: {} },
    });
    const error = await nango.getToken('github', 'conn-oauth2').catch((e: unknown) => e);
    expect(error).toBeInstanceOf(NangoRateLimitError);
    expect((error as NangoRateLimitError).retryAfter).toBe(7);
    await expect(nango.getToken('github', 'conn-broken')).rejects.toBeInstanceOf(
      NangoReconnectRequiredError,
    );
  });

  it('bad options still fail at start-up', async () => {
    await expect(
      Test.createTestingModule({
        imports: [NangoTestingModule.forStandIn(standIn, { timeout: -1 })],
      }).compile(),
    ).rejects.toBeInstanceOf(NangoConfigurationError);
  });
});

describe('NangoTestingModule.withStandIn', () => {
  it('starts a seeded stand-in with the app, provides it, and closes it with the app', async () => {
    const moduleRef = await Test.createTestingModule({
      imports: [
        NangoTestingModule.withStandIn({ connections: seedConnections() }, { userAgent: 'kit/2' }),
        ReposModule,
      ],
    }).compile();
    const standIn = moduleRef.get(NangoStandIn);
    try {
      expect(standIn).toBeInstanceOf(NangoStandIn);
      await expect(moduleRef.get(NangoService).getToken('jira', 'conn-apikey')).resolves.toEqual({
        type: 'API_KEY',
        apiKey: 'jira-api-key-123',
      });
      await moduleRef.get(ReposService).login('conn-oauth2');
      expect(standIn.count({ method: 'GET', path: '/proxy/user' })).toBe(1);
      expect(standIn.requests.at(-1)?.headers['user-agent']).toBe(
        `nestjs-nango/${NESTJS_NANGO_VERSION} kit/2`,
      );
    } finally {
      await moduleRef.close();
    }
    // fetch errors come from another realm under jest's vm modules: match on the message.
    await expect(fetch(`${standIn.url}/connections`)).rejects.toMatchObject({
      message: 'fetch failed',
    });
  });

  it('two apps get two stand-ins', async () => {
    const a = await Test.createTestingModule({
      imports: [NangoTestingModule.withStandIn({ secretKey: 'a' })],
    }).compile();
    const b = await Test.createTestingModule({
      imports: [NangoTestingModule.withStandIn()],
    }).compile();
    try {
      expect(a.get(NangoStandIn).secretKey).toBe('a');
      expect(a.get(NangoStandIn).url).not.toBe(b.get(NangoStandIn).url);
    } finally {
      await a.close();
      await b.close();
    }
  });
});

describe("a user's AppModule, pointed at the stand-in in its tests", () => {
  it('overrideProvider(NANGO_MODULE_OPTIONS) swaps the real options for the stand-in', async () => {
    @Module({
      imports: [NangoModule.forRoot({ secretKey: 'real-key', isGlobal: true }), ReposModule],
    })
    class AppModule {}
    const standIn = await NangoStandIn.start({ connections: seedConnections() });
    const moduleRef = await Test.createTestingModule({ imports: [AppModule] })
      .overrideProvider(NANGO_MODULE_OPTIONS)
      .useValue({ secretKey: standIn.secretKey, host: standIn.url })
      .compile();
    try {
      await expect(moduleRef.get(ReposService).login('conn-oauth2')).resolves.toMatchObject({
        echo: { url: '/user' },
      });
      expect(standIn.count({ path: '/proxy/user' })).toBe(1);
    } finally {
      await moduleRef.close();
      await standIn.close();
    }
  });
});
