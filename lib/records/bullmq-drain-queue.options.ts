import { NangoConfigurationError } from '../errors/nango-misuse.errors.js';
import { isWholeNumber } from '../utils/whole-number.js';

/**
 * Redis connection options as ioredis takes them (`host`, `port`, `username`, `password`,
 * `db`, `tls`, ...): BullMQ opens its own connections with them and closes them on shutdown.
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
 * A Redis client the application already has (an ioredis `Redis` or `Cluster`). BullMQ uses it
 * as is, duplicates it for its blocking connection, and leaves it open on shutdown. It must be
 * created with `maxRetriesPerRequest: null` (BullMQ's requirement for workers) and without
 * `keyPrefix` (use {@link NangoBullmqQueueOptions.prefix}).
 */
export interface NangoRedisClient {
  /** The client's connection status (`ready`, `connecting`, ...). */
  readonly status: string;
  /** A new client with the same options (ioredis `duplicate()`). */
  duplicate(...args: never[]): unknown;
}

/**
 * `records.queue` for many replicas: drains run as BullMQ jobs on a shared Redis, one job per
 * stream at a time across every replica (BullMQ deduplication by stream key, with
 * `keepLastIfActive`: a request while the stream's job runs makes exactly one more run after
 * it), a killed replica's job picked up by another (stalled-job recovery), `concurrency` drains
 * at once per replica.
 *
 * The connection is `connection` when given; otherwise the one of `@nestjs/bullmq`'s
 * `BullModule.forRoot()` (or `forRoot(configKey, ...)`), so an app that already configures
 * BullMQ the Nest way states its Redis once. `bullmq` (^5.73 or ^6; with 6, also `ioredis` ^5)
 * and, for the `BullModule.forRoot()` form, `@nestjs/bullmq` are optional peers, loaded when
 * the queue starts.
 *
 * @example
 * NangoModule.forRoot({ ..., records: { queue: { type: 'bullmq', connection: { host: 'redis' } } } })
 */
export interface NangoBullmqQueueOptions {
  /** Selects this queue. */
  type: 'bullmq';
  /** ioredis options or a client; absent: the connection of `BullModule.forRoot()`. */
  connection?: NangoRedisConnectionOptions | NangoRedisClient;
  /** Which `BullModule.forRoot(configKey, ...)` to take the connection from; default: the unnamed one. */
  configKey?: string;
  /** Prefix of every BullMQ key in Redis; default: `BullModule.forRoot()`'s, else `bull`. */
  prefix?: string;
  /** The BullMQ queue name (no `:`); default `nango-records`. Every replica must use the same. */
  queueName?: string;
  /** Drains this replica runs at once (different streams); default 4. */
  concurrency?: number;
  /**
   * How long a running drain's lock lasts without renewal, in ms (BullMQ renews it at half
   * this while the process is alive); default 30000. A replica that stops renewing (killed,
   * or its event loop blocked that long) loses the job to another replica.
   */
  lockDuration?: number;
  /** How often each replica looks for jobs whose lock expired, in ms; default 30000. */
  stalledInterval?: number;
  /** Longest wait for Redis to take a request (`enqueue`), in ms, before it fails; default 5000. */
  enqueueTimeout?: number;
}

/** {@link NangoBullmqQueueOptions} with every default applied. */
export interface ResolvedBullmqQueueOptions {
  readonly connection?: NangoRedisConnectionOptions | NangoRedisClient;
  readonly configKey?: string;
  readonly prefix?: string;
  readonly queueName: string;
  readonly concurrency: number;
  readonly lockDuration: number;
  readonly stalledInterval: number;
  readonly enqueueTimeout: number;
}

/** The default BullMQ queue name of the records drains. */
export const DEFAULT_BULLMQ_QUEUE_NAME = 'nango-records';

const FIELD = 'records.queue';

function positive(
  options: NangoBullmqQueueOptions,
  name: 'concurrency' | 'lockDuration' | 'stalledInterval' | 'enqueueTimeout',
  fallback: number,
  problems: Array<{ field: string; problem: string }>,
): number {
  const value = options[name];
  if (value === undefined) return fallback;
  if (!isWholeNumber(value, 1)) {
    problems.push({ field: `${FIELD}.${name}`, problem: 'must be a whole number of at least 1.' });
  }
  return value;
}

function name(
  value: unknown,
  field: string,
  problems: Array<{ field: string; problem: string }>,
): void {
  if (value === undefined) return;
  if (typeof value !== 'string' || value.trim() === '' || value.includes(':')) {
    problems.push({ field: `${FIELD}.${field}`, problem: 'must be a non-empty string without ":".' });
  }
}

/** Validates the options (one line per bad field, never a value) and applies the defaults. */
export function resolveBullmqQueueOptions(
  options: NangoBullmqQueueOptions,
): ResolvedBullmqQueueOptions {
  const problems: Array<{ field: string; problem: string }> = [];
  if (typeof options !== 'object' || options === null || options.type !== 'bullmq') {
    throw NangoConfigurationError.create([
      { field: `${FIELD}.type`, problem: "must be 'bullmq' for the BullMQ queue." },
    ]);
  }
  const { connection } = options;
  if (connection !== undefined && (typeof connection !== 'object' || connection === null)) {
    problems.push({
      field: `${FIELD}.connection`,
      problem: 'must be ioredis options ({ host, port, ... }) or an ioredis client.',
    });
  }
  name(options.queueName, 'queueName', problems);
  name(options.prefix, 'prefix', problems);
  if (options.configKey !== undefined && typeof options.configKey !== 'string') {
    problems.push({ field: `${FIELD}.configKey`, problem: 'must be a string.' });
  }
  const resolved: ResolvedBullmqQueueOptions = {
    connection,
    configKey: options.configKey,
    prefix: options.prefix,
    queueName: options.queueName ?? DEFAULT_BULLMQ_QUEUE_NAME,
    concurrency: positive(options, 'concurrency', 4, problems),
    lockDuration: positive(options, 'lockDuration', 30_000, problems),
    stalledInterval: positive(options, 'stalledInterval', 30_000, problems),
    enqueueTimeout: positive(options, 'enqueueTimeout', 5_000, problems),
  };
  if (problems.length > 0) throw NangoConfigurationError.create(problems);
  return resolved;
}
