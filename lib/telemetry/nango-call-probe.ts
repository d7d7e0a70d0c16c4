import type { Attributes, Span } from '@opentelemetry/api';
import { isAxiosError } from 'axios';
import { NangoReconnectRequiredError } from '../errors/nango-request.errors.js';
import type { NangoInstruments } from './nango-telemetry.instruments.js';
import { NANGO_TELEMETRY, type NangoCacheResult } from './nango-telemetry.names.js';

const names = NANGO_TELEMETRY.attributes;

/** A low-cardinality code, safe on a span: letters, digits, `_.-`, at most 64. */
const CODE = /^[A-Za-z0-9_.-]{1,64}$/;

/**
 * What one `NangoService` call tells its span and metrics as it goes: each attempt, each retry,
 * the cache outcome, Nango's status. Handed down to the fetcher and the transport; they call it
 * only when there is one (`probe?.attempt()`), so a call with nothing listening pays nothing.
 */
export class NangoCallProbe {
  /** HTTP requests sent for the call. */
  private attempts = 0;
  private status: number | undefined;
  private cacheResult: NangoCacheResult | undefined;

  /**
   * @param span the call's span, when it is recording
   * @param instruments the instance's metric instruments, when a `MeterProvider` is registered
   * @param labels the metric attributes of the call (operation, integration, instance)
   * @param traceparent the header sent to Nango, with `telemetry.propagate`
   */
  constructor(
    readonly span: Span | undefined,
    private readonly instruments: NangoInstruments | undefined,
    private readonly labels: Attributes,
    readonly traceparent: string | undefined,
  ) {}

  /** An HTTP request to Nango is about to be sent. */
  attempt(): void {
    this.attempts++;
  }

  /** Nango answered (the last attempt), with `status`. */
  answered(status: number): void {
    this.status = status;
  }

  /** What the credential cache gave; a later outcome (a joiner's `shared`) replaces it. */
  cache(result: NangoCacheResult): void {
    this.cacheResult = result;
  }

  /**
   * A failed attempt is retried after `waitMs`: a span event `nango.retry` and one more
   * `nango.retries`.
   *
   * @param error what the attempt failed with (an `AxiosError`)
   * @param retry which retry it is, from 1
   */
  retried(error: unknown, retry: number, waitMs: number): void {
    const reason = retryReason(error);
    this.span?.addEvent(NANGO_TELEMETRY.events.retry, {
      [names.retryReason]: reason,
      [names.retryNumber]: retry,
      [names.retryWaitMs]: waitMs,
    });
    this.instruments?.retries.add(1, { ...this.labels, [names.retryReason]: reason });
  }

  /**
   * The call is over: sets the span's last attributes and status and ends it, and records the
   * metrics.
   *
   * @param error what the call failed with; `undefined` when it succeeded
   * @param seconds how long it took
   * @param failed whether it failed (an `error` may be any value, `undefined` too)
   */
  end(error: unknown, seconds: number, failed: boolean): void {
    const errorType = failed ? errorTypeOf(error) : undefined;
    const status = failed ? statusOf(error) : this.status;
    if (this.instruments !== undefined) this.record(seconds, errorType, error);
    const span = this.span;
    if (span === undefined) return;
    span.setAttribute(names.attempts, this.attempts);
    if (this.cacheResult !== undefined) span.setAttribute(names.cacheResult, this.cacheResult);
    if (status !== undefined) span.setAttribute(names.httpStatus, status);
    if (errorType !== undefined) {
      span.setAttribute(names.errorType, errorType);
      const code = (error as { code?: unknown } | undefined)?.code;
      if (typeof code === 'string' && CODE.test(code)) span.setAttribute(names.errorCode, code);
      // The status message is the error class: a message could name the connection.
      span.setStatus({ code: 2, message: errorType });
    }
    span.end();
  }

  private record(seconds: number, errorType: string | undefined, error: unknown): void {
    const instruments = this.instruments as NangoInstruments;
    if (this.cacheResult !== undefined) {
      instruments.cacheLookups.add(1, { ...this.labels, [names.cacheResult]: this.cacheResult });
    }
    instruments.duration.record(
      seconds,
      errorType === undefined
        ? { ...this.labels, [names.outcome]: 'ok' }
        : { ...this.labels, [names.outcome]: 'error', [names.errorType]: errorType },
    );
    if (error instanceof NangoReconnectRequiredError) {
      instruments.reconnectRequired.add(1, this.labels);
    }
  }
}

/** Why an attempt is retried: its HTTP status, else its network error code. */
function retryReason(error: unknown): string {
  if (isAxiosError(error)) {
    if (error.response !== undefined) return String(error.response.status);
    if (error.code !== undefined) return error.code;
  }
  return 'unknown';
}

/** `error.type`: the error's class (`NangoTimeoutError`, ...), else `_OTHER`. */
function errorTypeOf(error: unknown): string {
  return error instanceof Error ? error.constructor.name : '_OTHER';
}

/** The HTTP status a failed call got, if it got one. */
function statusOf(error: unknown): number | undefined {
  const status = (error as { status?: unknown } | undefined)?.status;
  return typeof status === 'number' ? status : undefined;
}
