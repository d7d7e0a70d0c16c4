import { IsBoolean, IsObject, IsOptional, ValidateBy, ValidateNested } from 'class-validator';
import { NangoConfigurationError } from '../errors/nango-misuse.errors.js';
import { findOptionProblems } from '../options/nango-option-problems.js';
import { IsWholeNumberIn } from '../options/whole-number.rule.js';
import { isRecord } from '../utils/is-record.js';
import { InMemoryCursorStore, type NangoCursorStore } from './nango-cursor-store.js';
import type { NangoDrainQueue } from './nango-drain-queue.js';

/** How a page whose handler failed is tried again before its stream parks. */
export interface NangoRecordsRetryOptions {
  /** Tries of one page in all, 1 to 100 (default 5). */
  attempts?: number;
  /** The first wait, in ms (default 500); it doubles each try. */
  minDelayMs?: number;
  /** The longest wait, in ms (default 30 000); a `Retry-After` of Nango is waited up to it. */
  maxDelayMs?: number;
}

/** The `records` extra of `forRoot()` / `forRootAsync()`: how `@OnNangoRecords()` streams drain. */
export interface NangoRecordsOptions {
  /** Where each stream's cursor is kept (default: an `InMemoryCursorStore`). */
  cursorStore?: NangoCursorStore;
  /**
   * What runs the drains: `'in-process'` (default: one process) or a queue instance, e.g. a
   * `BullmqDrainQueue` for several replicas.
   */
  queue?: 'in-process' | NangoDrainQueue;
  /** Streams drained at once by the in-process queue, 1 to 100 (default 8). */
  concurrency?: number;
  /** Records per page (`listRecords` `limit`), 1 to 10 000 (default 100). */
  pageSize?: number;
  /** Tries of a failed page before the stream parks. */
  retry?: NangoRecordsRetryOptions;
  /**
   * Every that many ms, drain every stream of the handled models for every connection
   * (`listConnections`), so a lost webhook delays data by at most this long. Off when absent.
   */
  reconcileEvery?: number;
  /** Drain after a sync run that changed nothing (`responseResults` all 0); default false. */
  drainEmptyRuns?: boolean;
}

/** {@link NangoRecordsOptions} with the defaults applied. */
export interface ResolvedNangoRecordsOptions {
  readonly cursorStore: NangoCursorStore;
  readonly queue: 'in-process' | NangoDrainQueue;
  readonly concurrency: number;
  readonly pageSize: number;
  readonly retry: Required<NangoRecordsRetryOptions>;
  readonly reconcileEvery?: number;
  readonly drainEmptyRuns: boolean;
}

function hasMethods(value: unknown, methods: readonly string[]): boolean {
  return isRecord(value) && methods.every((m) => typeof value[m] === 'function');
}

class NangoRecordsRetrySchema implements NangoRecordsRetryOptions {
  @IsOptional() @IsWholeNumberIn(1, 100, 'attempts') attempts?: number;
  @IsOptional() @IsWholeNumberIn(1, 300_000, 'milliseconds') minDelayMs?: number;
  @IsOptional() @IsWholeNumberIn(1, 3_600_000, 'milliseconds') maxDelayMs?: number;
}

class NangoRecordsSchema {
  @IsOptional()
  @ValidateBy({
    name: 'isCursorStore',
    validator: {
      validate: (v: unknown) => hasMethods(v, ['get', 'set']),
      defaultMessage: () => 'must be a NangoCursorStore (an object with get and set)',
    },
  })
  cursorStore?: unknown;

  @IsOptional()
  @ValidateBy({
    name: 'isDrainQueue',
    validator: {
      validate: (v: unknown) =>
        v === 'in-process' || hasMethods(v, ['start', 'enqueue', 'idle', 'close']),
      defaultMessage: () =>
        "must be 'in-process' or a NangoDrainQueue (start, enqueue, idle, close)",
    },
  })
  queue?: unknown;

  @IsOptional() @IsWholeNumberIn(1, 100, 'streams') concurrency?: number;
  @IsOptional() @IsWholeNumberIn(1, 10_000, 'records') pageSize?: number;

  @IsOptional()
  @IsObject({ message: 'must be an object such as { attempts: 5 }' })
  @ValidateNested()
  retry?: NangoRecordsRetrySchema;

  @IsOptional() @IsWholeNumberIn(100, 86_400_000, 'milliseconds') reconcileEvery?: number;

  @IsOptional() @IsBoolean({ message: 'must be true or false' }) drainEmptyRuns?: boolean;
}

/**
 * The `records` extra checked (class-validator, unknown keys refused) and completed with the
 * defaults. Throws a `NangoConfigurationError` naming every bad `records.*` field.
 *
 * @param raw what `forRoot({ records })` was given (`undefined`: the defaults)
 * @param instance the named instance, for the error's wording
 */
export function resolveNangoRecordsOptions(
  raw: unknown,
  instance?: string,
): ResolvedNangoRecordsOptions {
  if (raw !== undefined && !isRecord(raw)) {
    throw NangoConfigurationError.create(
      [{ field: 'records', problem: 'must be an object such as { pageSize: 100 }' }],
      instance,
    );
  }
  const given = (raw ?? {}) as NangoRecordsOptions;
  const schema = Object.assign(new NangoRecordsSchema(), given);
  if (isRecord(given.retry))
    schema.retry = Object.assign(new NangoRecordsRetrySchema(), given.retry);
  const problems = findOptionProblems(schema).map((p) => ({
    field: `records.${p.field}`,
    problem: p.problem === 'is not a NangoModule option' ? 'is not a records option' : p.problem,
  }));
  const minDelayMs = given.retry?.minDelayMs ?? 500;
  const maxDelayMs = given.retry?.maxDelayMs ?? 30_000;
  if (problems.length === 0 && minDelayMs > maxDelayMs) {
    problems.push({ field: 'records.retry.minDelayMs', problem: 'must not exceed maxDelayMs' });
  }
  if (problems.length > 0) throw NangoConfigurationError.create(problems, instance);
  return Object.freeze({
    cursorStore: given.cursorStore ?? new InMemoryCursorStore(),
    queue: given.queue ?? 'in-process',
    concurrency: given.concurrency ?? 8,
    pageSize: given.pageSize ?? 100,
    retry: Object.freeze({ attempts: given.retry?.attempts ?? 5, minDelayMs, maxDelayMs }),
    ...(given.reconcileEvery === undefined ? {} : { reconcileEvery: given.reconcileEvery }),
    drainEmptyRuns: given.drainEmptyRuns ?? false,
  });
}
