import { NangoUsageError } from '../errors/nango-misuse.errors.js';

/** The part of a BullMQ `Job` the drain queue reads. */
export interface BullmqJob {
  /** The job's id (BullMQ numbers them). */
  readonly id?: string;
  /** The stream, as `enqueue()` wrote it. */
  readonly data: unknown;
}

/** The part of a BullMQ `Queue` the drain queue uses. */
export interface BullmqQueue {
  /** Adds a job (atomically deduplicated in Redis when `deduplication` is given). */
  add(name: string, data: unknown, options: Record<string, unknown>): Promise<unknown>;
  /** Counts jobs by state, in one Redis script (so one consistent snapshot). */
  getJobCounts(...types: string[]): Promise<Record<string, number>>;
  /** Closes the queue's connection (not a shared client). */
  close(): Promise<void>;
  /** Drops the queue's connection at once. */
  disconnect(): Promise<void>;
  /** Connection and command errors. */
  on(event: 'error', listener: (error: Error) => void): unknown;
}

/** The part of a BullMQ `Worker` the drain queue uses. */
export interface BullmqWorker {
  /** A job finished and Redis recorded it. */
  on(event: 'completed' | 'failed', listener: (job: BullmqJob | undefined) => void): unknown;
  /** Connection and command errors. */
  on(event: 'error', listener: (error: Error) => void): unknown;
  /** Jobs whose lock could not be renewed (another replica may take them). */
  on(event: 'lockRenewalFailed', listener: (jobIds: string[]) => void): unknown;
  /** Stops fetching jobs; with `true`, without waiting for the running ones. */
  pause(doNotWaitActive?: boolean): Promise<void>;
  /** Closes the worker and its connections; with `true`, without waiting for running jobs. */
  close(force?: boolean): Promise<void>;
}

/** The part of the `bullmq` package the drain queue uses. */
export interface BullmqPackage {
  /** BullMQ's `Queue` class. */
  Queue: new (name: string, options: Record<string, unknown>) => BullmqQueue;
  /** BullMQ's `Worker` class. */
  Worker: new (
    name: string,
    processor: (job: BullmqJob) => Promise<void>,
    options: Record<string, unknown>,
  ) => BullmqWorker;
}

/** What `npm i` needs for the BullMQ queue (bullmq 6 leaves the Redis client to the application). */
export const BULLMQ_INSTALL = 'bullmq@^6.7.0 ioredis@^5';

const USER = 'BullmqDrainQueue';

/**
 * Imports `bullmq`, and `ioredis` when BullMQ has to open connections from options (bullmq 6
 * has it as an optional peer): once per queue, when it first needs Redis, so an app on the
 * in-process queue never loads either. Fails with a {@link NangoUsageError} naming what to install.
 *
 * @param importBullmq `import('bullmq')`, replaceable (tests play a missing package)
 * @param importIoredis `import('ioredis')`, or `undefined` when the app gave its own client
 */
export async function loadBullmq(
  importBullmq: () => Promise<unknown>,
  importIoredis: (() => Promise<unknown>) | undefined,
): Promise<BullmqPackage> {
  let bullmq: BullmqPackage;
  try {
    bullmq = (await importBullmq()) as BullmqPackage;
  } catch (error) {
    throw NangoUsageError.missingDependency(USER, 'bullmq', error, BULLMQ_INSTALL);
  }
  if (importIoredis !== undefined) {
    try {
      await importIoredis();
    } catch (error) {
      throw NangoUsageError.missingDependency(USER, 'ioredis', error, 'ioredis@^5');
    }
  }
  return bullmq;
}
