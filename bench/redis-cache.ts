// The shared Redis credential cache (issue 14): three replica processes sharing one real
// redis-server, 1,200 requests over 60 connections through `@UseNangoConnection()`, cold then
// warm; then, in this process, the latency of a Redis hit against an in-memory hit and a Nango
// round trip, with and without `encryptionKey`. Run by `npm run bench` (or BENCH_ONLY=redis),
// or alone: `tsc -p bench/tsconfig.json && node bench/.tmp/bench/redis-cache.js`.
import 'reflect-metadata';
import { NestFactory } from '@nestjs/core';
import KeyvRedis from '@keyv/redis';
import Keyv from 'keyv';
import { execFileSync, fork, type ChildProcess } from 'node:child_process';
import { randomBytes, randomUUID } from 'node:crypto';
import { writeFileSync } from 'node:fs';
import { Agent, request } from 'node:http';
import { cpus } from 'node:os';
import { fileURLToPath } from 'node:url';
import { Worker } from 'node:worker_threads';
import {
  InMemoryCredentialStore,
  NangoModule,
  NangoService,
  type NangoCacheOptions,
} from '../lib/index.js';
import { CredentialCipher } from '../lib/cache/credential-cipher.js';
import { redisCli, startRedis } from '../test/fixtures/redis-server.js';

const REPLICAS = 3;
const REQUESTS = 1200;
const CONNECTIONS = 60;
const CONCURRENCY = 6;
const ROUNDS = 7;
const HITS_PER_ROUND = 3000;
const ONLY = process.env['BENCH_ONLY'] !== undefined;

try {
  execFileSync('redis-server', ['--version']);
} catch {
  console.log('redis-cache: skipped, redis-server is not installed (apt-get install redis-server)');
  process.exit(0);
}

const secretKey = randomUUID();
const worker = new Worker(fileURLToPath(new URL('./stand-in-worker.js', import.meta.url)), {
  workerData: { secretKey, connections: CONNECTIONS },
});
const url = await new Promise<string>((resolve) =>
  worker.once('message', (m: { url: string }) => resolve(m.url)),
);
/** Requests the stand-in received since the last call. */
function nangoRequests(): Promise<number> {
  return new Promise((resolve) => {
    worker.once('message', (m: { count: number }) => resolve(m.count));
    worker.postMessage({ type: 'count' });
  });
}
const redis = await startRedis();

// ------------------------------------------------------------------ three replica processes

interface Replica {
  child: ChildProcess;
  port: number;
}

function startReplica(cacheKey: string | undefined): Promise<Replica> {
  const child = fork(fileURLToPath(new URL('./redis-replica.js', import.meta.url)), {
    env: {
      ...process.env,
      NANGO_SECRET_KEY: secretKey,
      NANGO_URL: url,
      REDIS_URL: redis.url,
      CACHE_KEY: cacheKey ?? '',
    },
    stdio: ['ignore', 'inherit', 'inherit', 'ipc'],
  });
  return new Promise((resolve, reject) => {
    child.once('exit', (code) => reject(new Error(`replica exited with ${code}`)));
    child.once('message', (m: { port: number }) => resolve({ child, port: m.port }));
  });
}

async function stopReplica({ child }: Replica): Promise<void> {
  child.removeAllListeners('exit');
  const gone = new Promise((resolve) => child.once('exit', resolve));
  child.send({ type: 'close' });
  await gone;
}

const agent = new Agent({ keepAlive: true, maxSockets: 64 });

function get(port: number, path: string): Promise<number> {
  return new Promise((resolve, reject) => {
    const req = request({ host: '127.0.0.1', port, path, agent }, (res) => {
      res.resume();
      res.once('end', () => resolve(res.statusCode ?? 0));
    });
    req.once('error', reject);
    req.end();
  });
}

function percentile(sorted: number[], p: number): number {
  return sorted[Math.min(sorted.length - 1, Math.floor((sorted.length - 1) * p))] ?? NaN;
}

/** 1,200 requests over 60 connections; each connection's requests go to every replica. */
async function pass(replicas: Replica[]): Promise<{ failed: number; p50: number }> {
  let next = 0;
  let failed = 0;
  const latencies: number[] = [];
  await Promise.all(
    Array.from({ length: CONCURRENCY }, async () => {
      while (next < REQUESTS) {
        const i = next++;
        const replica = replicas[Math.floor(i / CONNECTIONS) % replicas.length] as Replica;
        const t0 = performance.now();
        const status = await get(replica.port, `/token/conn-${i % CONNECTIONS}`).catch(() => 0);
        latencies.push(performance.now() - t0);
        if (status !== 200) failed += 1;
      }
    }),
  );
  latencies.sort((a, b) => a - b);
  return { failed, p50: percentile(latencies, 0.5) };
}

interface ReplicaRun {
  label: string;
  cold: number;
  warm: number;
  failed: number;
  warmP50: number;
}

async function replicaRun(label: string, cacheKey: string | undefined): Promise<ReplicaRun> {
  await redisCli(redis.port, 'FLUSHALL');
  const replicas = await Promise.all(
    Array.from({ length: REPLICAS }, () => startReplica(cacheKey)),
  );
  await nangoRequests();
  const cold = await pass(replicas);
  const coldNango = await nangoRequests();
  // Writes are fire and forget: let the last ones land before the warm pass.
  await new Promise((resolve) => setTimeout(resolve, 200));
  const warm = await pass(replicas);
  const warmNango = await nangoRequests();
  await Promise.all(replicas.map(stopReplica));
  return {
    label,
    cold: (coldNango * 1000) / REQUESTS,
    warm: (warmNango * 1000) / REQUESTS,
    failed: cold.failed + warm.failed,
    warmP50: warm.p50,
  };
}

const encryptionKey = randomBytes(32).toString('base64');
const runs = [
  await replicaRun('Keyv + @keyv/redis', undefined),
  await replicaRun('Keyv + @keyv/redis, encryptionKey', encryptionKey),
];

// ------------------------------------------------------------------ hit latency, in this process

const closers: Array<() => Promise<unknown>> = [];
async function service(cache: NangoCacheOptions | false): Promise<NangoService> {
  const ctx = await NestFactory.createApplicationContext(
    NangoModule.forRoot({ secretKey, host: url, cache }),
    { logger: ['error', 'warn'] },
  );
  closers.push(() => ctx.close());
  return ctx.get(NangoService);
}
async function keyv(): Promise<Keyv> {
  const adapter = new KeyvRedis(redis.url);
  await adapter.getClient(); // connected before measuring
  closers.push(() => adapter.disconnect(true));
  return new Keyv(adapter);
}

await redisCli(redis.port, 'FLUSHALL');
const variants: Array<[string, NangoService, number]> = [
  ['in-memory hit', await service({ ttl: 300_000, store: new InMemoryCredentialStore() }), 1],
  ['Redis hit', await service({ ttl: 300_000, store: await keyv() }), 1],
  [
    'Redis hit, encryptionKey',
    await service({ ttl: 300_000, store: await keyv(), encryptionKey }),
    1,
  ],
  // A fifth of the calls: each is a full request to the stand-in.
  ['Nango round trip (no cache)', await service(false), 5],
];
for (const [, nango] of variants) {
  for (let c = 0; c < CONNECTIONS; c += 1) await nango.getToken('github', `conn-${c}`);
}
await new Promise((resolve) => setTimeout(resolve, 200));
const means = new Map<string, number[]>(variants.map(([name]) => [name, []]));
const p50s = new Map<string, number[]>(variants.map(([name]) => [name, []]));
for (let round = 0; round < ROUNDS; round += 1) {
  // Variants take turns within each round, so a change in background load hits them alike.
  for (const [name, nango, divisor] of variants) {
    const latencies: number[] = [];
    const calls = HITS_PER_ROUND / divisor;
    for (let i = 0; i < calls; i += 1) {
      const t0 = performance.now();
      await nango.getToken('github', `conn-${i % CONNECTIONS}`);
      latencies.push(performance.now() - t0);
    }
    latencies.sort((a, b) => a - b);
    means.get(name)?.push(latencies.reduce((a, b) => a + b, 0) / latencies.length);
    p50s.get(name)?.push(percentile(latencies, 0.5));
  }
}
const median = (values: number[] | undefined) =>
  percentile(
    [...(values ?? [])].sort((a, b) => a - b),
    0.5,
  );

// The CPU encryption adds to a hit, measured alone: key HMAC + AES-256-GCM open + JSON.parse.
const cipher = new CredentialCipher([encryptionKey], secretKey);
const sample = JSON.stringify({
  connection: {
    connection_id: 'conn-1',
    provider_config_key: 'github',
    credentials: { type: 'OAUTH2', access_token: 'token-1', refresh_token: 'refresh-1' },
  },
  expiresAt: Date.now() + 60_000,
});
const sealedKey = `nango:e1:${cipher.name('["x","github","conn-1",0]')}`;
const sealed = cipher.seal(sealedKey, sample);
const cryptoOps = 20_000;
const c0 = performance.now();
for (let i = 0; i < cryptoOps; i += 1) {
  cipher.name(`["x","github","conn-${i % CONNECTIONS}",0]`);
  JSON.parse(cipher.open(sealedKey, sealed) as string);
}
const cryptoUs = ((performance.now() - c0) * 1000) / cryptoOps;

for (const close of closers.reverse()) await close();
agent.destroy();
await redis.stop();
worker.postMessage({ type: 'close' });
await new Promise((resolve) => worker.once('message', resolve));

// ------------------------------------------------------------------ report

const us = (ms: number) => `${(ms * 1000).toFixed(0)} µs`;
const redisHit = median(means.get('Redis hit'));
const encryptedHit = median(means.get('Redis hit, encryptionKey'));
const memoryHit = median(means.get('in-memory hit'));
const roundTrip = median(means.get('Nango round trip (no cache)'));
const encryptionCost = (encryptedHit - redisHit) / redisHit;
const coldLimit = (CONNECTIONS * REPLICAS * 1000) / REQUESTS;
const verdict = (ok: boolean) => (ok ? 'met' : 'NOT MET');

const lines = [
  `| run (${REPLICAS} replica processes, ${REQUESTS} requests over ${CONNECTIONS} connections) | Nango requests / 1000, cold | Nango requests / 1000, warm | failed | warm p50 per request |`,
  '| --- | ---: | ---: | ---: | ---: |',
  ...runs.map(
    (r) =>
      `| ${r.label} | ${r.cold.toFixed(1)} | ${r.warm.toFixed(1)} | ${r.failed} | ${r.warmP50.toFixed(2)} ms |`,
  ),
  '',
  `| getToken, one process, concurrency 1 (median of ${ROUNDS} rounds) | mean | p50 | vs Redis hit |`,
  '| --- | ---: | ---: | ---: |',
  ...variants.map(([name]) => {
    const mean = median(means.get(name));
    return `| ${name} | ${us(mean)} | ${us(median(p50s.get(name)))} | ${(mean / redisHit).toFixed(2)} |`;
  }),
  '',
  `Encryption's CPU on a value not seen before (HMAC of the key, AES-256-GCM open, JSON.parse; no memo): ${cryptoUs.toFixed(1)} µs, ${((cryptoUs / 1000 / redisHit) * 100).toFixed(1)}% of a Redis hit. A hit on a value already opened by this replica skips it (the cache keeps the last 1,000 opened values and 10,000 key names), and Keyv then parses one string instead of an object: that is why an encrypted hit can cost less than a plain one.`,
  '',
  'Targets:',
  ...runs.map(
    (r) =>
      `- ${r.label}: cold at most one Nango request per connection per replica (${coldLimit.toFixed(1)} / 1000): ${r.cold.toFixed(1)}, ${verdict(r.cold <= coldLimit)}; warm zero: ${r.warm.toFixed(1)}, ${verdict(r.warm === 0)}; no failed request: ${verdict(r.failed === 0)}.`,
  ),
  `- encryption costs under 5% per Redis hit: ${(encryptionCost * 100).toFixed(1)}% (${us(redisHit)} → ${us(encryptedHit)}), ${verdict(encryptionCost < 0.05)}.`,
  `- a Redis hit against an in-memory hit: ${(redisHit / memoryHit).toFixed(1)}× slower; against a Nango round trip: ${(roundTrip / redisHit).toFixed(1)}× faster (stand-in on 127.0.0.1; a real Nango is milliseconds away).`,
];
const table = lines.join('\n');
console.log(`\n${table}\n`);
if (!ONLY) {
  const report = `# Shared Redis credential cache: benchmark results

\`npm run bench\` on ${new Date().toISOString().slice(0, 10)}: Node ${process.version}, ${cpus().length} × ${cpus()[0]?.model ?? 'unknown CPU'}, Debian's redis-server on 127.0.0.1 (persistence off), the Nango stand-in on its own thread.
Each replica is a Nest app in its own process with a \`@UseNangoConnection()\` route and \`cache: { ttl: 300000, store: new Keyv(new KeyvRedis(url)) }\`; request *i* goes to connection *i* mod 60 on replica ⌊*i* / 60⌋ mod 3, ${CONCURRENCY} at a time.

${table}
`;
  writeFileSync(new URL('../../../bench/results-redis.md', import.meta.url), report);
  console.log('written to bench/results-redis.md');
}
process.exit(0);
