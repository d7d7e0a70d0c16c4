import { Test } from '@nestjs/testing';
import { INestApplication } from '@nestjs/common';
import { FastifyAdapter } from '@nestjs/platform-fastify';
import { NANGO_MODULE_OPTIONS, NangoStandIn, StandInAnswers } from 'nestjs-nango/testing';
import { AppModule } from './../src/app.module';

// The README's "Testing your app": AppModule keeps its forRootAsync (which calls
// config.getOrThrow('NANGO_SECRET_KEY')); the test replaces the options it produces, so the
// factory never runs and no NANGO_SECRET_KEY is needed. Express and Fastify, over real HTTP.
describe.each(['express', 'fastify'])('nestjs-nango on %s (e2e)', (platform) => {
  let standIn: NangoStandIn;
  let app: INestApplication;
  let base: string;

  beforeEach(async () => {
    standIn = await NangoStandIn.start({
      connections: [
        {
          connectionId: 'user-1',
          providerConfigKey: 'github',
          credentials: { type: 'OAUTH2', access_token: 'token-of-user-1', raw: {} },
        },
      ],
    });
    const moduleRef = await Test.createTestingModule({ imports: [AppModule] })
      .overrideProvider(NANGO_MODULE_OPTIONS)
      .useValue({ secretKey: standIn.secretKey, host: standIn.url })
      .compile();
    app =
      platform === 'fastify'
        ? moduleRef.createNestApplication(new FastifyAdapter(), { rawBody: true })
        : moduleRef.createNestApplication({ rawBody: true });
    await app.listen(0, '127.0.0.1');
    base = await app.getUrl();
  });

  afterEach(async () => {
    await app.close();
    await standIn.close();
  });

  it('GET /github/token-info hands the handler the connection token', async () => {
    const response = await fetch(`${base}/github/token-info`, {
      headers: { 'x-user-id': 'user-1' },
    });
    expect(response.status).toBe(200);
    expect(await response.json()).toEqual({ hasToken: true });
    expect(standIn.count({ method: 'GET', path: '/connections/user-1' })).toBe(1);
  });

  it('GET /github/repos goes through the Nango proxy', async () => {
    standIn.script({
      path: '/proxy/user/repos',
      respond: StandInAnswers.json([{ name: 'app' }]),
    });
    const response = await fetch(`${base}/github/repos`, {
      headers: { 'x-user-id': 'user-1' },
    });
    expect(response.status).toBe(200);
    expect(await response.json()).toEqual([{ name: 'app' }]);
  });

  it('an unknown connection is a 404, not a 500', async () => {
    const response = await fetch(`${base}/github/token-info`, {
      headers: { 'x-user-id': 'nobody' },
    });
    expect(response.status).toBe(404);
  });
});
