import { noop } from 'rxjs';

/** How one caller waits for a shared call: it may leave early without cancelling it for the others. */
export interface SingleFlightWaiter {
  /** The caller's own signal: when it fires, this caller leaves with `aborted()`. */
  signal?: AbortSignal;
  /** The caller's own timeout, in milliseconds: after it, this caller leaves with `timedOut()`. */
  timeoutMs?: number;
  /** The error this caller gets when its signal fires. */
  aborted: () => unknown;
  /** The error this caller gets when its timeout runs out. */
  timedOut: () => unknown;
}

interface Flight<T> {
  promise: Promise<T>;
  /** Stops the call; set by `start` through `onCancel`. */
  cancel: () => void;
  /** When the call itself gives up (ms since the epoch); callers due no sooner set no timer. */
  readonly deadline: number;
  waiters: number;
}

/**
 * A keyed map of calls in flight: concurrent callers with the same key share one call and all
 * get its result (or the same error). Nothing is kept once the call settles.
 *
 * Each caller races its own signal and timeout against the shared call: a caller that leaves
 * does not cancel the call for the others; the call is cancelled (through the function `start`
 * registers with `onCancel`) only when its last caller has left.
 */
export class SingleFlight<T> {
  private readonly flights = new Map<string, Flight<T>>();

  /** Number of calls in flight (for tests and metrics). */
  get size(): number {
    return this.flights.size;
  }

  /**
   * Joins the call in flight for `key`, or starts one with `start(onCancel)`.
   *
   * @param key identifies the call: it must hold everything the result depends on
   * @param start makes the call, and registers with `onCancel` how to stop it; `onCancel` is
   *   `undefined` when the call can never lose all its callers before it ends (its first caller
   *   has no signal and no earlier deadline), so it needs no way to stop
   * @param waiter this caller's signal and timeout
   * @param callTimeoutMs the timeout `start` gives the call itself, if it has one: a caller
   *   whose own timeout would end no sooner needs no timer of its own
   */
  run(
    key: string,
    start: (onCancel: ((cancel: () => void) => void) | undefined) => Promise<T>,
    waiter: SingleFlightWaiter,
    callTimeoutMs?: number,
  ): Promise<T> {
    const { signal, timeoutMs } = waiter;
    if (signal?.aborted) return Promise.reject(waiter.aborted());
    const now = Date.now();
    let flight = this.flights.get(key);
    const deadline =
      flight?.deadline ?? (callTimeoutMs === undefined ? Infinity : now + callTimeoutMs);
    // This caller needs a timer of its own when it is due before the call itself.
    const timed = timeoutMs !== undefined && now + timeoutMs < deadline;
    // A caller with no signal and no earlier deadline can only leave with the call itself.
    const mayLeave = signal !== undefined || timed;
    if (flight === undefined) {
      const started: Flight<T> = {
        cancel: noop,
        deadline,
        waiters: 0,
        promise: Promise.resolve() as Promise<never>,
      };
      let promise: Promise<T>;
      try {
        // A call whose first caller cannot leave early is never left by all its callers.
        promise = start(
          mayLeave
            ? (cancel) => {
                started.cancel = cancel;
              }
            : undefined,
        );
      } catch (error) {
        promise = Promise.reject(error);
      }
      started.promise = promise.finally(() => this.forget(key, started));
      // Nobody may be listening when the last caller has left: never an unhandled rejection.
      started.promise.catch(noop);
      this.flights.set(key, started);
      flight = started;
    }
    const joined = flight;
    joined.waiters++;
    // A caller that cannot leave waits on the shared promise as is (and stays counted, so the
    // call is never cancelled under it).
    if (!mayLeave) return joined.promise;
    return new Promise<T>((resolve, reject) => {
      let timer: NodeJS.Timeout | undefined;
      let settled = false;
      const settle = (): boolean => {
        if (settled) return false;
        settled = true;
        if (timer !== undefined) clearTimeout(timer);
        signal?.removeEventListener('abort', onAbort);
        joined.waiters--;
        return true;
      };
      const leave = (error: unknown): void => {
        if (!settle()) return;
        reject(error);
        if (joined.waiters === 0) {
          this.forget(key, joined);
          joined.cancel();
        }
      };
      const onAbort = (): void => leave(waiter.aborted());
      signal?.addEventListener('abort', onAbort, { once: true });
      if (timed) {
        timer = setTimeout(() => leave(waiter.timedOut()), timeoutMs);
      }
      joined.promise.then(
        (value) => {
          if (settle()) resolve(value);
        },
        (error: unknown) => {
          if (settle()) reject(error);
        },
      );
    });
  }

  private forget(key: string, flight: Flight<T>): void {
    if (this.flights.get(key) === flight) this.flights.delete(key);
  }
}
