import { Logger } from '@nestjs/common';
import type { ModuleRef } from '@nestjs/core';
import { NangoUsageError } from '../errors/nango-misuse.errors.js';
import {
  loadBullmq,
  loadNestBullmq,
  type BullmqJob,
  type BullmqPackage,
  type BullmqQueue,
  type BullmqWorker,
} from './bullmq-peer.js';
import {
  resolveBullmqQueueOptions,
  type NangoBullmqQueueOptions,
  type ResolvedBullmqQueueOptions,
} from './bullmq-drain-queue.options.js';
import type { NangoDrainFunction, NangoDrainQueue } from './nango-drain-queue.js';
import { nangoRecordsStreamKey, type NangoRecordsStream } from './nango-records-stream.js';

/** The BullMQ job name of a drain. */
const JOB_NAME = 'drain';
/** How often `idle()` and `close()` look again, in ms. */
const POLL_MS = 25;

/** What the queue needs once the peers are loaded and the connection is known. */
interface Setup {
  readonly bullmq: BullmqPackage;
  readonly queue: BullmqQueue;
  readonly connection: object;
  readonly prefix: string | undefined;
}

/**
 * The {@link NangoDrainQueue} for many replicas: each drain is a BullMQ job on a Redis every
 * replica shares (`records: { queue: { type: 'bullmq', ... } }`, see
 * {@link NangoBullmqQueueOptions}).
 *
 * - **One drain per stream across the fleet.** Jobs are deduplicated by
 *   {@link nangoRecordsStreamKey} with BullMQ's `keepLastIfActive`: a request while the stream's
 *   job waits is merged into it; a request while it runs is kept (atomically, in Redis) and
 *   becomes exactly one more job when the running one ends, so the drain runs once more,
 *   never in parallel, never dropped.
 * - **A killed replica's drain is picked up again.** A running job holds a lock that its worker
 *   renews; when the replica dies, another replica's stalled-job check (every
 *   `stalledInterval`) puts the job back, and it runs again from the saved cursor.
 * - **Per-replica concurrency:** `concurrency` drains (of different streams) at once.
 *
 * Every replica must use the same Redis, `prefix` and `queueName`. `bullmq` (and `@nestjs/bullmq`
 * when the connection comes from `BullModule.forRoot()`) load when the queue is first used.
 */
export class BullmqDrainQueue implements NangoDrainQueue {
  private readonly logger = new Logger('NangoRecords');
  private readonly options: ResolvedBullmqQueueOptions;
  private setup: Promise<Setup> | undefined;
  private worker: BullmqWorker | undefined;
  /** Jobs this replica's worker holds, by id: running the drain, or being finished in Redis. */
  private readonly held = new Map<string, 'running' | 'finishing'>();
  private closing: Promise<void> | undefined;
  private lastError: string | undefined;

  /**
   * @param options `records.queue` (validated here: a bad field throws a configuration error)
   * @param moduleRef where to find `BullModule.forRoot()`'s configuration when `connection` is absent
   */
  constructor(
    options: NangoBullmqQueueOptions,
    private readonly moduleRef?: ModuleRef,
  ) {
    this.options = resolveBullmqQueueOptions(options);
  }

  /** Starts this replica's worker; `drain` runs for each stream's job. */
  async start(drain: NangoDrainFunction): Promise<void> {
    if (this.closing !== undefined) throw closedError('start');
    if (this.worker !== undefined) {
      throw NangoUsageError.create('BullmqDrainQueue.start() was called twice', 'call it once.');
    }
    const { bullmq, connection, prefix } = await this.ready();
    const { queueName, concurrency, lockDuration, stalledInterval } = this.options;
    const worker = new bullmq.Worker(queueName, (job) => this.run(job, drain), {
      connection,
      ...(prefix === undefined ? {} : { prefix }),
      concurrency,
      lockDuration,
      stalledInterval,
    });
    this.worker = worker;
    worker.on('active', (job) => this.hold(job, 'running'));
    worker.on('completed', (job) => this.release(job));
    worker.on('failed', (job) => this.release(job));
    worker.on('error', (error) => {
      // A job whose lock was lost ends with neither `completed` nor `failed`.
      for (const [id, state] of this.held) if (state === 'finishing') this.held.delete(id);
      this.warn(error);
    });
  }

  /** Queues a drain of the stream (merged with one already waiting); resolves once Redis has it. */
  async enqueue(stream: NangoRecordsStream): Promise<void> {
    if (this.closing !== undefined) throw closedError('enqueue');
    const { queue } = await this.ready();
    const data = streamData(stream);
    const added = queue.add(JOB_NAME, data, {
      deduplication: { id: nangoRecordsStreamKey(data), keepLastIfActive: true },
      removeOnComplete: true,
      removeOnFail: 100,
    });
    await within(added, this.options.enqueueTimeout, 'BullmqDrainQueue.enqueue()');
  }

  /**
   * Resolves once this replica runs no drain and no drain waits in the queue (for any replica);
   * drains other replicas are running are theirs to wait for. Keeps looking while Redis is away.
   */
  async idle(): Promise<void> {
    for (;;) {
      if (this.held.size === 0 && (await this.nothingWaiting())) return;
      await new Promise((resolve) => setTimeout(resolve, POLL_MS));
    }
  }

  /**
   * Stops taking jobs, waits for this replica's running drains to end (however long they take)
   * and for Redis to record them (at most `enqueueTimeout`), then closes its connections. A job
   * Redis could not record stays active until its lock expires and another replica runs it
   * again: at least once, never lost, and shutdown never hangs on a Redis that is away.
   */
  close(): Promise<void> {
    this.closing ??= (async () => {
      const worker = this.worker;
      if (worker !== undefined) {
        await worker.pause(true);
        await until(() => ![...this.held.values()].includes('running'));
        await until(() => this.held.size === 0, this.options.enqueueTimeout);
        await worker.close(true);
      }
      this.held.clear();
      const setup = await this.setup?.catch(() => undefined);
      await setup?.queue.close();
    })();
    return this.closing;
  }

  private async run(job: BullmqJob, drain: NangoDrainFunction): Promise<void> {
    const stream = parseStream(job.data);
    this.hold(job, 'running');
    try {
      await drain(stream);
    } finally {
      this.hold(job, 'finishing');
    }
  }

  private hold(job: BullmqJob | undefined, state: 'running' | 'finishing'): void {
    if (job?.id !== undefined) this.held.set(job.id, state);
  }

  private release(job: BullmqJob | undefined): void {
    if (job?.id !== undefined) this.held.delete(job.id);
  }

  private async nothingWaiting(): Promise<boolean> {
    if (this.setup === undefined) return true;
    try {
      const { queue } = await this.setup;
      const counts = await queue.getJobCounts('wait', 'prioritized', 'delayed', 'paused');
      return Object.values(counts).every((count) => count === 0);
    } catch {
      return this.closing !== undefined;
    }
  }

  private ready(): Promise<Setup> {
    this.setup ??= this.connect();
    this.setup.catch(() => (this.setup = undefined));
    return this.setup;
  }

  private async connect(): Promise<Setup> {
    const bullmq = await loadBullmq();
    const shared = await this.sharedConfig();
    const connection = this.options.connection ?? shared.connection;
    const prefix = this.options.prefix ?? shared.prefix;
    const queue = new bullmq.Queue(this.options.queueName, {
      connection,
      ...(prefix === undefined ? {} : { prefix }),
    });
    queue.on('error', (error) => this.warn(error));
    return { bullmq, queue, connection, prefix };
  }

  /** The connection and prefix of `BullModule.forRoot()`, when `connection` is not given. */
  private async sharedConfig(): Promise<{ connection: object; prefix?: string }> {
    if (this.options.connection !== undefined) return { connection: this.options.connection };
    const fix =
      "give records.queue.connection ({ type: 'bullmq', connection: { host, port } }) or " +
      'import BullModule.forRoot({ connection }) from @nestjs/bullmq in the application.';
    if (this.moduleRef === undefined) {
      throw NangoUsageError.create('BullmqDrainQueue has no Redis connection', fix);
    }
    const { getSharedConfigToken } = await loadNestBullmq();
    const token = getSharedConfigToken(this.options.configKey);
    let config: unknown;
    try {
      config = this.moduleRef.get(token, { strict: false });
    } catch (error) {
      throw NangoUsageError.create(`BullmqDrainQueue found no ${token}`, fix, error);
    }
    const { connection, prefix } = (config ?? {}) as { connection?: unknown; prefix?: unknown };
    if (typeof connection !== 'object' || connection === null) {
      throw NangoUsageError.create(`BullmqDrainQueue: ${token} has no connection`, fix);
    }
    return { connection, ...(typeof prefix === 'string' ? { prefix } : {}) };
  }

  /** Logs a BullMQ / Redis error once per distinct message (an outage repeats the same one). */
  private warn(error: Error): void {
    if (error.message === this.lastError) return;
    this.lastError = error.message;
    this.logger.warn(`BullMQ queue "${this.options.queueName}": ${error.message}`);
  }
}

function closedError(method: string): NangoUsageError {
  return NangoUsageError.create(
    `BullmqDrainQueue.${method}() after close()`,
    'the queue is closed (the application is shutting down).',
  );
}

/** The stream as plain JSON, without anything else the caller's object carries. */
function streamData(stream: NangoRecordsStream): NangoRecordsStream {
  const { instance, providerConfigKey, connectionId, model, variant } = stream;
  return {
    ...(instance === undefined ? {} : { instance }),
    providerConfigKey,
    connectionId,
    model,
    variant,
  };
}

/** A job's data back as a stream; a job that is not one (written by something else) fails. */
function parseStream(data: unknown): NangoRecordsStream {
  const value = (typeof data === 'object' && data !== null ? data : {}) as Record<string, unknown>;
  const parts = ['providerConfigKey', 'connectionId', 'model', 'variant'] as const;
  const ok =
    parts.every((part) => typeof value[part] === 'string') &&
    (value.instance === undefined || typeof value.instance === 'string');
  if (!ok) {
    throw new Error(
      'BullmqDrainQueue: the job is not a records stream (is another producer using this queue name?)',
    );
  }
  return streamData(value as unknown as NangoRecordsStream);
}

/** `promise`, or a rejection naming `what` once `ms` have passed. */
async function within<T>(promise: Promise<T>, ms: number, what: string): Promise<T> {
  let timer: NodeJS.Timeout | undefined;
  const timeout = new Promise<never>((_, reject) => {
    timer = setTimeout(
      () => reject(new Error(`${what}: Redis did not take the job within ${ms} ms`)),
      ms,
    );
  });
  try {
    return await Promise.race([promise, timeout]);
  } finally {
    clearTimeout(timer);
  }
}

/** Resolves once `done()` is true, or after `ms` (default: no bound). */
async function until(done: () => boolean, ms = Infinity): Promise<void> {
  const end = Date.now() + ms;
  while (!done() && Date.now() < end) await new Promise((resolve) => setTimeout(resolve, POLL_MS));
}
