import { NangoAbortedError, NangoTimeoutError } from '../errors/nango-request.errors.js';
import { checkId } from './nango-arguments.js';
import type {
  ListConnectionsQueries,
  NangoConnectionList,
  NangoConnectionSummary,
} from '../interfaces/nango-connection.interface.js';
import type { NangoCallOptions } from '../interfaces/nango-module-options.interface.js';

/** The official client's polling: 30 checks, 10 s before the second, 2 s between the others. */
export const NANGO_WAIT_FOR_CONNECTION = {
  attempts: 30,
  firstDelayMs: 10_000,
  delayMs: 2_000,
} as const;

/** Lists connections the way `waitForConnection()` asks: the official positional shape. */
export type ListConnectionsFn = (
  connectionId: undefined,
  search: undefined,
  queries: ListConnectionsQueries,
  options?: NangoCallOptions,
) => Promise<NangoConnectionList>;

/**
 * Polls the end user's connections until one of `integrationKey` appears, as the official
 * client's `waitForConnection()` does; an abort of `options.signal` stops it at once, while
 * waiting or during a check.
 */
export async function waitForConnection(
  list: ListConnectionsFn,
  integrationKey: string,
  userId: string,
  options: NangoCallOptions | undefined,
  instance: string | undefined,
): Promise<NangoConnectionSummary> {
  const operation = 'waitForConnection';
  checkId(operation, 'integrationKey', integrationKey);
  checkId(operation, 'userId', userId);
  const signal = options?.signal;
  const details = { operation, providerConfigKey: integrationKey, instance };
  const aborted = () =>
    NangoAbortedError.waitCancelled({ ...details, code: 'ERR_CANCELED' }, userId);
  const { attempts, firstDelayMs, delayMs } = NANGO_WAIT_FOR_CONNECTION;
  for (let attempt = 0; attempt < attempts; attempt++) {
    if (signal?.aborted === true) throw aborted();
    const { connections } = await list(undefined, undefined, { endUserId: userId }, options);
    const found = connections.find((c) => c.provider_config_key === integrationKey);
    if (found !== undefined) return found;
    await pause(attempt === 0 ? firstDelayMs : delayMs, signal, aborted);
  }
  const totalMs = firstDelayMs + (attempts - 1) * delayMs;
  throw NangoTimeoutError.noConnectionAppeared(
    { ...details, timeoutMs: totalMs },
    userId,
    attempts,
  );
}

function pause(ms: number, signal: AbortSignal | undefined, aborted: () => Error): Promise<void> {
  return new Promise((resolve, reject) => {
    const onAbort = (): void => {
      clearTimeout(timer);
      reject(aborted());
    };
    const timer = setTimeout(() => {
      signal?.removeEventListener('abort', onAbort);
      resolve();
    }, ms);
    signal?.addEventListener('abort', onAbort, { once: true });
  });
}
