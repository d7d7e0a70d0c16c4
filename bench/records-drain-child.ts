// One drain of the records benchmark, in a process of its own (so its RSS is its own). MODE=loop
// is the loop teams write by hand over @nangohq/node (fetch a page, write it, save the cursor,
// repeat); MODE=decorator drains the same stream through a Nest app with an @OnNangoRecords()
// handler, started by NangoRecordsService.drain(); MODE=webhooks drains the streams of
// CONNECTION_IDS at once while a worker thread posts signed sync webhooks to the app's route,
// timing its answers. It prints one JSON line: records, seconds, peak RSS growth in MB (and the route's
// answer times in ms for MODE=webhooks).
import 'reflect-metadata';
import { Injectable, Module, type INestApplicationContext } from '@nestjs/common';
import { NestFactory } from '@nestjs/core';
import { Nango } from '@nangohq/node';
import { setTimeout as sleep } from 'node:timers/promises';
import {
  NangoModule,
  NangoRecordsService,
  OnNangoRecords,
  type NangoRecordsBatch,
} from '../lib/index.js';
import { Worker } from 'node:worker_threads';
import type { WebhookPosterData } from './records-webhook-poster.js';

const { MODE = 'loop', NANGO_URL = '', SECRET_KEY = '', PROVIDER_CONFIG_KEY = '' } = process.env;
const MODEL = process.env['MODEL'] ?? '';
const CONNECTION_IDS = (process.env['CONNECTION_IDS'] ?? '').split(',');
const CONNECTION_ID = CONNECTION_IDS[0] ?? '';
const PAGE = Number(process.env['PAGE'] ?? 100);
const WRITE_MS = Number(process.env['WRITE_MS'] ?? 5);
const SIGNING_KEY = 'whsk-bench-records';
const WEBHOOK_PATH = 'nango/webhooks';

/** The handler's work per page: a stand-in for a database write. */
const write = (): Promise<unknown> => sleep(WRITE_MS);

/** Samples the RSS every 10 ms; `stop()` gives the peak growth over the start, in MB. */
function rssPeak(): () => number {
  const start = process.memoryUsage.rss();
  let peak = start;
  const timer = setInterval(() => {
    peak = Math.max(peak, process.memoryUsage.rss());
  }, 10);
  return () => {
    clearInterval(timer);
    peak = Math.max(peak, process.memoryUsage.rss());
    return (peak - start) / 1024 / 1024;
  };
}

/** The hand-written loop: one page at a time, the cursor saved after the write. */
async function handWritten(): Promise<number> {
  const nango = new Nango({ host: NANGO_URL, secretKey: SECRET_KEY });
  const cursors = new Map<string, string>();
  const key = `${PROVIDER_CONFIG_KEY}/${CONNECTION_ID}/${MODEL}`;
  let records = 0;
  for (;;) {
    const cursor = cursors.get(key);
    const page = await nango.listRecords({
      providerConfigKey: PROVIDER_CONFIG_KEY,
      connectionId: CONNECTION_ID,
      model: MODEL,
      limit: PAGE,
      ...(cursor === undefined ? {} : { cursor }),
    });
    await write();
    records += page.records.length;
    const last = page.records.at(-1);
    if (last !== undefined) cursors.set(key, last._nango_metadata.cursor);
    if (page.next_cursor === null) return records;
  }
}

/** The app's handler: the same write per page, counting what it was handed. */
@Injectable()
class BenchRecords {
  records = 0;

  @OnNangoRecords({ model: MODEL })
  async onPage(batch: NangoRecordsBatch): Promise<void> {
    await write();
    this.records += batch.records.length;
  }
}

@Module({
  imports: [
    NangoModule.forRoot({
      secretKey: SECRET_KEY,
      host: NANGO_URL,
      webhookSigningKey: SIGNING_KEY,
      webhooks: { path: WEBHOOK_PATH },
      records: { pageSize: PAGE, concurrency: CONNECTION_IDS.length },
    }),
  ],
  providers: [BenchRecords],
})
class BenchRecordsModule {}

/** Drains every stream of CONNECTION_IDS with NangoRecordsService.drain(), all at once. */
async function drainAll(app: INestApplicationContext): Promise<number> {
  const service = app.get(NangoRecordsService);
  await Promise.all(
    CONNECTION_IDS.map((connectionId) =>
      service.drain({ providerConfigKey: PROVIDER_CONFIG_KEY, connectionId, model: MODEL }),
    ),
  );
  return app.get(BenchRecords).records;
}

/**
 * Posts sync webhooks from a worker thread (bench/records-webhook-poster.ts) while `draining`
 * runs; the answer time of each, in ms.
 */
async function postWhile(url: string, draining: Promise<unknown>): Promise<number[]> {
  const data: WebhookPosterData = {
    url,
    connectionIds: CONNECTION_IDS,
    providerConfigKey: PROVIDER_CONFIG_KEY,
    model: MODEL,
    signingKey: SIGNING_KEY,
  };
  const poster = new Worker(new URL('./records-webhook-poster.js', import.meta.url), {
    workerData: data,
  });
  const answers = new Promise<number[]>((resolve, reject) => {
    poster.once('message', resolve);
    poster.once('error', reject);
  });
  await draining;
  poster.postMessage('stop');
  return answers;
}

async function measure(): Promise<object> {
  if (MODE === 'loop') {
    const stop = rssPeak();
    const started = performance.now();
    const records = await handWritten();
    return { records, seconds: (performance.now() - started) / 1000, peakRssMb: stop() };
  }
  if (MODE === 'decorator') {
    const context = await NestFactory.createApplicationContext(BenchRecordsModule, {
      logger: ['error'],
    });
    try {
      const stop = rssPeak();
      const started = performance.now();
      const records = await drainAll(context);
      return { records, seconds: (performance.now() - started) / 1000, peakRssMb: stop() };
    } finally {
      await context.close();
    }
  }
  const app = await NestFactory.create(BenchRecordsModule, { rawBody: true, logger: ['error'] });
  await app.listen(0, '127.0.0.1');
  try {
    const stop = rssPeak();
    const started = performance.now();
    const draining = drainAll(app);
    const answersMs = await postWhile(`${await app.getUrl()}/${WEBHOOK_PATH}`, draining);
    const records = await draining;
    return { records, seconds: (performance.now() - started) / 1000, peakRssMb: stop(), answersMs };
  } finally {
    await app.close();
  }
}

console.log(JSON.stringify(await measure()));
process.exit(0);
