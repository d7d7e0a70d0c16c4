import 'reflect-metadata';
import { Module } from '@nestjs/common';
import { NestFactory } from '@nestjs/core';
import { NangoConfigurationError, NangoModule, type NangoModuleOptions } from '../lib/index.js';

const SECRET = 'boot-secret-0d9c-MARKER';

function appWith(options: NangoModuleOptions) {
  @Module({ imports: [NangoModule.forRootAsync({ useFactory: () => options })] })
  class AppModule {}
  return AppModule;
}

describe('a bad Nango config stops the application from starting', () => {
  it('NestFactory.create()/init() rejects with NangoConfigurationError naming the fields', async () => {
    const logged: string[] = [];
    const logger = {
      log: (m: unknown) => logged.push(String(m)),
      error: (m: unknown) => logged.push(String(m)),
      warn: (m: unknown) => logged.push(String(m)),
      debug: () => undefined,
      verbose: () => undefined,
    };
    const error: unknown = await NestFactory.create(
      appWith({ secretKey: SECRET, host: 'not a url', timeout: -1 }),
      {
        abortOnError: false,
        logger,
      },
    )
      .then((app) => app.init().then(() => app.close()))
      .then(
        () => undefined,
        (e: unknown) => e,
      );
    expect(error).toBeInstanceOf(NangoConfigurationError);
    expect((error as NangoConfigurationError).fields.sort()).toEqual(['host', 'timeout']);
    for (const line of [...logged, (error as Error).message, (error as Error).stack ?? '']) {
      expect(line).not.toContain(SECRET);
    }
  });

  it('a good config starts and stops cleanly', async () => {
    const app = await NestFactory.create(
      appWith({ secretKey: SECRET, host: 'http://localhost:3003' }),
      {
        abortOnError: false,
        logger: false,
      },
    );
    await expect(app.init()).resolves.toBe(app);
    await app.close();
  });
});
