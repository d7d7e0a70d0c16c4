import type { INestApplication, NestApplicationOptions } from '@nestjs/common';
import { NestFactory } from '@nestjs/core';
import type { AddressInfo } from 'node:net';
import type { NangoStandIn } from '../../lib/testing/index.js';
import { AppModule } from './app.module.js';
import { startEmbeddedNango } from './nango/embedded-nango.js';
import { TRY_IT, curlLine } from './try-it.js';

/** Options of {@link startSample}. */
export interface StartSampleOptions {
  /** Port on 127.0.0.1; `0` picks a free one. Default `PORT` or 3000. */
  port?: number;
  /** Where the sample's own lines go (Nest's logger in `main.ts`). */
  log?: (line: string) => void;
  /** Options of `NestFactory.create` (e.g. `{ logger: false }` in tests). */
  nest?: NestApplicationOptions;
}

/** A running sample app. */
export interface RunningSample {
  app: INestApplication;
  /** `http://127.0.0.1:<port>` */
  url: string;
  /** The embedded Nango stand-in, when `NANGO_SECRET_KEY` was not set. */
  standIn?: NangoStandIn;
  /** Closes the app, then the embedded stand-in. */
  close(): Promise<void>;
}

/**
 * Starts the sample. Without `NANGO_SECRET_KEY` (in the environment or `.env`), it first starts
 * the package's Nango stand-in with demo connections and points `NANGO_SECRET_KEY` /
 * `NANGO_HOST` at it; with a key, it talks to Nango Cloud (or `NANGO_HOST`) unchanged.
 */
export async function startSample(options: StartSampleOptions = {}): Promise<RunningSample> {
  const log = options.log ?? (() => undefined);
  let standIn: NangoStandIn | undefined;
  if (!process.env['NANGO_SECRET_KEY']) {
    standIn = await startEmbeddedNango();
    process.env['NANGO_SECRET_KEY'] = standIn.secretKey;
    process.env['NANGO_HOST'] = standIn.url;
    log(
      `NANGO_SECRET_KEY is not set: using an embedded Nango stand-in at ${standIn.url} with demo ` +
        'connections (user-1, user-2, user-3). Set NANGO_SECRET_KEY (and NANGO_HOST) to use your Nango.',
    );
  } else {
    log(`Using Nango at ${process.env['NANGO_HOST'] || 'https://api.nango.dev'}.`);
  }
  let app: INestApplication;
  try {
    // rawBody: the webhook route verifies Nango's signature over the exact bytes.
    app = await NestFactory.create(AppModule, { rawBody: true, ...options.nest });
    app.enableShutdownHooks();
    await app.listen(options.port ?? Number(process.env['PORT'] ?? 3000), '127.0.0.1');
  } catch (error) {
    await standIn?.close();
    throw error;
  }
  const { port } = app.getHttpServer().address() as AddressInfo;
  const url = `http://127.0.0.1:${port}`;
  // The embedded stand-in posts its webhooks (e.g. completeConnect()'s auth webhook) here.
  standIn?.setWebhookTarget(`${url}/nango/webhooks`);
  // A sync run of user-1's GitHub issues: its webhook makes SyncedIssues (@OnNangoRecords())
  // store them; GET /synced/issues shows them.
  await standIn?.sync({
    providerConfigKey: 'github',
    connectionId: 'user-1',
    model: 'GithubIssue',
    added: [
      { id: '1', title: 'Try nestjs-nango', state: 'open' },
      { id: '2', title: 'Read docs/records.md', state: 'open' },
    ],
  });
  const lines = TRY_IT.map((request) => `  ${curlLine(url, request)}`);
  log(`Listening on ${url}. Try:\n${lines.join('\n')}`);
  return {
    app,
    url,
    standIn,
    close: async () => {
      await app.close();
      await standIn?.close();
    },
  };
}
