// One drain of the records benchmark, in a process of its own (so its RSS is its own). MODE=loop
// is the loop teams write by hand over @nangohq/node (fetch a page, write it, save the cursor,
// repeat); MODE=decorator drains the same stream through a Nest app with an @OnNangoRecords()
// handler, started by NangoRecordsService.drain(); MODE=writes only awaits the handler's write
// once per page of RECORDS, one after the other, reading nothing (the floor of any drain that
// writes its pages in order); MODE=webhooks drains the streams of
// CONNECTION_IDS at once while a worker thread posts signed sync webhooks to the app's route,
// timing its answers (WORK=loop runs the hand-written loops instead, WORK=none nothing), and
// how busy its event loop was. It prints one JSON line: records, seconds, peak RSS growth in MB, the live
// heap's growth in MB when run with --expose-gc (and the route's answer times in ms for
// MODE=webhooks).
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
/** MODE=webhooks: the streams drained (by WORK) during the untimed warm-up. */
const WARM_UP_IDS = (process.env['WARM_UP_IDS'] ?? '').split(',').filter((id) => id !== '');
const CONNECTION_ID = CONNECTION_IDS[0] ?? '';
const PAGE = Number(process.env['PAGE'] ?? 100);
/** MODE=writes: the records whose pages are written. */
const RECORDS = Number(process.env['RECORDS'] ?? 0);
const WRITE_MS = Number(process.env['WRITE_MS'] ?? 5);
const SIGNING_KEY = 'whsk-bench-records';
/**
 * MODE=webhooks: what runs in the app while the route is timed: `decorator` (the streams
 * drained by @OnNangoRecords()), `loop` (the hand-written loop over each stream, at once) or
 * `none` (nothing, for {@link IDLE_MS}).
 */
const WORK = process.env['WORK'] ?? 'decorator';
const IDLE_MS = 1000;
const WARM_UP_MS = Number(process.env['WARM_UP_MS'] ?? 500);
const UNHANDLED_MODEL = 'NoHandler';
const WEBHOOK_PATH = 'nango/webhooks';

/** Run with --expose-gc: the live heap is measured at a few pages (see {@link liveHeap}). */
const gc = (globalThis as { gc?: () => void }).gc;
/** The pages at which the live heap is measured, when `gc` is exposed. */
const LIVE_AT = new Set([250, 500, 750]);

/**
 * What a full GC leaves on the heap, measured at a few pages of the drain: what the drain
 * holds (the page handled and the page read ahead), not the garbage V8 has not collected yet.
 * `start()` takes the base; `at(page)` measures at the pages of {@link LIVE_AT}; `max()` gives
 * the largest growth over the base, in MB (NaN without --expose-gc).
 */
const liveHeap = {
  base: 0,
  peak: NaN,
  start(): void {
    if (gc === undefined) return;
    gc();
    this.base = process.memoryUsage().heapUsed;
    this.peak = 0;
  },
  at(page: number): void {
    if (gc === undefined || !LIVE_AT.has(page)) return;
    gc();
    this.peak = Math.max(this.peak, process.memoryUsage().heapUsed - this.base);
  },
  max(): number {
    return this.peak / 1024 / 1024;
  },
};

let pages = 0;
/** The handler's work per page: a stand-in for a database write. */
const write = (): Promise<unknown> => {
  liveHeap.at(++pages);
  return sleep(WRITE_MS);
};

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
async function handWritten(connectionId: string): Promise<number> {
  const nango = new Nango({ host: NANGO_URL, secretKey: SECRET_KEY });
  const cursors = new Map<string, string>();
  const key = `${PROVIDER_CONFIG_KEY}/${connectionId}/${MODEL}`;
  let records = 0;
  for (;;) {
    const cursor = cursors.get(key);
    const page = await nango.listRecords({
      providerConfigKey: PROVIDER_CONFIG_KEY,
      connectionId,
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

/** The sum of the counts. */
async function sum(counts: Promise<number>[]): Promise<number> {
  return (await Promise.all(counts)).reduce((a, b) => a + b, 0);
}

/** Drains the streams of `connectionIds` with NangoRecordsService.drain(), all at once. */
async function drainAll(
  app: INestApplicationContext,
  connectionIds = CONNECTION_IDS,
): Promise<number> {
  const service = app.get(NangoRecordsService);
  const handler = app.get(BenchRecords);
  const before = handler.records;
  await Promise.all(
    connectionIds.map((connectionId) =>
      service.drain({ providerConfigKey: PROVIDER_CONFIG_KEY, connectionId, model: MODEL }),
    ),
  );
  return handler.records - before;
}

/** MODE=webhooks: the WORK of the app on `connectionIds` (none: for `idleMs`), and the model its webhooks name. */
function work(
  app: INestApplicationContext,
  connectionIds: string[],
  idleMs: number,
): [Promise<number>, string] {
  // The webhooks of the baselines name a model no handler takes: they start no drain.
  if (WORK === 'decorator') return [drainAll(app, connectionIds), MODEL];
  if (WORK === 'loop') return [sum(connectionIds.map(handWritten)), UNHANDLED_MODEL];
  return [sleep(idleMs).then(() => 0), UNHANDLED_MODEL];
}

/**
 * Posts sync webhooks from a worker thread (bench/records-webhook-poster.ts) while `draining`
 * runs; the answer time of each, in ms.
 */
async function postWhile(
  url: string,
  draining: Promise<unknown>,
  model: string,
): Promise<number[]> {
  const data: WebhookPosterData = {
    url,
    connectionIds: CONNECTION_IDS,
    providerConfigKey: PROVIDER_CONFIG_KEY,
    model,
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

/** One drain, timed: records, seconds, peak RSS growth and the live heap's growth. */
async function timed(drain: () => Promise<number>): Promise<object> {
  liveHeap.start();
  const stop = rssPeak();
  const started = performance.now();
  const records = await drain();
  const seconds = (performance.now() - started) / 1000;
  return { records, seconds, peakRssMb: stop(), liveHeapMb: liveHeap.max() };
}

async function measure(): Promise<object> {
  if (MODE === 'loop') return timed(() => handWritten(CONNECTION_ID));
  if (MODE === 'writes') {
    return timed(async () => {
      for (let page = 0; page < RECORDS / PAGE; page++) await write();
      return RECORDS;
    });
  }
  if (MODE === 'decorator') {
    const context = await NestFactory.createApplicationContext(BenchRecordsModule, {
      logger: ['error'],
    });
    try {
      return await timed(() => drainAll(context));
    } finally {
      await context.close();
    }
  }
  const app = await NestFactory.create(BenchRecordsModule, { rawBody: true, logger: ['error'] });
  await app.listen(0, '127.0.0.1');
  try {
    const url = `${await app.getUrl()}/${WEBHOOK_PATH}`;
    // Warm-up, untimed: the first answers of the route, and the first pages of the work beside
    // it, include compiling their code (a running app has compiled them long ago).
    const [warming] = work(app, WARM_UP_IDS, 0);
    await postWhile(url, Promise.all([sleep(WARM_UP_MS), warming]), UNHANDLED_MODEL);
    // No RSS sampling here: its timer would add work to the loop whose answers are timed.
    const started = performance.now();
    const loopBefore = performance.eventLoopUtilization();
    const [timedWork, model] = work(app, CONNECTION_IDS, IDLE_MS);
    const answersMs = await postWhile(url, timedWork, model);
    const records = await timedWork;
    // How much of the run the app's event loop was busy (1: never idle).
    const busy = performance.eventLoopUtilization(loopBefore).utilization;
    const seconds = (performance.now() - started) / 1000;
    return { records, seconds, answersMs, busy };
  } finally {
    await app.close();
  }
}

console.log(JSON.stringify(await measure()));
process.exit(0);
