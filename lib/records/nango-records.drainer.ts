import type {
  NangoListRecordsParams,
  NangoRecordsPage,
} from '../interfaces/nango-records.interface.js';
import {
  NangoRateLimitError,
  NangoTimeoutError,
  NangoUnavailableError,
} from '../errors/nango-request.errors.js';
import type { NangoCursorStore } from './nango-cursor-store.js';
import type { NangoRecordsBatch } from './nango-records-batch.interface.js';
import type { NangoRecordsEvent } from './nango-records.events.js';
import { NangoRecordsParkedError } from './nango-records-parked.error.js';
import { nangoRecordsStreamKey, type NangoRecordsStream } from './nango-records-stream.js';
import type { NangoRecordsRetryOptions } from './nango-records.options.js';

/** One `@OnNangoRecords()` method, bound to its provider. */
export interface NangoRecordsHandler {
  /** `Class.method`, for logs. */
  readonly name: string;
  /** Calls the method with a page. */
  readonly call: (batch: NangoRecordsBatch) => unknown;
}

/** What a drain needs: how to read pages, who takes them, where cursors go. */
export interface NangoRecordsDrainContext {
  /** `NangoService.listRecords`, so every read goes through the module's `HttpService`. */
  readonly list: (params: NangoListRecordsParams) => Promise<NangoRecordsPage>;
  /** The handlers of the stream. */
  readonly handlers: readonly NangoRecordsHandler[];
  /** Where the stream's cursor is kept. */
  readonly store: NangoCursorStore;
  /** Records per page. */
  readonly pageSize: number;
  /** Tries of a failing page. */
  readonly retry: Required<NangoRecordsRetryOptions>;
  /** Told what happens (the service's `events$`). */
  readonly emit: (event: NangoRecordsEvent) => void;
  /** Told when a page is committed (telemetry). */
  readonly committed?: (records: number) => void;
  /** Stops waiting between tries (application shutdown). */
  readonly signal?: AbortSignal;
}

/** What one drain did. */
export interface NangoRecordsDrainReport {
  /** Pages handed to the handlers. */
  pages: number;
  /** Records in them. */
  records: number;
  /** Whether the saved cursor moved. */
  cursorAdvanced: boolean;
  /** Tries beyond the first, of pages and of reads. */
  retries: number;
  /** Whether the stream had no cursor and no records. */
  empty: boolean;
}

/** Errors of `listRecords` that may pass: Nango busy, rate limited, or slow. */
function isTransient(error: unknown): boolean {
  return (
    error instanceof NangoRateLimitError ||
    error instanceof NangoUnavailableError ||
    error instanceof NangoTimeoutError
  );
}

function wait(ms: number, signal: AbortSignal | undefined): Promise<void> {
  return new Promise((resolve, reject) => {
    if (signal?.aborted) return reject(signal.reason);
    const timer = setTimeout(() => {
      signal?.removeEventListener('abort', onAbort);
      resolve();
    }, ms);
    const onAbort = (): void => {
      clearTimeout(timer);
      reject(signal?.reason);
    };
    signal?.addEventListener('abort', onAbort, { once: true });
  });
}

/**
 * Drains one stream from its saved cursor to the end (`next_cursor` null): each page goes to
 * every handler at once, and its last record's cursor is saved only once all of them
 * resolved; the next page is read while they work (one page ahead, never more). A failing
 * page is tried again with doubling waits (a `Retry-After` of Nango is honoured up to
 * `maxDelayMs`); after `attempts` tries the drain rejects with a {@link NangoRecordsParkedError}
 * and the cursor stays on the last committed page. Only transient read errors (429, 5xx,
 * timeouts) are tried again; an unknown connection or a refused request parks at once.
 *
 * @param context the reader, the handlers, the store and the policy
 * @param stream the stream to drain
 */
export async function drainRecordsStream(
  context: NangoRecordsDrainContext,
  stream: NangoRecordsStream,
): Promise<NangoRecordsDrainReport> {
  const key = nangoRecordsStreamKey(stream);
  const report: NangoRecordsDrainReport = {
    pages: 0,
    records: 0,
    cursorAdvanced: false,
    retries: 0,
    empty: false,
  };
  let cursor = await context.store.get(key);
  const started = cursor;

  const backoff = (attempt: number, error: unknown): number => {
    const { minDelayMs, maxDelayMs } = context.retry;
    const doubled = minDelayMs * 2 ** (attempt - 1);
    const asked = error instanceof NangoRateLimitError ? (error.retryAfter ?? 0) * 1000 : 0;
    return Math.min(maxDelayMs, Math.max(doubled, asked));
  };

  /** Tries `step` until it resolves, waits between tries, parks after the last. */
  const withTries = async <T>(
    stage: 'handler' | 'listRecords',
    step: () => Promise<T>,
  ): Promise<T> => {
    for (let attempt = 1; ; attempt++) {
      try {
        return await step();
      } catch (error) {
        const retryable = stage === 'handler' || isTransient(error);
        if (!retryable || attempt >= context.retry.attempts) {
          context.emit({ type: 'parked', stream, attempts: attempt, cursor, error });
          throw new NangoRecordsParkedError(stream, stage, attempt, error);
        }
        const waitMs = backoff(attempt, error);
        report.retries++;
        context.emit({ type: 'retry', stream, attempt, waitMs, error });
        await wait(waitMs, context.signal);
      }
    }
  };

  const read = (after: string | undefined): Promise<NangoRecordsPage> => {
    const page = withTries('listRecords', () =>
      context.list({
        providerConfigKey: stream.providerConfigKey,
        connectionId: stream.connectionId,
        model: stream.model,
        variant: stream.variant,
        limit: context.pageSize,
        ...(after === undefined ? {} : { cursor: after }),
      }),
    );
    // Read ahead: a failure surfaces when the page is awaited, never as an unhandled rejection.
    page.catch(() => undefined);
    return page;
  };

  let next: Promise<NangoRecordsPage> | undefined = read(cursor);
  while (next !== undefined) {
    const page = await next;
    next = undefined;
    const last = page.records.at(-1);
    if (last === undefined) {
      report.empty = started === undefined && report.pages === 0;
      break;
    }
    const pageCursor = last._nango_metadata.cursor;
    const batch: NangoRecordsBatch = {
      ...(stream.instance === undefined ? {} : { instance: stream.instance }),
      providerConfigKey: stream.providerConfigKey,
      connectionId: stream.connectionId,
      model: stream.model,
      variant: stream.variant,
      records: page.records,
      cursor: pageCursor,
      ...(cursor === undefined ? {} : { previousCursor: cursor }),
    };
    const handled = withTries('handler', async () => {
      await Promise.all(context.handlers.map(async (handler) => handler.call(batch)));
      await context.store.set(key, pageCursor);
    });
    // The handlers have the page first; sending the next read costs the thread a little, and
    // their writes would otherwise wait for it.
    if (page.next_cursor !== null) next = read(page.next_cursor);
    await handled;
    cursor = pageCursor;
    report.pages++;
    report.records += page.records.length;
    report.cursorAdvanced = true;
    context.committed?.(page.records.length);
    context.emit({ type: 'committed', stream, records: page.records.length, cursor: pageCursor });
  }
  if (report.empty) context.emit({ type: 'empty', stream });
  context.emit({ type: 'drained', stream, pages: report.pages, records: report.records });
  return report;
}
