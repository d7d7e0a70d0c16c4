// One replica of the shared-cache benchmark (bench/redis-cache.ts): a Nest app with a
// `@UseNangoConnection()` route, its credential cache in the shared Redis through Keyv.
import 'reflect-metadata';
import { Controller, Get, Module } from '@nestjs/common';
import { NestFactory } from '@nestjs/core';
import KeyvRedis from '@keyv/redis';
import Keyv from 'keyv';
import type { AddressInfo } from 'node:net';
import {
  InjectNangoToken,
  NangoModule,
  UseNangoConnection,
  type NangoToken,
} from '../lib/index.js';

const env = (name: string): string => {
  const value = process.env[name];
  if (value === undefined) throw new Error(`redis-replica: ${name} is not set`);
  return value;
};

@Controller()
class TokenController {
  @Get('token/:conn')
  @UseNangoConnection({ providerConfigKey: 'github', connectionId: { param: 'conn' } })
  token(@InjectNangoToken() token: NangoToken): unknown {
    return { ok: typeof token === 'string' };
  }
}

const adapter = new KeyvRedis(env('REDIS_URL'));
await adapter.getClient(); // connected before serving, as a real app would be once warm
const store = new Keyv(adapter);
const encryptionKey = process.env['CACHE_KEY'];

@Module({
  imports: [
    NangoModule.forRoot({
      secretKey: env('NANGO_SECRET_KEY'),
      host: env('NANGO_URL'),
      cache: {
        ttl: 300_000,
        store,
        ...(encryptionKey === undefined || encryptionKey === '' ? {} : { encryptionKey }),
      },
    }),
  ],
  controllers: [TokenController],
})
class ReplicaModule {}

const app = await NestFactory.create(ReplicaModule, { logger: ['error', 'warn'] });
await app.listen(0, '127.0.0.1');
const { port } = app.getHttpServer().address() as AddressInfo;
process.send?.({ type: 'ready', port });
process.on('message', (message: { type: string }) => {
  if (message.type === 'close') {
    void app
      .close()
      .then(() => adapter.disconnect(true))
      .then(() => process.exit(0));
  }
});
