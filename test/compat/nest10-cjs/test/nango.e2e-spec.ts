import { Test } from '@nestjs/testing';
import { INestApplication } from '@nestjs/common';
import * as request from 'supertest';
import { NANGO_MODULE_OPTIONS } from 'nestjs-nango';
import { NangoStandIn, StandInAnswers } from 'nestjs-nango/testing';
import { AppModule } from './../src/app.module';

// The README's "Testing your app": AppModule keeps its forRootAsync (which calls
// config.getOrThrow('NANGO_SECRET_KEY')); the test replaces the options it produces, so the
// factory never runs and no NANGO_SECRET_KEY is needed.
describe('nestjs-nango (e2e)', () => {
  let standIn: NangoStandIn;
  let app: INestApplication;

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
    app = moduleRef.createNestApplication();
    await app.init();
  });

  afterEach(async () => {
    await app.close();
    await standIn.close();
  });

  it('GET /github/token-info hands the handler the connection token', async () => {
    await request(app.getHttpServer())
      .get('/github/token-info')
      .set('x-user-id', 'user-1')
      .expect(200)
      .expect({ hasToken: true });
    expect(standIn.count({ method: 'GET', path: '/connections/user-1' })).toBe(1);
  });

  it('GET /github/repos goes through the Nango proxy', async () => {
    standIn.script({
      path: '/proxy/user/repos',
      respond: StandInAnswers.json([{ name: 'app' }]),
    });
    await request(app.getHttpServer())
      .get('/github/repos')
      .set('x-user-id', 'user-1')
      .expect(200)
      .expect([{ name: 'app' }]);
  });

  it('an unknown connection is a 404, not a 500', async () => {
    await request(app.getHttpServer())
      .get('/github/token-info')
      .set('x-user-id', 'nobody')
      .expect(404);
  });
});
