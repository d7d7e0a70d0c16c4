import 'reflect-metadata';
import { Injectable, type INestApplication } from '@nestjs/common';
import { Test } from '@nestjs/testing';
import { TerminusModule } from '@nestjs/terminus';
import {
  NangoHealthIndicator,
  NangoModule,
  NangoUsageError,
  type NangoModuleOptions,
} from '../lib/index.js';
import { NangoStandIn } from '../lib/testing/index.js';
import { HealthController } from './fixtures/apps/health.app.js';

let standIn: NangoStandIn;
let app: INestApplication | undefined;

beforeAll(async () => {
  standIn = await NangoStandIn.start({
    connections: [
      {
        connectionId: 'c1',
        providerConfigKey: 'github',
        credentials: { type: 'API_KEY', apiKey: 'k' },
      },
    ],
  });
});

afterAll(async () => {
  await standIn.close();
});

afterEach(async () => {
  await app?.close();
  app = undefined;
});

async function health(
  main: NangoModuleOptions,
  dev: NangoModuleOptions,
): Promise<{ status: number; body: Record<string, Record<string, Record<string, unknown>>> }> {
  const moduleRef = await Test.createTestingModule({
    imports: [
      TerminusModule.forRoot({ logger: false }),
      NangoModule.forRoot(main),
      NangoModule.forRoot({ ...dev, name: 'dev' }),
    ],
    controllers: [HealthController],
    providers: [NangoHealthIndicator],
  }).compile();
  app = moduleRef.createNestApplication({ logger: false });
  await app.listen(0, '127.0.0.1');
  const url = (await app.getUrl()).replace('[::1]', '127.0.0.1');
  const res = await fetch(`${url}/health`);
  return { status: res.status, body: (await res.json()) as never };
}

describe('NangoHealthIndicator', () => {
  it('reports up with the latency, probing without spending a connection token', async () => {
    standIn.clearRequests();
    const { status, body } = await health(
      { secretKey: standIn.secretKey, host: standIn.url },
      { secretKey: standIn.secretKey, host: standIn.url },
    );
    expect(status).toBe(200);
    expect(body['info']?.['nango']).toEqual({ status: 'up', latencyMs: expect.any(Number) });
    expect(body['info']?.['nango_dev']).toEqual({
      status: 'up',
      instance: 'dev',
      latencyMs: expect.any(Number),
    });
    expect(standIn.requests.map((r) => `${r.method} ${r.url}`)).toEqual([
      'GET /connections?limit=1',
      'GET /connections?limit=1',
    ]);
  });

  it('reports a bad key and an unreachable Nango as down, with a 503', async () => {
    const closed = await NangoStandIn.start();
    const deadUrl = closed.url;
    await closed.close();
    const { status, body } = await health(
      { secretKey: 'not-the-key-SECRET', host: standIn.url },
      { secretKey: 'k', host: deadUrl },
    );
    expect(status).toBe(503);
    expect(body['error']?.['nango']).toMatchObject({
      status: 'down',
      reason: 'bad_key',
      latencyMs: expect.any(Number),
    });
    expect(body['error']?.['nango_dev']).toMatchObject({
      status: 'down',
      instance: 'dev',
      reason: 'unreachable',
    });
    expect(JSON.stringify(body)).not.toContain('not-the-key-SECRET');
  });

  it('reports a timeout and a 5xx as down, and a rate limit as degraded', async () => {
    const slow = await NangoStandIn.start();
    try {
      slow.script({ path: '/connections', respond: { status: 200, hang: true } });
      standIn.script({ path: '/connections', times: 1, respond: { status: 503 } });
      let result = await health(
        { secretKey: standIn.secretKey, host: standIn.url },
        { secretKey: slow.secretKey, host: slow.url },
      );
      expect(result.status).toBe(503);
      expect(result.body['error']?.['nango']).toMatchObject({
        status: 'down',
        reason: 'server_error',
      });
      expect(result.body['error']?.['nango_dev']).toMatchObject({
        status: 'down',
        reason: 'timeout',
      });
      await app?.close();
      standIn.script({
        path: '/connections',
        times: 1,
        respond: {
          status: 429,
          headers: { 'retry-after': '3' },
          body: { error: { code: 'too_many_request' } },
        },
      });
      result = await health(
        { secretKey: standIn.secretKey, host: standIn.url },
        { secretKey: standIn.secretKey, host: standIn.url },
      );
      expect(result.body['details']?.['nango']).toMatchObject({
        status: 'degraded',
        reason: 'rate_limited',
      });
    } finally {
      await slow.close();
    }
  });

  it('says to install @nestjs/terminus when it cannot be loaded', async () => {
    @Injectable()
    class WithoutTerminus extends NangoHealthIndicator {
      protected override importTerminus(): never {
        throw new Error("Cannot find package '@nestjs/terminus'");
      }
    }
    const moduleRef = await Test.createTestingModule({
      imports: [NangoModule.forRoot({ secretKey: standIn.secretKey, host: standIn.url })],
      providers: [WithoutTerminus],
    }).compile();
    try {
      const error = await moduleRef
        .get(WithoutTerminus)
        .isHealthy()
        .catch((e: unknown) => e);
      expect(error).toBeInstanceOf(NangoUsageError);
      expect((error as Error).message).toMatch(/Install it: npm i @nestjs\/terminus$/);
    } finally {
      await moduleRef.close();
    }
  });

  it('names a missing instance', async () => {
    const moduleRef = await Test.createTestingModule({
      imports: [NangoModule.forRoot({ secretKey: standIn.secretKey, host: standIn.url })],
      providers: [NangoHealthIndicator],
    }).compile();
    try {
      await expect(
        moduleRef.get(NangoHealthIndicator).isHealthy('nango', { instance: 'staging' }),
      ).rejects.toThrow(/found no Nango instance named "staging"/);
    } finally {
      await moduleRef.close();
    }
  });
});
