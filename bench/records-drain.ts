// Records delivery (issue 19): 100,000 records of 1 KB, pages of 100, drained from the stand-in
// into a handler that awaits 5 ms per page (a stand-in for a database write). Records/s and peak
// RSS growth of the loop teams write by hand over @nangohq/node and of @OnNangoRecords() (started
// by NangoRecordsService.drain()), with Node's defaults and in a 64 MB heap (with the live heap);
// the writes alone (the floor of any drain that writes its pages in order); then the webhook
// route's answer times alone, beside 10 hand-written loops, and while 10 streams drain (each
// scenario 5 times, their answers pooled).
// Each drain runs in a child process of its own, the stand-in on a thread of this one. Writes bench/results-records.md.
// Run by `npm run bench` (or BENCH_ONLY=records), or alone:
// `tsc -p bench/tsconfig.json && node bench/.tmp/bench/records-drain.js`.
import { execFile } from 'node:child_process';
import { randomUUID } from 'node:crypto';
import { writeFileSync } from 'node:fs';
import { cpus, loadavg } from 'node:os';
import { fileURLToPath } from 'node:url';
import { promisify } from 'node:util';
import { Worker } from 'node:worker_threads';
import type { BenchStream } from './records-stand-in-worker.js';

const RECORDS = 100_000;
const RECORD_BYTES = 1024;
const PAGE = 100;
const WRITE_MS = 5;
const PROVIDER_CONFIG_KEY = 'bench-records';
/** The webhook runs' untimed warm-up. */
const WARM_UP_MS = 500;
const ONLY = process.env['BENCH_ONLY'] !== undefined;
const run = promisify(execFile);

const secretKey = randomUUID();
const worker = new Worker(fileURLToPath(new URL('./records-stand-in-worker.js', import.meta.url)), {
  workerData: { secretKey, providerConfigKey: PROVIDER_CONFIG_KEY },
});
const url = await new Promise<string>((resolve) =>
  worker.once('message', (m: { url: string }) => resolve(m.url)),
);
function ask<T>(message: object): Promise<T> {
  return new Promise((resolve) => {
    worker.once('message', (m: T) => resolve(m));
    worker.postMessage(message);
  });
}

const big: BenchStream = {
  connectionId: 'drain-1',
  model: 'Big',
  count: RECORDS,
  bytes: RECORD_BYTES,
};
/** The 10 streams drained at once while the webhook route is timed: 10,000 records each. */
const STREAMS = 10;
const many: BenchStream[] = Array.from({ length: STREAMS }, (_, i) => ({
  connectionId: `many-${i}`,
  model: 'Many',
  count: RECORDS / STREAMS,
  bytes: RECORD_BYTES,
}));
/**
 * Drained, as the timed work is, during the webhook runs' untimed warm-up: 10 streams of 1,000
 * records, so the drains' code is compiled before the route is timed beside them.
 */
const warmUp: BenchStream[] = Array.from({ length: STREAMS }, (_, i) => ({
  connectionId: `warm-${i}`,
  model: 'Many',
  count: 1000,
  bytes: RECORD_BYTES,
}));
await ask({ type: 'seed', streams: [big, ...many, ...warmUp] });

/** What one drain child measured. */
interface Drain {
  records: number;
  seconds: number;
  /** Not measured in MODE=webhooks. */
  peakRssMb?: number;
  nangoRequests: number;
  /** With {@link CAPPED}: the live heap's largest growth (after a full GC), in MB. */
  liveHeapMb: number | null;
  /** MODE=webhooks: the webhook route's answer times, in ms. */
  answersMs?: number[];
  /** MODE=webhooks: the share of the run the app's event loop was busy (0 to 1). */
  busy?: number;
}

/** Node flags of the drains run a second time: a 64 MB heap, and `gc()` for the live heap. */
const HEAP_MB = 64;
const CAPPED = [`--max-old-space-size=${HEAP_MB}`, '--expose-gc'];

async function drain(
  mode: string,
  flags: string[],
  streams: BenchStream[],
  work = 'decorator',
): Promise<Drain> {
  await ask({ type: 'count' });
  const { stdout } = await run(
    process.execPath,
    [...flags, fileURLToPath(new URL('./records-drain-child.js', import.meta.url))],
    {
      env: {
        ...process.env,
        MODE: mode,
        WORK: work,
        WARM_UP_MS: String(WARM_UP_MS),
        NANGO_URL: url,
        SECRET_KEY: secretKey,
        PROVIDER_CONFIG_KEY,
        CONNECTION_IDS: streams.map((s) => s.connectionId).join(','),
        WARM_UP_IDS: mode === 'webhooks' ? warmUp.map((s) => s.connectionId).join(',') : '',
        MODEL: streams[0]?.model ?? '',
        RECORDS: String(streams.reduce((sum, s) => sum + s.count, 0)),
        PAGE: String(PAGE),
        WRITE_MS: String(WRITE_MS),
      },
      maxBuffer: 1024 * 1024,
    },
  );
  const result = JSON.parse(stdout.trim().split('\n').at(-1) ?? '{}') as Omit<
    Drain,
    'nangoRequests'
  >;
  const { count } = await ask<{ count: number }>({ type: 'count' });
  const expected = work === 'none' ? 0 : streams.reduce((sum, s) => sum + s.count, 0);
  if (result.records !== expected) {
    throw new Error(`${mode} drained ${result.records} records of ${expected}`);
  }
  return { ...result, nangoRequests: count };
}

const loop = await drain('loop', [], [big]);
/** The peak RSS growth of a drain run (measured in every mode but webhooks), in MB. */
const rss = (d: Drain): number => d.peakRssMb ?? NaN;
const perSecond = (d: Drain) => d.records / d.seconds;
console.log(
  `records drain | hand-written loop over @nangohq/node | ${perSecond(loop).toFixed(0)} records/s | ${loop.seconds.toFixed(2)} s | +${rss(loop).toFixed(1)} MB RSS | ${loop.nangoRequests} Nango requests`,
);

const decorator = await drain('decorator', [], [big]);
const ratio = perSecond(decorator) / perSecond(loop);
console.log(
  `records drain | @OnNangoRecords() (NangoRecordsService.drain) | ${perSecond(decorator).toFixed(0)} records/s | ${ratio.toFixed(2)}x the loop (target >= 1.5x) | ${decorator.seconds.toFixed(2)} s | +${rss(decorator).toFixed(1)} MB RSS | ${decorator.nangoRequests} Nango requests`,
);

// The floor of any drain that writes its pages in order: the same writes, one after the other,
// with nothing read. A drain cannot beat it, so the loop's time over it is the most any drain
// can gain over the loop on this machine.
const writes = await drain('writes', [], [big]);
const ceiling = loop.seconds / writes.seconds;
const ofFloor = writes.seconds / decorator.seconds;
console.log(
  `records drain | the writes alone (${RECORDS / PAGE} waits of ${WRITE_MS} ms in a row, nothing read) | ${writes.seconds.toFixed(2)} s | the most a drain can reach: ${ceiling.toFixed(2)}x the loop | @OnNangoRecords() runs at ${(ofFloor * 100).toFixed(1)} % of it`,
);

// The same drains in a 64 MB heap: V8 then collects before the heap grows far, so the RSS shows
// what a drain holds rather than how much garbage V8 let pile up; and the live heap, measured
// after a full GC at pages 250, 500 and 750, is what the drain keeps between two pages.
const mb = (n: number | null): string => (n === null ? 'n/a' : `${n.toFixed(1)} MB`);
const loopCapped = await drain('loop', CAPPED, [big]);
console.log(
  `records drain, ${HEAP_MB} MB heap | hand-written loop over @nangohq/node | +${rss(loopCapped).toFixed(1)} MB RSS | live heap +${mb(loopCapped.liveHeapMb)}`,
);
const decoratorCapped = await drain('decorator', CAPPED, [big]);
console.log(
  `records drain, ${HEAP_MB} MB heap | @OnNangoRecords() (NangoRecordsService.drain) | +${rss(decoratorCapped).toFixed(1)} MB RSS (target < 50 MB) | live heap +${mb(decoratorCapped.liveHeapMb)}`,
);

/** How many times each webhook scenario runs; the route's answers of all its runs are pooled. */
const ROUTE_RUNS = 5;
/** The route's answer times of a scenario's runs, pooled: their p50, p99 and largest. */
function answerTimes(runs: Drain[]): { count: number; p50: number; p99: number; max: number } {
  const answers = runs.flatMap((d) => d.answersMs ?? []).sort((a, b) => a - b);
  const percentile = (p: number): number =>
    answers[Math.min(answers.length - 1, Math.floor(p * answers.length))] ?? NaN;
  return {
    count: answers.length,
    p50: percentile(0.5),
    p99: percentile(0.99),
    max: answers.at(-1) ?? NaN,
  };
}
// The route alone, then beside 10 hand-written loops, then while 10 @OnNangoRecords() drains run;
// the three take turns, ROUTE_RUNS times, so a slow spell of the machine falls on all of them.
const scenarios = [
  { label: 'nothing else (the route alone, 1 s)', work: 'none' },
  { label: `${STREAMS} hand-written loops over \`@nangohq/node\` in the app`, work: 'loop' },
  { label: `${STREAMS} \`@OnNangoRecords()\` drains, started by the webhooks`, work: 'decorator' },
].map((s) => ({ ...s, runs: [] as Drain[] }));
for (let i = 0; i < ROUTE_RUNS; i++) {
  for (const s of scenarios) s.runs.push(await drain('webhooks', [], many, s.work));
}
/** Records a second over a scenario's runs, and the share of them its event loop was busy. */
const rate = (runs: Drain[]): number =>
  runs.reduce((n, d) => n + d.records, 0) / runs.reduce((n, d) => n + d.seconds, 0);
const busyOf = (runs: Drain[]): number =>
  runs.reduce((n, d) => n + (d.busy ?? NaN) * d.seconds, 0) /
  runs.reduce((n, d) => n + d.seconds, 0);
const routeRuns = scenarios.map((s) => ({
  ...s,
  ...answerTimes(s.runs),
  perRunP99: s.runs.map((d) => answerTimes([d]).p99),
  recordsPerSecond: s.work === 'none' ? NaN : rate(s.runs),
  busy: busyOf(s.runs),
}));
const ms = (n: number): string => `${n.toFixed(1)} ms`;
const perSecondText = (n: number): string => (Number.isNaN(n) ? '-' : n.toFixed(0));
for (const r of routeRuns) {
  console.log(
    `records webhooks | route answer beside ${r.label} | p50 ${ms(r.p50)} | p99 ${ms(r.p99)} (target < 20 ms) | max ${ms(r.max)} | ${r.count} webhooks over ${ROUTE_RUNS} runs | ${perSecondText(r.recordsPerSecond)} records/s | event loop busy ${(r.busy * 100).toFixed(0)} %`,
  );
}

await ask({ type: 'close' });
await worker.terminate();

const drains = routeRuns.at(-1) as (typeof routeRuns)[number];
const loops = routeRuns[1] as (typeof routeRuns)[number];
const alone = routeRuns[0] as (typeof routeRuns)[number];
/** Pages a second parsed by the ten @OnNangoRecords() drains. */
const drainedPages = Math.round(drains.recordsPerSecond / PAGE);
const routeRows = routeRuns
  .map(
    (r) =>
      `| ${r.label} | ${r.count} | ${ms(r.p50)} | ${ms(r.p99)} | ${r.perRunP99.map((p) => p.toFixed(0)).join(', ')} ms | ${ms(r.max)} | ${perSecondText(r.recordsPerSecond)} | ${(r.busy * 100).toFixed(0)} % |`,
  )
  .join('\n');
const report = `# Benchmark results: records delivery (issue 19)

\`npm run bench\` (or \`BENCH_ONLY=records\`) on ${new Date().toISOString().slice(0, 10)}: Node ${process.version}, ${cpus().length} × ${cpus()[0]?.model ?? 'unknown CPU'}, load average ${loadavg()[0].toFixed(1)} at the end.
${RECORDS.toLocaleString('en')} records of about ${RECORD_BYTES} bytes in one stream of the Nango stand-in (its own thread, \`GET /records\` paged as
the real Nango pages), drained in pages of ${PAGE} into a handler that awaits ${WRITE_MS} ms per page. Each drain runs in a child
process of its own; "peak RSS growth" is its RSS peak over its RSS when the drain starts.

## Speed and memory, with Node's defaults

| drain | records/s | seconds | peak RSS growth | Nango requests |
| --- | ---: | ---: | ---: | ---: |
| hand-written loop over \`@nangohq/node\` (fetch a page, write it, save the cursor, repeat) | ${perSecond(loop).toFixed(0)} | ${loop.seconds.toFixed(2)} | ${rss(loop).toFixed(1)} MB | ${loop.nangoRequests} |
| \`@OnNangoRecords()\` (a Nest application context, drain started by \`NangoRecordsService.drain()\`) | ${perSecond(decorator).toFixed(0)} | ${decorator.seconds.toFixed(2)} | ${rss(decorator).toFixed(1)} MB | ${decorator.nangoRequests} |
| the writes alone: ${(RECORDS / PAGE).toLocaleString('en')} waits of ${WRITE_MS} ms one after the other, nothing read | ${perSecond(writes).toFixed(0)} | ${writes.seconds.toFixed(2)} | ${rss(writes).toFixed(1)} MB | ${writes.nangoRequests} |

\`@OnNangoRecords()\` drains ${ratio.toFixed(2)}x as fast as the hand-written loop (target: at least 1.5x, from the page
read ahead); its peak RSS growth is ${rss(decorator).toFixed(1)} MB (target: under 50 MB).

The writes alone are the floor of any drain that hands its pages over in order, one after the
other: the ${WRITE_MS} ms timers, as they fire. \`@OnNangoRecords()\` runs at ${(ofFloor * 100).toFixed(1)} % of that floor: the page read
ahead arrives while the handler writes, and the handler never waits for a read. So no drain can
be more than ${ceiling.toFixed(2)}x the loop here (the loop's time over the floor). That ceiling is 1 plus the
time the loop waits for each page over the ${WRITE_MS} ms write, so it depends on how fast the
stand-in answers on the machine: 1.5x needs a page that takes at least ${(WRITE_MS / 2).toFixed(1)} ms to arrive, which a
real Nango's database query takes, and a fast machine's stand-in may not.

What \`node --trace-gc-nvp\` showed for these drains:
- The hand-written loop: about 3 MB of the young generation survives each scavenge. Its pages
  are promoted to the old generation and freed only by a full collection, and V8 lets that heap
  grow to a few times what is live before one.
- \`@OnNangoRecords()\`: about 0.7 MB survives each scavenge, with pauses of about 3 ms instead
  of 7 ms. Its heap stays within about 10 MB of its start. The rest of its RSS growth is memory
  outside the V8 heap and its buffers.
- The module's undici adapter used to do as badly as the loop. undici may keep a request's
  handler referenced after the request ended, and through the promise it resolved, the handler
  kept the parsed page alive. A finished call now drops its caller, and
  \`test/nango-transport.adapter.spec.ts\` checks this.

## Memory: the same drains in a ${HEAP_MB} MB heap

Run with \`--max-old-space-size=${HEAP_MB} --expose-gc\`. V8 then collects before its heap grows far, so the
RSS shows what the drain needs. The live heap is the heap after a full GC, taken in the handler at
pages 250, 500 and 750; the largest growth over the drain's start is shown.

| drain | peak RSS growth (target: under 50 MB) | live heap growth |
| --- | ---: | ---: |
| hand-written loop over \`@nangohq/node\` | ${rss(loopCapped).toFixed(1)} MB | ${mb(loopCapped.liveHeapMb)} |
| \`@OnNangoRecords()\` | ${rss(decoratorCapped).toFixed(1)} MB | ${mb(decoratorCapped.liveHeapMb)} |

The stream is ${((RECORDS * RECORD_BYTES) / 1024 / 1024).toFixed(0)} MB. A drain that held it would not finish in a ${HEAP_MB} MB heap. The live heap
grows by about two pages: the page being handled and the page read ahead.

## The webhook route while drains run

The app listens on 127.0.0.1 in a child process of its own:
- ${STREAMS} streams of ${(RECORDS / STREAMS).toLocaleString('en')} records of the same size each;
- the same handler;
- \`records.concurrency\` ${STREAMS}.

A worker thread of that process posts signed \`sync\` webhooks one after the other:
- 10 ms apart;
- each on a new connection;
- answer time is from the request sent to the answer read;
- after an untimed warm-up of ${WARM_UP_MS} ms;
- until the work beside it ends.

The baselines' webhooks name a model no handler takes, so they start nothing.

| beside the route | webhooks | p50 | p99 (target: under 20 ms) | p99 of each run | largest | records/s | app's event loop busy |
| --- | ---: | ---: | ---: | ---: | ---: | ---: | ---: |
${routeRows}

Each scenario ran ${ROUTE_RUNS} times, the three taking turns; p50, p99 and the largest answer are over
the answers of all its runs (one run has too few answers for its p99 to be more than its largest).
The warm-up of the two drain scenarios also drains ${STREAMS} streams of 1,000 records, so the timed
drains run compiled code, as they would in an app that has been up for a while.

Beside the ten \`@OnNangoRecords()\` drains the route's p99 is ${ms(drains.p99)}: ${drains.p99 < 20 ? 'under' : 'over'} the 20 ms target, against
${ms(loops.p99)} beside ten hand-written loops that move ${perSecondText(loops.recordsPerSecond)} records a second, and ${ms(alone.p99)} for the route alone.

The route answers in the same event loop that parses the pages: the ten drains parse
${drainedPages} pages of about ${PAGE} KB a second. What \`node --cpu-prof\` and a monitor of the loop's turns
showed, and what the module does about it:
- Pages used to be parsed in bursts. Ten answers would arrive together, all be parsed and handed
  on in one turn of the event loop, and the route's request waited 20 to 60 ms behind them. The
  undici adapter now settles an answer of 64 KB or more one per turn of the loop
  (\`lib/transport/nango-answer-turns.ts\`), so the route's request waits behind at most one
  page. Smaller answers, such as tokens and connections, are settled as soon as they arrive. On
  a slower 2-core VM, where this was profiled, it took the pooled p99 from about 60 ms to 20 to
  30 ms; on a faster one (2026-12-07, one run each) from 15.6 ms to 10.6 ms, with the same records
  a second.
- What is left is mostly not the module's own code. On the slower VM, scavenges of the young
  generation took 4 to 15 ms while ten streams of pages were being allocated. The first pages of a drain run code
  that V8 has not optimised yet. On this machine, the stand-in's thread, the webhook poster and
  the app share 2 cores, so the app also waits for a core. Node flags such as
  \`--max-semi-space-size\` change the scavenges; they belong to the app, not to the module.
- \`records.concurrency\` is the app's control: fewer drains at once leave the loop more time to
  spare. The module does not throttle drains behind the app's back. A cap on pages read at once
  was tried on the slower VM: p99 came to 19 to 26 ms, and the drains moved a third to a half fewer records.
`;
// Written with BENCH_ONLY too: this file holds only the records scenario.
writeFileSync(new URL('../../../bench/results-records.md', import.meta.url), report);
if (ONLY) console.log(report);
process.exit(0);
