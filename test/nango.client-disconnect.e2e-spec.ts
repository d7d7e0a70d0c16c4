import 'reflect-metadata';
import {
  Controller,
  Get,
  Injectable,
  UseGuards,
  StreamableFile,
  type CanActivate,
  type INestApplication,
} from '@nestjs/common';
import { Test } from '@nestjs/testing';
import { ExpressAdapter } from '@nestjs/platform-express';
import { FastifyAdapter } from '@nestjs/platform-fastify';
import { request as httpRequest, type ClientRequest } from 'node:http';
import type { AddressInfo } from 'node:net';
import {
  InjectNangoConnection,
  InjectNangoToken,
  NangoModule,
  NangoService,
  UseNangoConnection,
  toStreamableFile,
  type NangoConnection,
  type NangoToken,
} from '../lib/index.js';
import type { NangoStandIn } from '../lib/testing/index.js';
import { eventually } from './fixtures/eventually.js';
import { startHangingStandIn } from './fixtures/hanging-stand-in.js';

/**
 * A client that hangs up while the interceptor waits for Nango cancels that Nango call (the
 * stand-in sees its request end) and its handler never runs; a fetch shared by several
 * requests stops only when the last of them has left.
 */

let handled = 0;
let arrived = 0;

/** Counts requests that reached the route (guards run just before the interceptor). */
@Injectable()
class Arrivals implements CanActivate {
  canActivate(): boolean {
    arrived++;
    return true;
  }
}

/** A proxied download streamed to the client. */
@Controller()
class DownloadController {
  constructor(private readonly nango: NangoService) {}

  @Get('download')
  async download(): Promise<StreamableFile> {
    return toStreamableFile(
      await this.nango.get({
        endpoint: '/bytes/500000000',
        providerConfigKey: 'github',
        connectionId: 'fast',
        responseType: 'stream',
      }),
    );
  }
}

@Controller()
@UseGuards(Arrivals)
class SlowController {
  @Get('token/:id')
  @UseNangoConnection({ providerConfigKey: 'github', connectionId: { param: 'id' } })
  token(@InjectNangoToken() token: NangoToken): unknown {
    handled++;
    return { token };
  }

  @Get('connection/:id')
  @UseNangoConnection({ providerConfigKey: 'github', connectionId: { param: 'id' } })
  connection(@InjectNangoConnection() connection: NangoConnection): unknown {
    handled++;
    return { id: connection.connection_id };
  }
}

describe.each(['express', 'fastify'] as const)('client disconnect on %s', (platform) => {
  let standIn: NangoStandIn;
  let app: INestApplication;
  let port: number;
  const clients: ClientRequest[] = [];

  beforeEach(async () => {
    handled = 0;
    arrived = 0;
    standIn = await startHangingStandIn();
    const moduleRef = await Test.createTestingModule({
      imports: [
        NangoModule.forRoot({ secretKey: standIn.secretKey, host: standIn.url, retry: false }),
      ],
      controllers: [SlowController, DownloadController],
    }).compile();
    app = moduleRef.createNestApplication(
      platform === 'express' ? new ExpressAdapter() : new FastifyAdapter(),
      { logger: false },
    );
    await app.listen(0, '127.0.0.1');
    port = (app.getHttpServer().address() as AddressInfo).port;
  });

  afterEach(async () => {
    for (const client of clients.splice(0)) client.destroy();
    await app?.close();
    await standIn?.close();
  });

  /** Starts a request that is never read; destroy it to hang up. */
  function open(path: string): ClientRequest {
    const client = httpRequest({ host: '127.0.0.1', port, path, agent: false });
    client.on('error', () => {});
    client.end();
    clients.push(client);
    return client;
  }

  const waitingAtNango = (n: number) =>
    eventually(
      () => standIn.requests.filter((r) => r.pathname.startsWith('/connections/slow')).length >= n,
      `${n} request(s) waiting at the stand-in`,
      10_000,
    );

  const nangoSockets = () => standIn.openConnections();

  it.each(['token', 'connection'])(
    'hanging up while /%s waits for Nango ends the Nango request; the handler never runs',
    async (route) => {
      const client = open(`/${route}/slow-1`);
      await waitingAtNango(1);
      expect(await nangoSockets()).toBe(1);
      client.destroy();
      await eventually(async () => (await nangoSockets()) === 0, 'the Nango request ended', 10_000);
      expect(handled).toBe(0);
      expect(standIn.requests).toHaveLength(1);
    },
  );

  it('a shared fetch goes on while one caller waits, and stops when the last one leaves', async () => {
    const first = open('/token/slow-2');
    await waitingAtNango(1);
    const second = open('/token/slow-2');
    // The second request joins the first one's fetch (single-flight) right after its guard.
    await eventually(() => arrived === 2, 'the second request reached the route', 10_000);
    await new Promise((resolve) => setTimeout(resolve, 50));
    first.destroy();
    await new Promise((resolve) => setTimeout(resolve, 300));
    // The second caller still waits: the one Nango request is still open.
    expect(await nangoSockets()).toBe(1);
    expect(standIn.requests).toHaveLength(1);
    second.destroy();
    await eventually(async () => (await nangoSockets()) === 0, 'the shared request ended', 10_000);
    expect(handled).toBe(0);
  });

  it('hanging up during a streamed proxy download ends the download from Nango', async () => {
    const client = open('/download');
    const received = await new Promise<number>((resolve, reject) => {
      client.once('response', (res) => {
        let bytes = 0;
        res.on('data', (chunk: Buffer) => {
          bytes += chunk.length;
          if (bytes >= 1024 * 1024) {
            res.removeAllListeners('data');
            resolve(bytes);
          }
        });
      });
      client.once('error', reject);
    });
    expect(received).toBeGreaterThan(0);
    expect(await nangoSockets()).toBe(1);
    client.destroy();
    await eventually(async () => (await nangoSockets()) === 0, 'the download ended', 10_000);
  });

  it('a client that stays gets its answer as before', async () => {
    const res = await fetch(`http://127.0.0.1:${port}/token/fast`);
    expect(res.status).toBe(200);
    await expect(res.json()).resolves.toEqual({ token: { type: 'API_KEY', apiKey: 'k' } });
    expect(handled).toBe(1);
  });
});
