import { NangoConfigurationError } from '../errors/nango-misuse.errors.js';
import { isWholeNumber } from '../utils/whole-number.js';

/**
 * Redis connection options as ioredis takes them (`host`, `port`, `username`, `password`,
 * `db`, `tls`, ...): the queue's BullMQ objects open their own connections with them and close
 * them in `close()`.
 */
export interface NangoRedisConnectionOptions {
  /** Redis host; default `localhost`. */
  host?: string;
  /** Redis port; default 6379. */
  port?: number;
  /** ACL user name. */
  username?: string;
  /** Password (never logged, never put in an error message). */
  password?: string;
  /** Database index; default 0. */
  db?: number;
  /** Any other ioredis option (`tls`, `family`, `retryStrategy`, ...). */
  [option: string]: unknown;
}

/**
 * A Redis client the application already has (an ioredis `Redis` or `Cluster`). BullMQ runs its
 * commands on it, duplicates it for the worker's blocking connection, and leaves it open in
 * `close()` (it is the application's to close). Create it with `maxRetriesPerRequest: null`
 * (BullMQ's requirement for workers) and without `keyPrefix` (use
 * {@link NangoBullmqQueueOptions.prefix}).
 */
export interface NangoRedisClient {
  /** The client's connection status (`ready`, `connecting`, ...). */
  readonly status: string;
  /** A new client with the same options (ioredis `duplicate()`). */
  duplicate(...args: never[]): unknown;
}

/**
 * Options of a {@link BullmqDrainQueue} (`records: { queue: new BullmqDrainQueue(options) }`).
 * Every replica must give the same Redis, `prefix` and `queueName`; the rest is per replica.
 */
export interface NangoBullmqQueueOptions {
  /** Optional tag for option objects written against the first contract; only `'bullmq'`. */
  type?: 'bullmq';
  /**
   * ioredis options (the queue opens and closes its own connections) or an ioredis client (used
   * as is, never closed by the queue). With `@nestjs/bullmq`, pass `BullModule.forRoot()`'s
   * `connection` (see the docs' "Several replicas: BullMQ").
   */
  connection: NangoRedisConnectionOptions | NangoRedisClient;
  /** Prefix of every BullMQ key in Redis; default `bull` (BullMQ's). */
  prefix?: string;
  /** The BullMQ queue name (no `:`); default `nango-records`. */
  queueName?: string;
  /** Drains this replica runs at once (always of different streams); default 4. */
  concurrency?: number;
  /**
   * How long a running drain's lock lasts without renewal, in ms (BullMQ renews it every half
   * of this while the process lives); default 30000. A replica that stops renewing (killed, or
   * its event loop blocked that long) loses the job to another replica, so keep it well above
   * the longest the event loop may block.
   */
  lockDuration?: number;
  /** How often each replica looks for jobs whose lock expired, in ms; default 30000. */
  stalledInterval?: number;
  /**
   * How many times a job may lose its worker (killed replica) and be run again before BullMQ
   * fails it; default 1 (BullMQ's). The stream is not lost when it fails: its cursor is saved
   * and the next webhook or reconcile drains it.
   */
  maxStalledCount?: number;
  /**
   * Longest wait for Redis, in ms, in `enqueue()` (then it rejects, the webhook answers 5xx
   * and Nango sends it again) and in `close()` (recording the drains that ended); default 5000.
   */
  redisTimeout?: number;
}

/** {@link NangoBullmqQueueOptions} with every default applied. */
export interface ResolvedBullmqQueueOptions {
  /** See {@link NangoBullmqQueueOptions.connection}. */
  readonly connection: NangoRedisConnectionOptions | NangoRedisClient;
  /** Whether `connection` is a client of the application (never closed by the queue). */
  readonly sharedClient: boolean;
  /** See {@link NangoBullmqQueueOptions.prefix}. */
  readonly prefix?: string;
  /** See {@link NangoBullmqQueueOptions.queueName}. */
  readonly queueName: string;
  /** See {@link NangoBullmqQueueOptions.concurrency}. */
  readonly concurrency: number;
  /** See {@link NangoBullmqQueueOptions.lockDuration}. */
  readonly lockDuration: number;
  /** See {@link NangoBullmqQueueOptions.stalledInterval}. */
  readonly stalledInterval: number;
  /** See {@link NangoBullmqQueueOptions.maxStalledCount}. */
  readonly maxStalledCount: number;
  /** See {@link NangoBullmqQueueOptions.redisTimeout}. */
  readonly redisTimeout: number;
}

/** The default BullMQ queue name of the records drains. */
export const DEFAULT_BULLMQ_QUEUE_NAME = 'nango-records';

const FIELD = 'records.queue';

type Problems = Array<{ field: string; problem: string }>;

function whole(
  options: NangoBullmqQueueOptions,
  name: 'concurrency' | 'lockDuration' | 'stalledInterval' | 'maxStalledCount' | 'redisTimeout',
  fallback: number,
  min: number,
  problems: Problems,
): number {
  const value = options[name];
  if (value === undefined) return fallback;
  if (!isWholeNumber(value, min)) {
    problems.push({
      field: `${FIELD}.${name}`,
      problem: `must be a whole number of at least ${min}.`,
    });
  }
  return value;
}

function checkName(value: unknown, field: string, problems: Problems): void {
  if (value === undefined) return;
  if (typeof value !== 'string' || value.trim() === '' || value.includes(':')) {
    problems.push({
      field: `${FIELD}.${field}`,
      problem: 'must be a non-empty string without ":".',
    });
  }
}

/** Whether `value` looks like an ioredis client rather than options for one. */
export function isRedisClient(value: object): value is NangoRedisClient {
  return typeof (value as { duplicate?: unknown }).duplicate === 'function';
}

/** Validates the options (one line per bad field, never a value) and applies the defaults. */
export function resolveBullmqQueueOptions(
  options: NangoBullmqQueueOptions,
): ResolvedBullmqQueueOptions {
  if (typeof options !== 'object' || options === null) {
    throw NangoConfigurationError.create([
      { field: FIELD, problem: 'must be the options object of new BullmqDrainQueue({ ... }).' },
    ]);
  }
  const problems: Problems = [];
  if (options.type !== undefined && options.type !== 'bullmq') {
    problems.push({ field: `${FIELD}.type`, problem: "must be 'bullmq' or absent." });
  }
  const { connection } = options;
  const validConnection = typeof connection === 'object' && connection !== null;
  if (!validConnection) {
    problems.push({
      field: `${FIELD}.connection`,
      problem: 'must be ioredis options ({ host, port, ... }) or an ioredis client.',
    });
  }
  checkName(options.queueName, 'queueName', problems);
  checkName(options.prefix, 'prefix', problems);
  const resolved: ResolvedBullmqQueueOptions = {
    connection,
    sharedClient: validConnection && isRedisClient(connection),
    prefix: options.prefix,
    queueName: options.queueName ?? DEFAULT_BULLMQ_QUEUE_NAME,
    concurrency: whole(options, 'concurrency', 4, 1, problems),
    lockDuration: whole(options, 'lockDuration', 30_000, 1, problems),
    stalledInterval: whole(options, 'stalledInterval', 30_000, 1, problems),
    maxStalledCount: whole(options, 'maxStalledCount', 1, 0, problems),
    redisTimeout: whole(options, 'redisTimeout', 5_000, 1, problems),
  };
  if (problems.length > 0) throw NangoConfigurationError.create(problems);
  return resolved;
}
