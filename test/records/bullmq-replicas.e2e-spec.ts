import 'reflect-metadata';
import { jest } from '@jest/globals';
import { Test, type TestingModule } from '@nestjs/testing';
import { fork, type ChildProcess } from 'node:child_process';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { NangoModule, NangoService } from '../../lib/index.js';
import {
  nangoRecordsStreamKey,
  type NangoRecordsStream,
} from '../../lib/records/nango-records-stream.js';
import { NangoStandIn } from '../../lib/testing/index.js';
import {
  postWebhook,
  sortedJson,
  webhookHeaders,
} from '../../lib/testing/stand-in/stand-in.webhook-sender.js';
import { eventually } from '../fixtures/eventually.js';
import {
  REPLICA_KEYS,
  REPLICA_SIGNING_KEY,
  type ReplicaDelivery,
  type ReplicaMessage,
} from '../fixtures/records-replica.js';
import { redisCli, startRedis, type RedisServer } from '../fixtures/redis-server.js';
import { absorbOAuth2 } from '../fixtures/seed.js';

// Three replica processes (node child processes, each a Nest app listening on 127.0.0.1 with
// NangoModule's webhook route, `records: { queue: BullmqDrainQueue }` and an @OnNangoRecords()
// handler; cursors and deliveries in Redis) share one real redis-server; the test posts signed
// `sync` webhooks to their routes, as Nango would through a load balancer. Slow steps have generous timeouts; nothing asserts on speed.
jest.setTimeout(240_000);

const CHILD = fileURLToPath(new URL('../fixtures/records-replica.child.ts', import.meta.url));
const REGISTER = fileURLToPath(new URL('../fixtures/ts-child/register.mjs', import.meta.url));
const STREAMS = 10;
const RECORDS = 60;
const PAGE_SIZE = 10;
const NEVER = '2999-01-01T00:00:00.000Z';

interface Replica {
  readonly name: string;
  /** Its webhook route, once it said it is ready. */
  url?: string;
  readonly child: ChildProcess;
  readonly exited: Promise<void>;
  readonly messages: ReplicaMessage[];
}

let standIn: NangoStandIn;
let moduleRef: TestingModule;
let nango: NangoService;
let replicas: Replica[] = [];

const streams: NangoRecordsStream[] = Array.from({ length: STREAMS }, (_, i) => ({
  providerConfigKey: 'absorb-test',
  connectionId: `c${i}`,
  model: 'Issue',
  variant: 'base',
}));
const seeded = (s: NangoRecordsStream) =>
  Array.from({ length: RECORDS }, (_, i) => `${s.connectionId}-${i + 1}`);
/** Each stream's record ids in Nango's order (last_modified_at, then its internal id). */
const order = new Map<string, string[]>();
const ids = (s: NangoRecordsStream): string[] => order.get(nangoRecordsStreamKey(s)) ?? [];

beforeAll(async () => {
  standIn = await NangoStandIn.start({
    connections: streams.map((s) => absorbOAuth2(s.connectionId, NEVER)),
  });
  for (const s of streams) {
    const records = seeded(s).map((id, i) => ({ id, n: i + 1 }));
    await standIn.sync({ ...s, syncName: 'issues', added: records, webhook: false });
  }
  moduleRef = await Test.createTestingModule({
    imports: [NangoModule.forRoot({ secretKey: standIn.secretKey, host: standIn.url })],
  }).compile();
  nango = moduleRef.get(NangoService);
  for (const s of streams) {
    const { records } = await nango.listRecords({ ...s, limit: 1000 });
    order.set(
      nangoRecordsStreamKey(s),
      records.map((r) => String(r.id)),
    );
    expect([...ids(s)].sort()).toEqual(seeded(s).sort());
  }
}, 60_000);

afterAll(async () => {
  await moduleRef?.close();
  await standIn?.close();
});

function start(name: string, redis: RedisServer, env: Record<string, string> = {}): Replica {
  const child = fork(CHILD, [], {
    execArgv: ['--import', REGISTER],
    env: {
      ...process.env,
      REPLICA: name,
      REDIS_PORT: String(redis.port),
      NANGO_URL: standIn.url,
      NANGO_SECRET: standIn.secretKey,
      PAGE_SIZE: String(PAGE_SIZE),
      LOCK_DURATION: '3000',
      ...env,
    },
    stdio: ['ignore', 'inherit', 'inherit', 'ipc'],
  });
  const messages: ReplicaMessage[] = [];
  const exited = new Promise<void>((resolve) => child.once('exit', () => resolve()));
  const replica: Replica = { name, child, exited, messages };
  child.on('message', (m: ReplicaMessage) => {
    messages.push(m);
    if ('ready' in m) replica.url = m.ready;
  });
  replicas.push(replica);
  return replica;
}

async function startFleet(
  redis: RedisServer,
  env: Record<string, string> = {},
): Promise<Replica[]> {
  const fleet = ['a', 'b', 'c'].map((name) => start(name, redis, env));
  await eventually(
    () => fleet.every((r) => r.messages.some((m) => 'ready' in m)),
    'the three replicas are up',
    90_000,
  );
  return fleet;
}

/** The signed `sync` webhook Nango posts at the end of a run of a stream. */
function syncWebhook(s: NangoRecordsStream): { body: string; headers: Record<string, string> } {
  const now = new Date().toISOString();
  const body = sortedJson({
    from: 'nango',
    type: 'sync',
    providerConfigKey: s.providerConfigKey,
    connectionId: s.connectionId,
    syncName: 'issues',
    model: s.model,
    syncType: 'INCREMENTAL',
    success: true,
    responseResults: { added: RECORDS, updated: 0, deleted: 0 },
    modifiedAfter: now,
    queryTimeStamp: now,
  });
  return { body, headers: webhookHeaders(body, REPLICA_SIGNING_KEY) };
}

/**
 * Posts the sync webhooks to the replicas' routes, spread over the fleet: each stream's
 * `times` times, round robin, all at once; every one answers 200 (once its drain is queued).
 */
async function webhooks(fleet: Replica[], times: number): Promise<void> {
  const posts: Promise<number>[] = [];
  let i = 0;
  for (let round = 0; round < times; round++) {
    for (const s of streams) {
      const url = fleet[i++ % fleet.length]?.url ?? '';
      const { body, headers } = syncWebhook(s);
      posts.push(postWebhook(url, body, headers));
    }
  }
  expect(await Promise.all(posts)).toEqual(posts.map(() => 200));
}

async function stop(replica: Replica): Promise<void> {
  if (replica.child.exitCode !== null || replica.child.signalCode !== null) return;
  replica.child.send({ close: true });
  await replica.exited;
}

async function kill(replica: Replica): Promise<void> {
  replica.child.kill('SIGKILL');
  await replica.exited;
}

/** The cursor of each stream's last record, as Nango gives it. */
async function lastCursors(): Promise<Map<string, string>> {
  const ends = new Map<string, string>();
  for (const s of streams) {
    const { records } = await nango.listRecords({ ...s, limit: 1000 });
    const cursor = records[records.length - 1]?._nango_metadata.cursor ?? '';
    ends.set(nangoRecordsStreamKey(s), cursor);
  }
  return ends;
}

/** Resolves once every stream's saved cursor is at its last record. */
async function allCursorsAtTheEnd(redis: RedisServer): Promise<void> {
  const ends = await lastCursors();
  const atEnd = async () => {
    for (const [key, cursor] of ends) {
      if ((await redisCli(redis.port, 'GET', REPLICA_KEYS.cursor(key))) !== cursor) return false;
    }
    return true;
  };
  await eventually(atEnd, 'every cursor is at the end of its stream', 180_000);
}

async function deliveries(redis: RedisServer): Promise<ReplicaDelivery[]> {
  const raw = await redisCli(redis.port, 'LRANGE', REPLICA_KEYS.deliveries, '0', '-1');
  return raw === '' ? [] : raw.split('\n').map((line) => JSON.parse(line) as ReplicaDelivery);
}

/** Every record id of the stream in delivery order, and the order of first appearance. */
function delivered(all: ReplicaDelivery[], s: NangoRecordsStream) {
  const mine = all.filter((d) => d.key === nangoRecordsStreamKey(s));
  const flat = mine.flatMap((d) => d.ids);
  return { pages: mine, flat, firstSeen: [...new Set(flat)] };
}

describe('BullmqDrainQueue across three processes on one Redis', () => {
  let redis: RedisServer;
  beforeEach(async () => {
    redis = await startRedis();
  }, 30_000);
  afterEach(async () => {
    await Promise.all(replicas.map((r) => stop(r)));
    replicas = [];
    await redis.stop();
  }, 60_000);

  it('webhooks for 10 streams spread over the fleet: each page delivered once, in order, never two drains of a stream at once', async () => {
    const fleet = await startFleet(redis);
    await webhooks(fleet, 3);
    await allCursorsAtTheEnd(redis);
    // Late webhooks (Nango's retries): the coalesced runs find nothing new and deliver nothing.
    await webhooks(fleet, 1);
    for (const r of fleet) await stop(r);
    const all = await deliveries(redis);
    for (const s of streams) {
      const { pages, flat } = delivered(all, s);
      expect(flat).toEqual(ids(s));
      expect(pages).toHaveLength(RECORDS / PAGE_SIZE);
    }
    expect(await redisCli(redis.port, 'LLEN', REPLICA_KEYS.overlaps)).toBe('0');
  });

  it('a replica SIGKILLed in the middle of a handler: another delivers that page again, nothing is skipped, every cursor ends at the end', async () => {
    const fleet = await startFleet(redis, { HANG_ON: 'c3:2' });
    await webhooks(fleet, 1);
    await eventually(
      () => fleet.some((r) => r.messages.some((m) => 'hanging' in m)),
      'a replica hangs in the handler of c3, page 2',
      120_000,
    );
    const victim = fleet.find((r) => r.messages.some((m) => 'hanging' in m)) as Replica;
    await kill(victim);
    const survivors = fleet.filter((r) => r !== victim);
    // Webhooks keep coming to the replicas still alive.
    await webhooks(survivors, 1);
    await allCursorsAtTheEnd(redis);
    for (const r of survivors) await stop(r);

    const all = await deliveries(redis);
    const c3 = streams[3] as NangoRecordsStream;
    const { pages, firstSeen } = delivered(all, c3);
    const page2 = ids(c3).slice(PAGE_SIZE, 2 * PAGE_SIZE);
    const page2Deliveries = pages.filter((p) => p.ids.join() === page2.join());
    expect(page2Deliveries.length).toBeGreaterThanOrEqual(2);
    expect(page2Deliveries[0]?.replica).toBe(victim.name);
    expect(page2Deliveries.slice(1).every((p) => p.replica !== victim.name)).toBe(true);
    for (const s of streams) expect(delivered(all, s).firstSeen).toEqual(ids(s));
    expect(firstSeen).toEqual(ids(c3));
  });
});

describe('BullmqDrainQueue when Redis stops and comes back', () => {
  let redis: RedisServer;
  let dir: string;
  beforeEach(async () => {
    dir = mkdtempSync(join(tmpdir(), 'nango-bullmq-aof-'));
    redis = await startRedis({ aofDir: dir });
  }, 30_000);
  afterEach(async () => {
    await Promise.all(replicas.map((r) => stop(r)));
    replicas = [];
    await redis.stop();
    rmSync(dir, { recursive: true, force: true });
  }, 60_000);

  it.each([
    [
      'killed and restarted (its append-only file kept)',
      (r: RedisServer) => r.kill(),
      (r: RedisServer) => r.restart(),
    ],
    ['frozen (SIGSTOP) and let go', (r: RedisServer) => r.pause(), (r: RedisServer) => r.resume()],
  ])(
    'Redis %s during drains: no page skipped, the drains resume by themselves, every cursor ends at the end',
    async (_how, down, up) => {
      const fleet = await startFleet(redis, { LOCK_DURATION: '20000', HANDLER_DELAY_MS: '100' });
      await webhooks(fleet, 1);
      await eventually(
        async () => (await deliveries(redis)).length >= 5,
        'drains are under way',
        120_000,
      );
      const before = (await deliveries(redis)).length;
      await down(redis);
      await new Promise((resolve) => setTimeout(resolve, 300)); // the outage lasts a moment
      await up(redis);
      await allCursorsAtTheEnd(redis);
      for (const r of fleet) await stop(r);
      const all = await deliveries(redis);
      // The outage came in the middle: pages were still to deliver when Redis went away.
      expect(before).toBeLessThan((STREAMS * RECORDS) / PAGE_SIZE);
      for (const s of streams) expect(delivered(all, s).firstSeen).toEqual(ids(s));
    },
  );
});
