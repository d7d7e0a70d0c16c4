// Records delivery (issue 19): 100,000 records of 1 KB, pages of 100, drained from the stand-in
// into a handler that awaits 5 ms per page (a stand-in for a database write). Records/s and peak
// RSS growth of the loop teams write by hand over @nangohq/node and of @OnNangoRecords() (started
// by NangoRecordsService.drain()); then the webhook route's answer p99 while 10 streams drain.
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
await ask({ type: 'seed', streams: [big, ...many] });

/** What one drain child measured. */
interface Drain {
  records: number;
  seconds: number;
  peakRssMb: number;
  nangoRequests: number;
  /** MODE=webhooks: the webhook route's answer times, in ms. */
  answersMs?: number[];
}

async function drain(mode: string, ...streams: BenchStream[]): Promise<Drain> {
  await ask({ type: 'count' });
  const { stdout } = await run(
    process.execPath,
    [fileURLToPath(new URL('./records-drain-child.js', import.meta.url))],
    {
      env: {
        ...process.env,
        MODE: mode,
        NANGO_URL: url,
        SECRET_KEY: secretKey,
        PROVIDER_CONFIG_KEY,
        CONNECTION_IDS: streams.map((s) => s.connectionId).join(','),
        MODEL: streams[0]?.model ?? '',
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
  const expected = streams.reduce((sum, s) => sum + s.count, 0);
  if (result.records !== expected) {
    throw new Error(`${mode} drained ${result.records} records of ${expected}`);
  }
  return { ...result, nangoRequests: count };
}

const loop = await drain('loop', big);
const perSecond = (d: Drain) => d.records / d.seconds;
console.log(
  `records drain | hand-written loop over @nangohq/node | ${perSecond(loop).toFixed(0)} records/s | ${loop.seconds.toFixed(2)} s | +${loop.peakRssMb.toFixed(1)} MB RSS | ${loop.nangoRequests} Nango requests`,
);

const decorator = await drain('decorator', big);
const ratio = perSecond(decorator) / perSecond(loop);
console.log(
  `records drain | @OnNangoRecords() (NangoRecordsService.drain) | ${perSecond(decorator).toFixed(0)} records/s | ${ratio.toFixed(2)}x the loop (target >= 1.5x) | ${decorator.seconds.toFixed(2)} s | +${decorator.peakRssMb.toFixed(1)} MB RSS (target < 50 MB) | ${decorator.nangoRequests} Nango requests`,
);

const webhooks = await drain('webhooks', ...many);
const answers = [...(webhooks.answersMs ?? [])].sort((a, b) => a - b);
const percentile = (p: number): number =>
  answers[Math.min(answers.length - 1, Math.floor(p * answers.length))] ?? NaN;
const [p50, p99] = [percentile(0.5), percentile(0.99)];
console.log(
  `records webhooks | route answer while ${STREAMS} drains run | p50 ${p50.toFixed(1)} ms | p99 ${p99.toFixed(1)} ms (target < 20 ms) | ${answers.length} webhooks | ${perSecond(webhooks).toFixed(0)} records/s over the ${STREAMS} streams`,
);

await ask({ type: 'close' });
await worker.terminate();

const floor = ((RECORDS / PAGE) * WRITE_MS) / 1000;
const report = `# Benchmark results: records delivery (issue 19)

\`npm run bench\` (or \`BENCH_ONLY=records\`) on ${new Date().toISOString().slice(0, 10)}: Node ${process.version}, ${cpus().length} × ${cpus()[0]?.model ?? 'unknown CPU'}, load average ${loadavg()[0].toFixed(1)} at the end.
${RECORDS.toLocaleString('en')} records of about ${RECORD_BYTES} bytes in one stream of the Nango stand-in (its own thread, \`GET /records\` paged as
the real Nango pages), drained in pages of ${PAGE} into a handler that awaits ${WRITE_MS} ms per page: the
writes alone take ${floor.toFixed(1)} s: ${(RECORDS / floor).toFixed(0)} records/s is the most a drain that writes its pages one after the
other can reach. Each drain runs in a child process of its own; "peak RSS growth" is its RSS peak over
its RSS when the drain starts.

| drain | records/s | seconds | peak RSS growth | Nango requests |
| --- | ---: | ---: | ---: | ---: |
| hand-written loop over \`@nangohq/node\` (fetch a page, write it, save the cursor, repeat) | ${perSecond(loop).toFixed(0)} | ${loop.seconds.toFixed(2)} | ${loop.peakRssMb.toFixed(1)} MB | ${loop.nangoRequests} |
| \`@OnNangoRecords()\` (a Nest application context, drain started by \`NangoRecordsService.drain()\`) | ${perSecond(decorator).toFixed(0)} | ${decorator.seconds.toFixed(2)} | ${decorator.peakRssMb.toFixed(1)} MB | ${decorator.nangoRequests} |

\`@OnNangoRecords()\` drains ${ratio.toFixed(2)}x as fast as the hand-written loop (target: at least 1.5x, from the page
read ahead); its peak RSS growth is ${decorator.peakRssMb.toFixed(1)} MB (target: under 50 MB).

The webhook route while ${STREAMS} streams drain at once (${(RECORDS / STREAMS).toLocaleString('en')} records of the same size each, the same handler,
\`records.concurrency\` ${STREAMS}, the app listening on 127.0.0.1 in a child process of its own): signed \`sync\`
webhooks of those streams posted one after the other, 10 ms apart, each on a new connection, until the
drains ended; answer time is from the request sent to the answer read.

| webhooks posted | p50 | p99 (target: under 20 ms) | records/s over the ${STREAMS} streams |
| ---: | ---: | ---: | ---: |
| ${answers.length} | ${p50.toFixed(1)} ms | ${p99.toFixed(1)} ms | ${perSecond(webhooks).toFixed(0)} |
`;
// Written with BENCH_ONLY too: this file holds only the records scenario.
writeFileSync(new URL('../../../bench/results-records.md', import.meta.url), report);
if (ONLY) console.log(report);
process.exit(0);
