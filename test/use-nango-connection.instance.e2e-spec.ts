import 'reflect-metadata';
import type { INestApplication } from '@nestjs/common';
import { Test } from '@nestjs/testing';
import { NangoModule } from '../lib/index.js';
import { NangoStandIn, type StandInConnectionSeed } from '../lib/testing/index.js';
import { EnvironmentsController } from './fixtures/apps/use-nango-connection.instance.app.js';

const seed = (token: string): StandInConnectionSeed => ({
  connectionId: 'user-1',
  providerConfigKey: 'github',
  credentials: { type: 'OAUTH2', access_token: token, raw: {} },
});

describe('@UseNangoConnection({ instance }) with named Nango instances', () => {
  let prod: NangoStandIn;
  let dev: NangoStandIn;
  let app: INestApplication;
  let base: string;

  beforeAll(async () => {
    prod = await NangoStandIn.start({ connections: [seed('prod-token')] });
    dev = await NangoStandIn.start({ connections: [seed('dev-token')] });
    const moduleRef = await Test.createTestingModule({
      imports: [
        NangoModule.forRoot({
          name: 'prod',
          isGlobal: true,
          secretKey: prod.secretKey,
          host: prod.url,
          // This instance's own default: the connection id comes from a header.
          defaultConnection: { connectionId: { header: 'x-user' } },
        }),
        NangoModule.forRootAsync({
          name: 'dev',
          isGlobal: true,
          useFactory: () => ({ secretKey: dev.secretKey, host: dev.url }),
        }),
      ],
      controllers: [EnvironmentsController],
    }).compile();
    app = moduleRef.createNestApplication({ logger: false });
    await app.listen(0, '127.0.0.1');
    base = await app.getUrl();
  });

  afterAll(async () => {
    await app?.close();
    await prod?.close();
    await dev?.close();
  });

  it("each route gets its own instance's credentials, and the instance's own defaultConnection", async () => {
    const fromProd = await fetch(`${base}/prod`, { headers: { 'x-user': 'user-1' } });
    expect(fromProd.status).toBe(200);
    await expect(fromProd.json()).resolves.toEqual({ token: 'prod-token' });
    expect(prod.count({ path: '/connections/user-1' })).toBe(1);

    const fromDev = await fetch(`${base}/dev?user=user-1`);
    expect(fromDev.status).toBe(200);
    await expect(fromDev.json()).resolves.toEqual({ token: 'dev-token' });
    expect(dev.count({ path: '/connections/user-1' })).toBe(1);
  });

  it("the dev instance has no default: without ?user it is a 400, prod's default is not borrowed", async () => {
    const response = await fetch(`${base}/dev`, { headers: { 'x-user': 'user-1' } });
    expect(response.status).toBe(400);
  });
});
