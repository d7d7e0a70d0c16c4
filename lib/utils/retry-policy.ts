import { isAxiosError } from 'axios';
import { defer, retry, throwError, timer, type MonoTypeOperatorFunction } from 'rxjs';
import { retryAfterSeconds } from './retry-after.js';

/** The retry policy for calls to Nango's own API, with defaults applied. */
export interface NangoRetryPolicy {
  /** Retries after the first attempt (0 to 10). */
  readonly retries: number;
  /** Backoff base, in ms: the n-th retry waits a random time up to `minDelayMs * 2^(n-1)`. */
  readonly minDelayMs: number;
  /** Longest backoff of one retry, in ms (a `Retry-After` may ask for more). */
  readonly maxDelayMs: number;
  /** Longest total wait across the retries of one call, in ms; a longer `Retry-After` is not waited for. */
  readonly maxTotalDelayMs: number;
}

/** HTTP statuses of Nango worth another try: rate limited, bad gateway, unavailable, gateway timeout. */
const RETRY_STATUSES: ReadonlySet<number> = new Set([429, 502, 503, 504]);

/** Network failures worth another try (the request never got an answer). */
const RETRY_CODES: ReadonlySet<string> = new Set([
  'ECONNRESET',
  'ECONNREFUSED',
  'EPIPE',
  'ENOTCONN',
  'EAI_AGAIN',
  'ENETUNREACH',
  'EHOSTUNREACH',
  'ERR_NETWORK',
]);

/**
 * Whether a failed attempt may be tried again: network errors, 429, 502, 503, 504. Never a
 * timeout (the time is spent), a cancellation, 424 or any other 4xx/5xx.
 */
export function isRetryable(error: unknown): boolean {
  if (!isAxiosError(error)) return false;
  if (error.response !== undefined) return RETRY_STATUSES.has(error.response.status);
  return error.code !== undefined && RETRY_CODES.has(error.code);
}

/**
 * Exponential backoff with full jitter: a random wait in `[0, min(maxDelayMs, minDelayMs * 2^(n-1))]`
 * before the n-th retry (n from 1).
 */
export function backoffDelayMs(
  retryCount: number,
  policy: NangoRetryPolicy,
  random: () => number = Math.random,
): number {
  const cap = Math.min(policy.maxDelayMs, policy.minDelayMs * 2 ** Math.max(0, retryCount - 1));
  return Math.round(random() * cap);
}

/**
 * The wait before the next attempt: the answer's `Retry-After` if any (on a 429, else
 * `x-ratelimit-reset`, which Nango sends on every answer but means "retry then" only on a 429),
 * else the backoff.
 */
export function retryDelayMs(error: unknown, retryCount: number, policy: NangoRetryPolicy): number {
  const response = isAxiosError(error) ? error.response : undefined;
  if (response !== undefined) {
    const headers =
      response.status === 429
        ? response.headers
        : { 'retry-after': response.headers['retry-after'] };
    const seconds = retryAfterSeconds(headers);
    if (seconds !== undefined) return seconds * 1000;
  }
  return backoffDelayMs(retryCount, policy);
}

/**
 * An rxjs operator retrying a request Observable (`HttpService.request()`) by the policy:
 * `retry({ count, delay })`, each retry after {@link retryDelayMs}. It gives up (rethrowing the
 * last error) when the error is not {@link isRetryable}, when the retries are spent, or when the
 * wait would pass `maxTotalDelayMs` or the call's `deadline` (ms since the epoch). `onRetry` is
 * told of each retry, before its wait (for telemetry).
 */
export function nangoRetry<T>(
  policy: NangoRetryPolicy,
  deadline?: number,
  onRetry?: (error: unknown, retry: number, waitMs: number) => void,
): MonoTypeOperatorFunction<T> {
  return (source) =>
    defer(() => {
      let waited = 0;
      return source.pipe(
        retry({
          count: policy.retries,
          delay: (error: unknown, retryCount: number) => {
            if (!isRetryable(error)) return throwError(() => error);
            const wait = retryDelayMs(error, retryCount, policy);
            if (
              waited + wait > policy.maxTotalDelayMs ||
              (deadline !== undefined && Date.now() + wait >= deadline)
            ) {
              return throwError(() => error);
            }
            waited += wait;
            onRetry?.(error, retryCount, wait);
            return timer(wait);
          },
        }),
      );
    });
}
