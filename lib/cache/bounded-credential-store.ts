import type {
  NangoCacheManagerStore,
  NangoCachedValue,
  NangoCredentialStore,
} from './nango-credential-store.interface.js';

/** A store operation, as named in warnings. */
export type StoreOperation = 'get' | 'set' | 'delete';

/** The calling request's own bound on a store read. */
export interface StoreReadBound {
  /** The time left before the call's deadline, in ms. */
  readonly timeoutMs?: number;
  /** The call's AbortSignal. */
  readonly signal?: AbortSignal;
  /** Told when the read gave up waiting (for telemetry: `store_timeout`). */
  readonly onTimeout?: () => void;
}

/** Told why a store operation gave nothing: `timeout`, or the name of what it threw. */
export type StoreFailureListener = (operation: StoreOperation, cause: string) => void;

function isThenable(value: unknown): value is PromiseLike<unknown> {
  return (
    (typeof value === 'object' || typeof value === 'function') &&
    value !== null &&
    typeof (value as { then?: unknown }).then === 'function'
  );
}

/**
 * A credential store (a {@link NangoCredentialStore} or a `cache-manager` cache) behind a time
 * bound: every call settles within `timeoutMs`, never rejects, and gives `undefined` when the
 * store throws, rejects or is late; a late answer is ignored. A store that answers at once
 * (the in-memory one) is answered at once, with no timer.
 */
export class BoundedCredentialStore {
  private readonly remove: (key: string) => unknown;

  /**
   * @param store the user's store
   * @param timeoutMs the longest wait for any one call
   * @param onFailure told of each throw, rejection or timeout (the cause, never a value)
   */
  constructor(
    private readonly store: NangoCredentialStore | NangoCacheManagerStore,
    private readonly timeoutMs: number,
    private readonly onFailure: StoreFailureListener,
  ) {
    this.remove =
      'delete' in store && typeof store.delete === 'function'
        ? (key) => store.delete(key)
        : (key) => (store as NangoCacheManagerStore).del(key);
  }

  /**
   * The store's entry for `key`, or `undefined` (also when it fails or is late).
   *
   * @param within the calling request's own bound: its remaining time (a shorter wait than
   *   `storeTimeout` when the call's deadline is nearer) and its AbortSignal (an abort ends the
   *   wait at once, with `undefined`)
   */
  get(key: string, within?: StoreReadBound): unknown {
    return this.bound('get', () => this.store.get(key), undefined, within);
  }

  /** Writes `value`; resolves `true` once written, `false` if it failed or timed out. */
  async set(key: string, value: NangoCachedValue, ttlMs: number): Promise<boolean> {
    let failed = false;
    await this.bound(
      'set',
      () => this.store.set(key, value, ttlMs),
      () => (failed = true),
    );
    return !failed;
  }

  /** Drops `key`; resolves once dropped, failed or timed out, never rejects. */
  async delete(key: string): Promise<void> {
    await this.bound('delete', () => this.remove(key));
  }

  private bound(
    operation: StoreOperation,
    call: () => unknown,
    failed?: () => void,
    within?: StoreReadBound,
  ): unknown {
    const fail = (cause: string) => {
      failed?.();
      this.onFailure(operation, cause);
    };
    let result: unknown;
    try {
      result = call();
    } catch (error) {
      fail(causeOf(error));
      return undefined;
    }
    if (!isThenable(result)) return result;
    const signal = within?.signal;
    if (signal?.aborted) return undefined;
    return new Promise<unknown>((resolve) => {
      let settled = false;
      const settle = (value: unknown) => {
        settled = true;
        clearTimeout(timer);
        signal?.removeEventListener('abort', onAbort);
        resolve(value);
      };
      const onAbort = () => settle(undefined); // the caller left: no store failure
      const timer = setTimeout(
        () => {
          fail('timeout');
          within?.onTimeout?.();
          settle(undefined);
        },
        Math.min(this.timeoutMs, within?.timeoutMs ?? this.timeoutMs),
      );
      timer.unref();
      signal?.addEventListener('abort', onAbort, { once: true });
      result.then(
        (value) => {
          if (!settled) settle(value); // a late answer is ignored
        },
        (error: unknown) => {
          if (settled) return;
          fail(causeOf(error));
          settle(undefined);
        },
      );
    });
  }
}

/** The name of what was thrown: a store's message could quote a key or a value. */
function causeOf(error: unknown): string {
  return error instanceof Error ? error.name : typeof error;
}
