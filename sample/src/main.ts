import 'reflect-metadata';
import { Logger } from '@nestjs/common';
import { NestFactory } from '@nestjs/core';
import { NangoStandIn } from '../../lib/testing/index.js';
import { AppModule, type SampleSettings } from './app.module.js';

const logger = new Logger('Sample');

async function settings(): Promise<{ settings: SampleSettings; standIn?: NangoStandIn }> {
  const secretKey = process.env['NANGO_SECRET_KEY'];
  if (secretKey) {
    return { settings: { secretKey, host: process.env['NANGO_HOST'] ?? 'https://api.nango.dev' } };
  }
  const standIn = await NangoStandIn.start({
    connections: [
      {
        connectionId: 'user-1',
        providerConfigKey: 'github',
        credentials: {
          type: 'OAUTH2',
          access_token: 'demo-github-token',
          expires_at: new Date(Date.now() + 3600_000).toISOString(),
          raw: {},
        },
      },
      {
        connectionId: 'user-1',
        providerConfigKey: 'jira',
        credentials: { type: 'API_KEY', apiKey: 'demo-jira-key' },
      },
    ],
  });
  logger.log(
    `NANGO_SECRET_KEY is not set: using an embedded Nango stand-in at ${standIn.url} with demo connections.`,
  );
  return { settings: { secretKey: standIn.secretKey, host: standIn.url }, standIn };
}

async function bootstrap(): Promise<void> {
  const { settings: config, standIn } = await settings();
  const app = await NestFactory.create(AppModule.forSettings(config));
  app.enableShutdownHooks();
  const port = Number(process.env['PORT'] ?? 3000);
  await app.listen(port, '127.0.0.1');
  const base = `http://127.0.0.1:${port}`;
  logger.log(
    `Try:\n  curl ${base}/connections\n  curl ${base}/integrations/github/connections/user-1/user` +
      `\n  curl -H 'x-user: user-1' ${base}/me/github`,
  );
  const stop = async () => {
    await app.close();
    await standIn?.close();
    process.exit(0);
  };
  process.once('SIGINT', () => void stop());
  process.once('SIGTERM', () => void stop());
}

void bootstrap();
