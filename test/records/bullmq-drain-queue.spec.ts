import 'reflect-metadata';
import { jest } from '@jest/globals';
import { Logger } from '@nestjs/common';
import { ModuleRef } from '@nestjs/core';
import { BullModule } from '@nestjs/bullmq';
import { Test } from '@nestjs/testing';
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
    type: 'bullmq',
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
    let ended = false;
    await a.start(async () => {
      await opened;
      ended = true;
    });
    await a.enqueue(stream('x'));
    await eventually(async () => (await redisCli(redis.port, 'KEYS', '*:active')) !== '', 'runs');
    const closed = a.close();
    setTimeout(open, 100);
    await closed;
    expect(ended).toBe(true);
    const error = await settle(a.enqueue(stream('x')));
    expect(error).toBeInstanceOf(NangoUsageError);
    expect((error as Error).message).toBe(
      'BullmqDrainQueue.enqueue() after close(): the queue is closed (the application is shutting down).',
    );
    await expect(a.start(async () => undefined)).rejects.toThrow('BullmqDrainQueue.start() after close()');
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
    const a = replica({ enqueueTimeout: 300 });
    await a.enqueue(stream('x'));
    redis.pause();
    try {
      await expect(a.enqueue(stream('y'))).rejects.toThrow(
        'BullmqDrainQueue.enqueue(): Redis did not take the job within 300 ms',
      );
    } finally {
      redis.resume();
    }
    await a.enqueue(stream('z'));
  });
});

describe('BullmqDrainQueue: connection and options', () => {
  it('without a connection, it uses the one of BullModule.forRoot() (and its prefix)', async () => {
    const moduleRef = await Test.createTestingModule({
      imports: [
        BullModule.forRoot({ connection: { host: '127.0.0.1', port: redis.port }, prefix: 'app' }),
      ],
    }).compile();
    const a = new BullmqDrainQueue({ type: 'bullmq' }, moduleRef.get(ModuleRef));
    queues.push(a);
    await a.enqueue(stream('x'));
    expect(await redisCli(redis.port, 'KEYS', 'app:nango-records:*')).not.toBe('');
    await moduleRef.close();
  });

  it('without a connection nor BullModule.forRoot(), enqueue() says what to add', async () => {
    const moduleRef = await Test.createTestingModule({}).compile();
    const a = new BullmqDrainQueue({ type: 'bullmq' }, moduleRef.get(ModuleRef));
    const error = await settle(a.enqueue(stream('x')));
    expect(error).toBeInstanceOf(NangoUsageError);
    expect((error as Error).message).toMatch(
      /^BullmqDrainQueue found no BULLMQ_CONFIG\(default\): give records\.queue\.connection .* or import BullModule\.forRoot\(\{ connection \}\) from @nestjs\/bullmq in the application\.$/,
    );
    const alone = new BullmqDrainQueue({ type: 'bullmq' });
    await expect(alone.enqueue(stream('x'))).rejects.toThrow(
      'BullmqDrainQueue has no Redis connection: give records.queue.connection',
    );
    await moduleRef.close();
  });

  it('a queueName and prefix of its own keep replicas of another app apart', async () => {
    const rec = new Recorder();
    const mine = replica({ queueName: 'mine', prefix: 'p1' });
    const other = replica({ queueName: 'mine', prefix: 'p2' });
    await other.start(rec.drain('other'));
    await mine.enqueue(stream('x'));
    expect(await redisCli(redis.port, 'KEYS', 'p1:mine:*')).not.toBe('');
    await new Promise((resolve) => setTimeout(resolve, 300));
    expect(rec.runs).toEqual([]);
  });

  it.each([
    [{ concurrency: 0 }, 'records.queue.concurrency: must be a whole number of at least 1.'],
    [{ lockDuration: 1.5 }, 'records.queue.lockDuration: must be a whole number of at least 1.'],
    [{ stalledInterval: '10' }, 'records.queue.stalledInterval: must be a whole number of at least 1.'],
    [{ enqueueTimeout: -1 }, 'records.queue.enqueueTimeout: must be a whole number of at least 1.'],
    [{ queueName: 'a:b' }, 'records.queue.queueName: must be a non-empty string without ":".'],
    [{ prefix: ' ' }, 'records.queue.prefix: must be a non-empty string without ":".'],
    [{ connection: 'redis://x' }, 'records.queue.connection: must be ioredis options'],
    [{ configKey: 3 }, 'records.queue.configKey: must be a string.'],
    [{ type: 'redis' }, "records.queue.type: must be 'bullmq' for the BullMQ queue."],
  ])('bad options %j: a configuration error naming the field', (bad, message) => {
    const options = { type: 'bullmq', ...bad } as unknown as NangoBullmqQueueOptions;
    expect(() => new BullmqDrainQueue(options)).toThrow(NangoConfigurationError);
    expect(() => new BullmqDrainQueue(options)).toThrow(message);
  });

  it('the options error never echoes the connection (it may hold a password)', () => {
    const options = {
      type: 'bullmq',
      connection: { password: 'hunter2-secret' },
      concurrency: 0,
    } as NangoBullmqQueueOptions;
    expect(() => new BullmqDrainQueue(options)).toThrow(
      expect.objectContaining({ message: expect.not.stringContaining('hunter2') }) as Error,
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
      await new Promise((resolve) => setTimeout(resolve, 1500));
      const lines = warn.mock.calls.map((c) => String(c[0]));
      expect(lines.join('\n')).not.toContain('hunter2');
      expect(lines[0]).toMatch(/^BullMQ queue "nango-records": .*ECONNREFUSED/);
      expect(new Set(lines).size).toBe(lines.length);
    } finally {
      warn.mockRestore();
    }
  });
});
