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
import { nangoRetry, type NangoRetryPolicy } from '../utils/retry-policy.js';

/** How one call to Nango may run: its whole-call timeout, its signal, its retry policy. */
export interface NangoCallPlan {
  /** The deadline of the whole call, in ms: connect, headers, body and every retry. */
  readonly timeoutMs: number;
  /** Cancels the call (and a streamed body); it then fails with axios's `ERR_CANCELED`. */
  readonly signal?: AbortSignal;
  /** Retries by this policy, inside the deadline; `false` or absent: one attempt. */
  readonly retry?: NangoRetryPolicy | false;
}

/**
 * Sends one call to Nango through the module's `HttpService`: every attempt is
 * `http.request()`, the retry policy and the deadline are rxjs operators on its Observable.
 *
 * A buffered call (json, text, arraybuffer) ends by `plan.timeoutMs` whatever the server does
 * (stall, drip, reset, retry waits): the timer starts with the call, and when it fires the
 * attempt in flight is cancelled and the call fails with `ETIMEDOUT`. A stream gets the deadline
 * until its headers arrive; then its body fails (`ETIMEDOUT`) after `plan.timeoutMs` without a
 * byte while it is being read.
 */
export function nangoCall<T>(
  http: HttpService,
  config: AxiosRequestConfig,
  plan: NangoCallPlan,
): Promise<AxiosResponse<T>> {
  const { timeoutMs, signal, retry } = plan;
  if (signal?.aborted) return Promise.reject(new CanceledError());
  const deadline = Date.now() + timeoutMs;
  // HttpService cancels a buffered attempt when its Observable is torn down (on timeout or
  // abort), but leaves streams be: those get a signal of their own, that the deadline fires.
  const streamed = config.responseType === 'stream' ? new AbortController() : undefined;
  const attemptSignal =
    streamed && (signal ? AbortSignal.any([signal, streamed.signal]) : streamed.signal);
  let call$ = defer(() =>
    http.request<T>({
      ...config,
      timeout: Math.max(1, deadline - Date.now()),
      ...(attemptSignal ? { signal: attemptSignal } : {}),
    }),
  );
  if (retry && retry.retries > 0) call$ = call$.pipe(nangoRetry<AxiosResponse<T>>(retry, deadline));
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
