import type { HttpService } from '@nestjs/axios';
import { AxiosError, CanceledError, type AxiosRequestConfig, type AxiosResponse } from 'axios';
import { Transform, pipeline, type Readable } from 'node:stream';
import {
  Observable,
  defer,
  firstValueFrom,
  map,
  throwError,
  timeout,
  type MonoTypeOperatorFunction,
} from 'rxjs';
import type { NangoError } from '../errors/nango.error.js';
import { toNangoError } from '../errors/nango-error.mapper.js';
import type {
  NangoCallOptions,
  ResolvedNangoOptions,
} from '../interfaces/nango-module-options.interface.js';
import type { NangoRequestContext } from '../api/nango-api-request.js';
import { nangoRetry, type NangoRetryPolicy } from '../utils/retry-policy.js';
import { destroyNangoHttpService } from './nango-http.factory.js';
import type { NangoCallProbe } from '../telemetry/nango-call-probe.js';

/**
 * The one way to Nango of a `NangoService`: it sends every call through the module's
 * `HttpService` (every attempt is `http.request()`), bounds it by its deadline, retries it by
 * the module's policy, turns any failure into a `NangoError` that never holds the secret key, and
 * closes the pool and agents that {@link createNangoHttpService} made, on shutdown.
 */
export class NangoTransport {
  /**
   * @param http the module's own `HttpService` (see {@link createNangoHttpService})
   * @param options the instance's resolved options
   */
  constructor(
    private readonly http: HttpService,
    private readonly options: ResolvedNangoOptions,
  ) {}

  /**
   * Sends one request to Nango and turns any failure into a `NangoError`.
   *
   * A buffered call (json, text, arraybuffer) ends by its timeout whatever the server does
   * (stall, drip, reset, retry waits): the timer starts with the call, and when it fires the
   * attempt in flight is cancelled and the call fails with `ETIMEDOUT`. A stream gets the
   * deadline until its headers arrive; then its body fails (`ETIMEDOUT`) after the timeout
   * without a byte while it is being read. Only GETs to Nango's own API are retried; Nango
   * retries proxy calls itself (`retries`).
   *
   * @param config the request, as a builder of `lib/api` made it
   * @param context what an error says about the call
   * @param callOptions the call's checked options (`checkCallOptions`)
   * @param probe the call's telemetry, told of each attempt, retry and answer (when traced)
   */
  async send<T>(
    config: AxiosRequestConfig,
    context: NangoRequestContext,
    callOptions: NangoCallOptions,
    probe?: NangoCallProbe,
  ): Promise<AxiosResponse<T>> {
    const timeoutMs = callOptions.timeout ?? this.options.timeout;
    const policy =
      config.method === 'GET' &&
      context.proxy === undefined &&
      callOptions.retry !== false &&
      this.options.retry;
    try {
      const response = await this.call<T>(config, timeoutMs, callOptions.signal, policy, probe);
      probe?.answered(response.status);
      return response;
    } catch (error) {
      throw await this.toError(error, context, timeoutMs);
    }
  }

  /** Turns a failure into a `NangoError` that knows this instance, and never holds the key. */
  toError(error: unknown, context: NangoRequestContext, timeoutMs: number): Promise<NangoError> {
    return toNangoError(error, {
      ...context,
      timeoutMs,
      host: this.options.host,
      secrets: [this.options.secretKey],
      instance: this.options.name,
    });
  }

  /** Closes the pool and keep-alive sockets to Nango that the module made. */
  close(): Promise<void> {
    return destroyNangoHttpService(this.http);
  }

  /**
   * One call, every attempt `http.request()`: the retry policy and the deadline are rxjs
   * operators on its Observable.
   */
  private call<T>(
    config: AxiosRequestConfig,
    timeoutMs: number,
    signal: AbortSignal | undefined,
    retry: NangoRetryPolicy | false | undefined,
    probe: NangoCallProbe | undefined,
  ): Promise<AxiosResponse<T>> {
    const http = this.http;
    if (probe?.traceparent !== undefined) {
      config = { ...config, headers: { ...config.headers, traceparent: probe.traceparent } };
    }
    if (signal?.aborted) return Promise.reject(new CanceledError());
    const deadline = Date.now() + timeoutMs;
    // HttpService cancels a buffered attempt when its Observable is torn down (on timeout or
    // abort), but leaves streams be: those get a signal of their own, that the deadline fires.
    const streamed = config.responseType === 'stream' ? new AbortController() : undefined;
    const attemptSignal =
      streamed && (signal ? AbortSignal.any([signal, streamed.signal]) : streamed.signal);
    let call$ = defer(() => {
      probe?.attempt();
      return http.request<T>({
        ...config,
        timeout: Math.max(1, deadline - Date.now()),
        ...(attemptSignal ? { signal: attemptSignal } : {}),
      });
    });
    if (retry && retry.retries > 0) {
      const onRetry = probe && ((e: unknown, n: number, ms: number) => probe.retried(e, n, ms));
      call$ = call$.pipe(nangoRetry<AxiosResponse<T>>(retry, deadline, onRetry));
    }
    call$ = call$.pipe(
      timeout({
        first: timeoutMs,
        with: () => {
          streamed?.abort();
          return throwError(() => timedOut(timeoutMs));
        },
      }),
    );
    if (signal !== undefined) call$ = call$.pipe(abortedBy(signal));
    if (streamed !== undefined) {
      call$ = call$.pipe(
        map((response) => ({
          ...response,
          data: watchBody(response.data as Readable, timeoutMs) as unknown as T,
        })),
      );
    }
    return firstValueFrom(call$);
  }
}

/** The error of a call past its deadline: axios's `ETIMEDOUT`, without the request config. */
function timedOut(timeoutMs: number): AxiosError {
  return new AxiosError(`timeout of ${timeoutMs}ms exceeded`, 'ETIMEDOUT');
}

/**
 * Fails the Observable with `ERR_CANCELED` as soon as `signal` fires, also while waiting
 * between retries; tearing down cancels the attempt in flight.
 */
function abortedBy<T>(signal: AbortSignal): MonoTypeOperatorFunction<T> {
  return (source) =>
    new Observable<T>((subscriber) => {
      const onAbort = (): void => subscriber.error(new CanceledError());
      signal.addEventListener('abort', onAbort, { once: true });
      const inner = source.subscribe(subscriber);
      return () => {
        signal.removeEventListener('abort', onAbort);
        inner.unsubscribe();
      };
    });
}

/**
 * The idle timeout of a streamed body, as a pass-through stream in its place: it fails with
 * `ETIMEDOUT` when no byte has come from Nango for `timeoutMs`. Bytes waiting for the reader
 * stop the clock (a slow reader is not a stalled server), and the body's flow mode and
 * back-pressure are left as they are.
 */
function watchBody(body: Readable, timeoutMs: number): Readable {
  const timer = setTimeout(function expire() {
    if (watched.readableLength > 0 || watched.writableNeedDrain) timer.refresh();
    else watched.destroy(timedOut(timeoutMs));
  }, timeoutMs);
  const watched = new Transform({
    transform(chunk: Buffer, _encoding, done) {
      timer.refresh();
      done(null, chunk);
    },
  });
  pipeline(body, watched, () => clearTimeout(timer));
  return watched;
}
