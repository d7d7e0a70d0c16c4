import { Logger } from '@nestjs/common';
import { NangoUsageError } from '../errors/nango-misuse.errors.js';
import {
  loadBullmq,
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

export type {
  NangoBullmqQueueOptions,
  NangoRedisClient,
  NangoRedisConnectionOptions,
} from './bullmq-drain-queue.options.js';

/** The BullMQ job name of a drain. */
const JOB_NAME = 'drain';
/** How often `idle()` and `close()` look again, in ms. */
const POLL_MS = 25;
/** The job states in which a drain is still to run or running, on any replica. */
const PENDING_STATES = ['active', 'wait', 'paused', 'prioritized', 'delayed', 'waiting-children'];

/** What the queue needs once the peers are loaded. */
interface Setup {
  readonly bullmq: BullmqPackage;
  readonly queue: BullmqQueue;
}

/**
 * The {@link NangoDrainQueue} for several replicas: each drain is a BullMQ job on a Redis that
 * every replica shares. Plug it in with `records: { queue: new BullmqDrainQueue({ connection }) }`.
 *
 * **One drain per stream across the fleet, coalesced.** Each job carries BullMQ's
 * `deduplication: { id: nangoRecordsStreamKey(stream), keepLastIfActive: true }`. BullMQ does
 * the whole decision inside its Lua scripts, so Redis runs it atomically with respect to every
 * other replica's `add` and to the running job's end:
 * - no job of the stream exists: the request becomes the job;
 * - the stream's job waits: the request is merged into it (it has not read anything yet);
 * - the stream's job runs: the request is stored as the stream's one "next" job (later requests
 *   overwrite it: still one), and the script that moves the running job to completed or failed
 *   creates that job in the same step. A request that arrives after the drain read its last
 *   page but before the job ended is therefore one more run, never lost; one that arrives
 *   after the job ended finds no job and becomes one. There is no window between the two.
 *
 * So at most one job per stream runs and at most one waits, whichever replica asked.
 *
 * **A killed replica's drain is picked up again.** A running job holds a lock its worker renews
 * every `lockDuration / 2`; when the replica dies, another replica's stalled-job check (every
 * `stalledInterval`) puts the job back and it runs again from the saved cursor (the page being
 * handled when the replica died is delivered again: at least once). A stored "next" request
 * survives this. Caveat of every lock-based queue: a replica whose event loop blocks longer than
 * `lockDuration` loses its lock while still running, and another replica may start the same
 * stream; keep `lockDuration` well above the longest block.
 *
 * **Redis.** The queue lives in Redis: give Redis persistence (AOF) as for any BullMQ app, or a
 * restart that loses data loses the queued requests (the next webhook, or `reconcileEvery`,
 * drains those streams again; saved cursors are where the cursor store keeps them). While Redis
 * is away, running drains go on, `enqueue()` rejects after `redisTimeout` (the webhook answers
 * 5xx and Nango sends it again), and work resumes when Redis is back.
 *
 * `bullmq` (^6.7) and `ioredis` (^5) are optional peers, imported when the queue first needs
 * Redis; the in-process queue needs neither.
 */
export class BullmqDrainQueue implements NangoDrainQueue {
  private readonly logger = new Logger('NangoRecords');
  private readonly options: ResolvedBullmqQueueOptions;
  private setup: Promise<Setup> | undefined;
  private worker: BullmqWorker | undefined;
  private started = false;
  /** Drains running in this process. */
  private readonly running = new Set<Promise<void>>();
  /** Jobs whose drain ended here and that BullMQ has not yet recorded as completed or failed. */
  private readonly finishing = new Set<string>();
  private closing: Promise<void> | undefined;
  private lastWarning: string | undefined;

  /** @param options validated here: a bad field throws a `NangoConfigurationError` naming it */
  constructor(options: NangoBullmqQueueOptions) {
    this.options = resolveBullmqQueueOptions(options);
  }

  /** Starts this replica's worker; `drain` runs for each stream's job. Needs no Redis yet. */
  async start(drain: NangoDrainFunction): Promise<void> {
    if (this.closing !== undefined) throw closedError('start');
    if (typeof drain !== 'function') {
      throw NangoUsageError.create('BullmqDrainQueue.start() got no function', 'pass the drain.');
    }
    if (this.started) {
      throw NangoUsageError.create('BullmqDrainQueue.start() was called twice', 'call it once.');
    }
    this.started = true;
    const { bullmq } = await this.ready();
    const { queueName, concurrency, lockDuration, stalledInterval, maxStalledCount } = this.options;
    const worker = new bullmq.Worker(queueName, (job) => this.process(job, drain), {
      ...this.connectionOptions(),
      concurrency,
      lockDuration,
      stalledInterval,
      maxStalledCount,
    });
    worker.on('completed', (job) => this.recorded(job));
    worker.on('failed', (job) => this.recorded(job));
    worker.on('error', (error) => this.warn(error.message));
    worker.on('lockRenewalFailed', (ids) =>
      this.warn(`could not renew the lock of jobs ${ids.join(', ')}: another replica may run them`),
    );
    this.worker = worker;
  }

  /** Queues a drain of the stream (merged as described above); resolves once Redis has it. */
  async enqueue(stream: NangoRecordsStream): Promise<void> {
    if (this.closing !== undefined) throw closedError('enqueue');
    const data = toStream(stream, () =>
      NangoUsageError.create(
        'BullmqDrainQueue.enqueue() got no records stream',
        'pass { providerConfigKey, connectionId, model, variant } strings (and instance, if any).',
      ),
    );
    const { queue } = await this.ready();
    const added = queue.add(JOB_NAME, data, {
      deduplication: { id: nangoRecordsStreamKey(data), keepLastIfActive: true },
      removeOnComplete: true,
      removeOnFail: 100,
    });
    await within(added, this.options.redisTimeout, 'BullmqDrainQueue.enqueue()');
  }

  /**
   * Resolves once no drain runs in this process and the shared queue has no drain waiting or
   * running on any replica (Redis cannot tell this process's waiting jobs from the fleet's,
   * and a test wants the fleet quiet). A killed replica's job counts until another replica
   * took it back. Keeps looking while Redis is away. For shutdown use `close()`, which waits
   * for this replica's drains only.
   */
  async idle(): Promise<void> {
    for (;;) {
      if (this.running.size === 0 && this.finishing.size === 0 && (await this.nothingPending())) {
        return;
      }
      await sleep(POLL_MS);
    }
  }

  /**
   * Stops taking jobs, waits for this replica's running drains to end (however long they
   * take), then for Redis to record them (at most `redisTimeout`), and closes the worker, the
   * queue and the connections they opened (never an application's client). A job Redis could
   * not record stays active until its lock expires and another replica runs it again: at least
   * once, and shutdown never hangs on a Redis that is away.
   */
  close(): Promise<void> {
    this.closing ??= this.shutdown();
    return this.closing;
  }

  /** Imports `bullmq`; override to load it differently. */
  protected importBullmq(): Promise<unknown> {
    return import('bullmq');
  }

  /** Imports `ioredis`; override to load it differently. */
  protected importIoredis(): Promise<unknown> {
    return import('ioredis');
  }

  private async shutdown(): Promise<void> {
    const { redisTimeout, sharedClient } = this.options;
    const worker = this.worker;
    if (worker !== undefined) {
      await worker.pause(true).catch((error: Error) => this.warn(error.message));
      while (this.running.size > 0) await Promise.allSettled([...this.running]);
      await waitFor(() => this.finishing.size === 0, redisTimeout);
      await worker.close(true).catch((error: Error) => this.warn(error.message));
    }
    const setup = await this.setup?.catch(() => undefined);
    if (setup === undefined) return;
    const closed = await within(setup.queue.close(), redisTimeout, 'close').then(
      () => true,
      () => false,
    );
    if (!closed && !sharedClient) await setup.queue.disconnect().catch(() => undefined);
  }

  private async process(job: BullmqJob, drain: NangoDrainFunction): Promise<void> {
    const stream = toStream(
      job.data,
      () =>
        new Error(
          'BullmqDrainQueue: the job is not a records stream (is another producer using this queue name?)',
        ),
    );
    const done = drain(stream);
    const settled = done.then(
      () => undefined,
      () => undefined,
    );
    this.running.add(settled);
    try {
      await done;
    } finally {
      if (job.id !== undefined) this.finishing.add(job.id);
      this.running.delete(settled);
    }
  }

  private recorded(job: BullmqJob | undefined): void {
    if (job?.id !== undefined) this.finishing.delete(job.id);
  }

  private async nothingPending(): Promise<boolean> {
    if (this.setup === undefined) return true;
    try {
      const { queue } = await this.setup;
      const counts = await queue.getJobCounts(...PENDING_STATES);
      return Object.values(counts).every((count) => count === 0);
    } catch {
      return this.closing !== undefined;
    }
  }

  private connectionOptions(): Record<string, unknown> {
    const { connection, prefix } = this.options;
    return { connection, ...(prefix === undefined ? {} : { prefix }) };
  }

  private ready(): Promise<Setup> {
    this.setup ??= this.connect().catch((error: unknown) => {
      this.setup = undefined;
      throw error;
    });
    return this.setup;
  }

  private async connect(): Promise<Setup> {
    const bullmq = await loadBullmq(
      () => this.importBullmq(),
      this.options.sharedClient ? undefined : () => this.importIoredis(),
    );
    const queue = new bullmq.Queue(this.options.queueName, this.connectionOptions());
    queue.on('error', (error) => this.warn(error.message));
    return { bullmq, queue };
  }

  /** Logs a BullMQ / Redis problem once per distinct message (an outage repeats the same one). */
  private warn(message: string): void {
    if (message === this.lastWarning) return;
    this.lastWarning = message;
    this.logger.warn(`BullMQ queue "${this.options.queueName}": ${message}`);
  }
}

function closedError(method: string): NangoUsageError {
  return NangoUsageError.create(
    `BullmqDrainQueue.${method}() after close()`,
    'the queue is closed (the application is shutting down).',
  );
}

/** The stream's own fields as plain JSON, or `invalid()` thrown when `value` is not a stream. */
function toStream(value: unknown, invalid: () => Error): NangoRecordsStream {
  const fields = (typeof value === 'object' && value !== null ? value : {}) as Record<
    string,
    unknown
  >;
  const { instance, providerConfigKey, connectionId, model, variant } = fields;
  const parts = [providerConfigKey, connectionId, model, variant];
  const ok =
    parts.every((part) => typeof part === 'string' && part !== '') &&
    (instance === undefined || typeof instance === 'string');
  if (!ok) throw invalid();
  return {
    ...(instance === undefined ? {} : { instance: instance as string }),
    providerConfigKey: providerConfigKey as string,
    connectionId: connectionId as string,
    model: model as string,
    variant: variant as string,
  };
}

/** `promise`, or a rejection naming `what` once `ms` have passed (the late outcome is dropped). */
async function within<T>(promise: Promise<T>, ms: number, what: string): Promise<T> {
  promise.catch(() => undefined);
  let timer: NodeJS.Timeout | undefined;
  const timeout = new Promise<never>((_, reject) => {
    timer = setTimeout(
      () => reject(new Error(`${what}: Redis did not answer within ${ms} ms`)),
      ms,
    );
  });
  try {
    return await Promise.race([promise, timeout]);
  } finally {
    clearTimeout(timer);
  }
}

function sleep(ms: number): Promise<void> {
  return new Promise((resolve) => setTimeout(resolve, ms));
}

/** Resolves once `done()` is true, or after `ms`. */
async function waitFor(done: () => boolean, ms: number): Promise<void> {
  const end = Date.now() + ms;
  while (!done() && Date.now() < end) await sleep(POLL_MS);
}
