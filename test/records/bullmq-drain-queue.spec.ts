import 'reflect-metadata';
import { jest } from '@jest/globals';
import { Logger } from '@nestjs/common';
import { BullModule, getSharedConfigToken } from '@nestjs/bullmq';
import { Test } from '@nestjs/testing';
import type { QueueOptions } from 'bullmq';
import { NangoConfigurationError, NangoUsageError } from '../../lib/index.js';
import { BullmqDrainQueue } from '../../lib/records/bullmq-drain-queue.js';
import type { NangoBullmqQueueOptions } from '../../lib/records/bullmq-drain-queue.options.js';
import {
  nangoRecordsStreamKey,
  type NangoRecordsStream,
} from '../../lib/records/nango-records-stream.js';
import { eventually, settle } from '../fixtures/eventually.js';
import { redisCli, startRedis, type RedisServer } from '../fixtures/redis-server.js';

// Real redis-server and real BullMQ; two queue objects on one Redis stand for two replicas.
jest.setTimeout(60_000);

let redis: RedisServer;
const queues: BullmqDrainQueue[] = [];

beforeAll(async () => {
  redis = await startRedis();
}, 30_000);

afterEach(async () => {
  while (queues.length > 0) await queues.pop()?.close();
  await redisCli(redis.port, 'FLUSHALL');
});

afterAll(async () => {
  await redis?.stop();
});

function stream(connectionId: string, model = 'Issue'): NangoRecordsStream {
  return { providerConfigKey: 'github', connectionId, model, variant: 'base' };
}

/** A queue ("replica") on the test's Redis, closed after the test. */
function replica(options: Partial<NangoBullmqQueueOptions> = {}): BullmqDrainQueue {
  const queue = new BullmqDrainQueue({
    connection: { host: '127.0.0.1', port: redis.port },
    ...options,
  });
  queues.push(queue);
  return queue;
}

/** A promise and the function that settles it. */
function gate(): { opened: Promise<void>; open: () => void } {
  let open = () => undefined as void;
  const opened = new Promise<void>((resolve) => (open = resolve));
  return { opened, open };
}

/**
 * Drains recorded by every replica: each run's stream key, replica, and whether another run of
 * the same stream was going on when it started (it never may).
 */
class Recorder {
  readonly runs: Array<{ key: string; replica: string }> = [];
  readonly overlaps: string[] = [];
  readonly running = new Map<string, number>();
  maxRunning = 0;
  private gates: Array<() => void> = [];
  blocked = false;

  drain(name: string) {
    return async (s: NangoRecordsStream): Promise<void> => {
      const key = nangoRecordsStreamKey(s);
      if ((this.running.get(key) ?? 0) > 0) this.overlaps.push(key);
      this.running.set(key, (this.running.get(key) ?? 0) + 1);
      this.runs.push({ key, replica: name });
      this.maxRunning = Math.max(this.maxRunning, this.total());
      try {
        if (this.blocked) await new Promise<void>((resolve) => this.gates.push(resolve));
      } finally {
        this.running.set(key, (this.running.get(key) ?? 1) - 1);
      }
    };
  }

  total(): number {
    return [...this.running.values()].reduce((a, b) => a + b, 0);
  }

  /** Lets every blocked drain end, and the ones after them run through. */
  release(): void {
    this.blocked = false;
    for (const open of this.gates.splice(0)) open();
  }

  count(key: string): number {
    return this.runs.filter((r) => r.key === key).length;
  }
}

describe('BullmqDrainQueue: one drain per stream across replicas', () => {
  it('a stream requested again and again while its drain runs, from both replicas, drains exactly once more after it, never in parallel', async () => {
    const rec = new Recorder();
    rec.blocked = true;
    const a = replica();
    const b = replica();
    await a.start(rec.drain('a'));
    await b.start(rec.drain('b'));
    const s = stream('c1');
    const key = nangoRecordsStreamKey(s);

    await a.enqueue(s);
    await eventually(() => rec.count(key) === 1, 'the first drain runs', 20_000);
    for (let i = 0; i < 10; i++) await (i % 2 === 0 ? a : b).enqueue(s);
    // While the first drain runs, the requests wait as one: no second run starts.
    expect(rec.count(key)).toBe(1);
    rec.release();

    await a.idle();
    await b.idle();
    expect(rec.count(key)).toBe(2);
    expect(rec.overlaps).toEqual([]);
  });

  it('requests for a stream that is waiting merge into one drain', async () => {
    const rec = new Recorder();
    rec.blocked = true;
    const a = replica({ concurrency: 1 });
    await a.start(rec.drain('a'));
    const busy = stream('busy');
    const waiting = stream('waiting');
    await a.enqueue(busy);
    await eventually(() => rec.count(nangoRecordsStreamKey(busy)) === 1, 'busy runs', 20_000);
    for (let i = 0; i < 5; i++) await a.enqueue(waiting);
    rec.release();
    await a.idle();
    expect(rec.count(nangoRecordsStreamKey(waiting))).toBe(1);
    expect(rec.count(nangoRecordsStreamKey(busy))).toBe(1);
  });

  it('a request that lands as the drain ends is not lost (the drain asks again on its way out)', async () => {
    const a = replica();
    const b = replica();
    const s = stream('tail');
    let runs = 0;
    const drain = async (): Promise<void> => {
      runs += 1;
      // The webhook of the next sync arrives while this drain finishes its last page.
      if (runs <= 5) await (runs % 2 === 0 ? a : b).enqueue(s);
    };
    await a.start(drain);
    await b.start(drain);
    await a.enqueue(s);
    await eventually(() => runs === 6, 'every request got its run after the one running', 30_000);
    await a.idle();
    await b.idle();
    expect(runs).toBe(6);
  });

  it('different streams drain on both replicas, at most `concurrency` at once per replica', async () => {
    const rec = new Recorder();
    rec.blocked = true;
    const a = replica({ concurrency: 2 });
    const b = replica({ concurrency: 2 });
    await a.start(rec.drain('a'));
    await b.start(rec.drain('b'));
    const streams = Array.from({ length: 6 }, (_, i) => stream(`s${i}`));
    for (const s of streams) await a.enqueue(s);
    await eventually(() => rec.total() === 4, 'two drains run on each replica', 20_000);
    const byReplica = (name: string) => rec.runs.filter((r) => r.replica === name).length;
    expect([byReplica('a'), byReplica('b')]).toEqual([2, 2]);
    rec.release();
    await a.idle();
    await b.idle();
    expect(rec.maxRunning).toBe(4);
    for (const s of streams) expect(rec.count(nangoRecordsStreamKey(s))).toBe(1);
  });

  it('a drain that rejects (the stream parked) does not block the stream: the next request drains it', async () => {
    const a = replica();
    let calls = 0;
    await a.start(async () => {
      calls += 1;
      if (calls === 1) throw new Error('parked');
    });
    const s = stream('parked');
    await a.enqueue(s);
    await eventually(() => calls === 1, 'the failing drain ran', 20_000);
    await a.idle();
    await a.enqueue(s);
    await eventually(() => calls === 2, 'a new request drains again', 20_000);
  });

  it('streams of named instances and variants are different jobs, and the drain gets the stream back as sent', async () => {
    const a = replica();
    const seen: NangoRecordsStream[] = [];
    await a.start(async (s) => void seen.push(s));
    const one = { ...stream('c1'), instance: 'eu' };
    const two = { ...stream('c1'), variant: 'v2' };
    await a.enqueue({ ...one, extra: 'dropped' } as NangoRecordsStream);
    await a.enqueue(two);
    await eventually(() => seen.length === 2, 'both drained', 20_000);
    expect(seen).toEqual(expect.arrayContaining([one, two]));
  });
});

describe('BullmqDrainQueue: idle and close', () => {
  it('idle() resolves at once with nothing queued, and only after waiting and running drains ended', async () => {
    const rec = new Recorder();
    const a = replica({ concurrency: 1 });
    await a.idle();
    rec.blocked = true;
    await a.start(rec.drain('a'));
    await a.enqueue(stream('x'));
    await a.enqueue(stream('y'));
    let idle = false;
    const waiting = a.idle().then(() => (idle = true));
    await eventually(() => rec.runs.length === 1, 'x runs', 20_000);
    await new Promise((resolve) => setTimeout(resolve, 200));
    expect(idle).toBe(false);
    rec.release();
    await waiting;
    expect(rec.runs.map((r) => r.key)).toEqual([
      nangoRecordsStreamKey(stream('x')),
      nangoRecordsStreamKey(stream('y')),
    ]);
  });

  it('close() waits for the running drain, then enqueue() and start() fail clearly', async () => {
    const a = replica();
    const { opened, open } = gate();
    let started = false;
    let ended = false;
    await a.start(async () => {
      started = true;
      await opened;
      ended = true;
    });
    await a.enqueue(stream('x'));
    await eventually(() => started, 'the drain runs', 20_000);
    const closed = a.close();
    setTimeout(open, 100);
    await closed;
    expect(ended).toBe(true);
    const error = await settle(a.enqueue(stream('x')));
    expect(error).toBeInstanceOf(NangoUsageError);
    expect((error as Error).message).toBe(
      'BullmqDrainQueue.enqueue() after close(): the queue is closed (the application is shutting down).',
    );
    await expect(a.start(async () => undefined)).rejects.toThrow(
      'BullmqDrainQueue.start() after close()',
    );
    await a.idle();
  });

  it('start() twice is a clear error', async () => {
    const a = replica();
    await a.start(async () => undefined);
    await expect(a.start(async () => undefined)).rejects.toThrow(
      'BullmqDrainQueue.start() was called twice: call it once.',
    );
  });

  it('enqueue() fails within enqueueTimeout while Redis does not answer, and works again after', async () => {
    const a = replica({ redisTimeout: 300 });
    await a.enqueue(stream('x'));
    redis.pause();
    try {
      await expect(a.enqueue(stream('y'))).rejects.toThrow(
        'BullmqDrainQueue.enqueue(): Redis did not answer within 300 ms',
      );
    } finally {
      redis.resume();
    }
    await a.enqueue(stream('z'));
  });
});

describe('BullmqDrainQueue: shutdown with Redis away, and connections', () => {
  it('close() does not hang while Redis does not answer: the drain ends, close() gives up after redisTimeout', async () => {
    const a = replica({ redisTimeout: 500 });
    const { opened, open } = gate();
    let started = false;
    await a.start(async () => {
      started = true;
      await opened;
    });
    await a.enqueue(stream('x'));
    await eventually(() => started, 'the drain runs', 20_000);
    redis.pause();
    try {
      const closed = a.close();
      open();
      await closed;
    } finally {
      redis.resume();
    }
    // Redis is back: another replica drains the stream (the job was recorded, or its lock expires).
    const b = replica({ lockDuration: 1000, stalledInterval: 500 });
    const seen: string[] = [];
    await b.start(async (s) => void seen.push(s.connectionId));
    await b.enqueue(stream('x'));
    await eventually(() => seen.length >= 1, 'the stream drains on the other replica', 30_000);
  });

  it("an application's own ioredis client is used as is and left open by close()", async () => {
    const { Redis } = await import('ioredis');
    const client = new Redis({ host: '127.0.0.1', port: redis.port, maxRetriesPerRequest: null });
    try {
      const a = new BullmqDrainQueue({ connection: client, prefix: 'own' });
      const seen: string[] = [];
      await a.start(async (s) => void seen.push(s.connectionId));
      await a.enqueue(stream('c1'));
      await eventually(() => seen.length === 1, 'drained through the shared client', 20_000);
      await a.idle();
      await a.close();
      expect(client.status).toBe('ready');
      expect(await client.ping()).toBe('PONG');
    } finally {
      client.disconnect();
    }
  });

  it("BullModule.forRoot()'s connection and prefix plug in through a factory provider", async () => {
    const moduleRef = await Test.createTestingModule({
      imports: [
        BullModule.forRoot({ connection: { host: '127.0.0.1', port: redis.port }, prefix: 'app' }),
      ],
      providers: [
        {
          provide: 'RECORDS_QUEUE',
          inject: [getSharedConfigToken()],
          useFactory: (bull: QueueOptions) =>
            new BullmqDrainQueue({ connection: bull.connection, prefix: bull.prefix }),
        },
      ],
    }).compile();
    const a = moduleRef.get<BullmqDrainQueue>('RECORDS_QUEUE');
    queues.push(a);
    await a.enqueue(stream('x'));
    expect(await redisCli(redis.port, 'KEYS', 'app:nango-records:*')).not.toBe('');
    await moduleRef.close();
  });
});

describe('BullmqDrainQueue: options and peers', () => {
  const connection = { host: '127.0.0.1', port: 1 };

  it.each([
    [{ concurrency: 0 }, 'records.queue.concurrency: must be a whole number of at least 1.'],
    [{ lockDuration: 1.5 }, 'records.queue.lockDuration: must be a whole number of at least 1.'],
    [
      { stalledInterval: '10' },
      'records.queue.stalledInterval: must be a whole number of at least 1.',
    ],
    [
      { maxStalledCount: -1 },
      'records.queue.maxStalledCount: must be a whole number of at least 0.',
    ],
    [{ redisTimeout: -1 }, 'records.queue.redisTimeout: must be a whole number of at least 1.'],
    [{ queueName: 'a:b' }, 'records.queue.queueName: must be a non-empty string without ":".'],
    [{ prefix: ' ' }, 'records.queue.prefix: must be a non-empty string without ":".'],
    [{ connection: 'redis://x' }, 'records.queue.connection: must be ioredis options'],
    [{ connection: undefined }, 'records.queue.connection: must be ioredis options'],
    [{ type: 'redis' }, "records.queue.type: must be 'bullmq' or absent."],
  ])('bad options %j: a configuration error naming the field', (bad, message) => {
    const options = { connection, ...bad } as unknown as NangoBullmqQueueOptions;
    expect(() => new BullmqDrainQueue(options)).toThrow(NangoConfigurationError);
    expect(() => new BullmqDrainQueue(options)).toThrow(message);
  });

  it('no options at all: a configuration error', () => {
    const build = () => new BullmqDrainQueue(undefined as unknown as NangoBullmqQueueOptions);
    expect(build).toThrow('records.queue: must be the options object of new BullmqDrainQueue');
  });

  it('the options error never echoes the connection (it may hold a password)', () => {
    const options = { connection: { password: 'hunter2-secret' }, concurrency: 0 };
    expect(() => new BullmqDrainQueue(options)).toThrow(
      expect.objectContaining({ message: expect.not.stringContaining('hunter2') }) as Error,
    );
  });

  it('enqueue() of something that is not a stream, and start() without a function, are clear errors', async () => {
    const a = replica();
    await expect(
      a.enqueue({ providerConfigKey: 'github' } as unknown as NangoRecordsStream),
    ).rejects.toThrow(
      'BullmqDrainQueue.enqueue() got no records stream: pass { providerConfigKey, connectionId, model, variant } strings',
    );
    await expect(a.start(undefined as unknown as () => Promise<void>)).rejects.toThrow(
      'BullmqDrainQueue.start() got no function: pass the drain.',
    );
  });

  it('a missing bullmq (or ioredis) is an error naming the packages and versions to install', async () => {
    const missing = (name: string) => () =>
      Promise.reject(new Error(`Cannot find package '${name}'`));
    class NoBullmq extends BullmqDrainQueue {
      protected override importBullmq = missing('bullmq');
    }
    class NoIoredis extends BullmqDrainQueue {
      protected override importIoredis = missing('ioredis');
    }
    const error = await settle(new NoBullmq({ connection }).enqueue(stream('x')));
    expect(error).toBeInstanceOf(NangoUsageError);
    expect((error as Error).message).toBe(
      "BullmqDrainQueue needs bullmq, which could not be loaded (Cannot find package 'bullmq'). Install it: npm i bullmq@^6.7.0 ioredis@^5",
    );
    await expect(new NoIoredis({ connection }).start(async () => undefined)).rejects.toThrow(
      "BullmqDrainQueue needs ioredis, which could not be loaded (Cannot find package 'ioredis'). Install it: npm i ioredis@^5",
    );
  });

  it('a Redis it cannot reach is logged once per distinct error, without the password', async () => {
    const warn = jest.spyOn(Logger.prototype, 'warn').mockImplementation(() => undefined);
    const down = await startRedis();
    await down.stop();
    try {
      const a = replica({
        connection: { host: '127.0.0.1', port: down.port, password: 'hunter2-secret' },
      });
      await a.start(async () => undefined);
      await eventually(() => warn.mock.calls.length > 0, 'the outage is logged', 20_000);
      const lines = warn.mock.calls.map((c) => String(c[0]));
      expect(lines.join('\n')).not.toContain('hunter2');
      expect(lines[0]).toMatch(/^BullMQ queue "nango-records": .*ECONNREFUSED/);
      for (let i = 1; i < lines.length; i++) expect(lines[i]).not.toBe(lines[i - 1]);
    } finally {
      warn.mockRestore();
    }
  });
});
