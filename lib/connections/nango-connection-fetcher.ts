import { AxiosError, CanceledError, type AxiosRequestConfig, type AxiosResponse } from 'axios';
import { unexpectedAnswer } from '../errors/nango-error.mapper.js';
import type { NangoConnection } from '../interfaces/nango-connection.interface.js';
import type {
  NangoCallOptions,
  ResolvedNangoOptions,
} from '../interfaces/nango-module-options.interface.js';
import type { NangoRequestContext } from '../api/nango-api-request.js';
import type { NangoConnectionRequest } from '../api/connections.requests.js';
import type { NangoProxyRequest } from '../api/proxy.requests.js';
import type { NangoProxyResponse } from '../interfaces/nango-proxy.interface.js';
import type { NangoToken } from '../interfaces/nango-credentials.interface.js';
import { NangoUpstreamError } from '../errors/nango-request.errors.js';
import { requireToken } from '../utils/nango-token.js';
import { checkId } from '../api/nango-arguments.js';
import { NangoCredentialCache } from '../cache/nango-credential-cache.js';
import type { NangoTransport } from '../transport/nango-transport.js';
import { SingleFlight } from '../utils/single-flight.js';
import { isRecord } from '../utils/is-record.js';
import type { NangoCallProbe } from '../telemetry/nango-call-probe.js';

/** How the fetcher sends a request: `NangoService.send()`, so an override of it sees every call. */
export type NangoSend = <T>(
  config: AxiosRequestConfig,
  context: NangoRequestContext,
  callOptions: NangoCallOptions,
  probe?: NangoCallProbe,
) => Promise<AxiosResponse<T>>;

/**
 * Fetches a connection with its credentials: from the credential cache when it holds them, else
 * from Nango, concurrent callers with the same arguments sharing one request, whose answer then
 * goes into the cache. The path of `getToken()`, `getConnection()` and `getRawTokenResponse()`,
 * and of the calls that make cached credentials stale (`proxy()` on a 401, `deleteConnection()`).
 */
export class NangoConnectionFetcher {
  /** Connection fetches in flight, shared by concurrent callers with the same arguments. */
  private readonly flights = new SingleFlight<NangoConnection>();
  /** The credential cache; `null` when off; built on first use. */
  private credentialCache: NangoCredentialCache | null | undefined;

  /**
   * @param options the instance's resolved options (timeout, cache)
   * @param transport turns failures into `NangoError`s
   * @param send sends the request to Nango
   */
  constructor(
    private readonly options: ResolvedNangoOptions,
    private readonly transport: NangoTransport,
    private readonly send: NangoSend,
  ) {}

  /**
   * The connection that `fetch` asks for: cached, or fetched from Nango (and then cached).
   *
   * @param fetch the checked request and call options (`getConnectionRequest`)
   * @param probe the call's telemetry: told the cache outcome, handed to the request
   */
  async fetch(fetch: NangoConnectionRequest, probe?: NangoCallProbe): Promise<NangoConnection> {
    const { providerConfigKey: key, connectionId, refreshToken, force, context } = fetch;
    const { timeout, signal } = fetch.options;
    const timeoutMs = timeout ?? this.options.timeout;
    if (signal?.aborted)
      throw await this.transport.toError(new CanceledError(), context, timeoutMs);

    const cache = this.cache();
    const cacheKey = cache?.key(key, connectionId, refreshToken);
    // A forced refresh replaces the token: both shared entries go first (so no replica reads
    // the old one once this call returns), alongside the request to Nango.
    let dropped: Promise<void> | undefined;
    // The store read is part of the call: its deadline and signal bound it too.
    const startedAt = Date.now();
    if (cache !== null && cacheKey !== undefined) {
      if (force) dropped = cache.drop(cacheKey, cache.key(key, connectionId, !refreshToken));
      else {
        let result: 'miss' | 'store_timeout' = 'miss';
        const onTimeout = probe && (() => (result = 'store_timeout'));
        const cached = await cache.read(cacheKey, { timeoutMs, signal, onTimeout });
        probe?.cache(cached === undefined ? result : 'hit');
        if (cached !== undefined) return cached;
        if (signal?.aborted) {
          throw await this.transport.toError(new CanceledError(), context, timeoutMs);
        }
      }
    }
    const remainingMs = Math.max(1, timeoutMs - (Date.now() - startedAt));
    // Concurrent calls with the same arguments share one request. Each caller keeps its own
    // timeout and signal; the shared request gets the longest timeout and stops only when
    // every caller has left.
    const sharedTimeoutMs = Math.max(timeoutMs, this.options.timeout);
    let joined = true;
    const start = async (
      onCancel: ((cancel: () => void) => void) | undefined,
    ): Promise<NangoConnection> => {
      joined = false;
      // The shared request has its own deadline from the start (`send`), and stops when its
      // last caller has left, if its callers can leave before it ends.
      let stop: AbortSignal | undefined;
      if (onCancel !== undefined) {
        const controller = new AbortController();
        onCancel(() => controller.abort());
        stop = controller.signal;
      }
      const response = await this.send<NangoConnection>(
        fetch.request,
        context,
        { timeout: sharedTimeoutMs, signal: stop },
        probe,
      );
      if (!isRecord(response.data) || !isRecord(response.data.credentials)) {
        throw unexpectedAnswer(context, 'a connection without credentials');
      }
      if (cache !== null && cacheKey !== undefined) {
        await dropped; // bounded by storeTimeout; the delete goes before the new write
        cache.write(cacheKey, response.data);
      }
      return response.data;
    };
    try {
      const flight = this.flights.run(
        // NUL never occurs in a checked id (checkId refuses control characters): a safe separator.
        `${key}\u0000${connectionId}\u0000${force}\u0000${refreshToken}\u0000${fetch.githubJwt}`,
        start,
        {
          signal,
          timeoutMs: remainingMs,
          aborted: () => new CanceledError(),
          timedOut: () => new AxiosError(`timeout of ${timeoutMs}ms exceeded`, 'ECONNABORTED'),
        },
        sharedTimeoutMs,
      );
      // A joiner of a request in flight sent nothing itself.
      if (joined) probe?.cache('shared');
      return await flight;
    } catch (error) {
      throw await this.transport.toError(error, context, timeoutMs);
    }
  }

  /** What `getToken()` returns: the fetched connection's token, as {@link requireToken} reads it. */
  async token(fetch: NangoConnectionRequest, probe?: NangoCallProbe): Promise<NangoToken> {
    return requireToken((await this.fetch(fetch, probe)).credentials, fetch.context);
  }

  /** What `getRawTokenResponse()` returns: the fetched connection's `credentials.raw`. */
  async rawTokenResponse<T>(fetch: NangoConnectionRequest, probe?: NangoCallProbe): Promise<T> {
    return ((await this.fetch(fetch, probe)).credentials as { raw?: unknown }).raw as T;
  }

  /**
   * Sends a proxy call. A 401 of the third party means it refused the token: a cached copy of
   * it is stale and is dropped. The answer is handed out without `config` and `request`, which
   * carry the Authorization header.
   */
  async proxy<T>(proxy: NangoProxyRequest, probe?: NangoCallProbe): Promise<NangoProxyResponse<T>> {
    const response = await this.send<T>(proxy.request, proxy.context, proxy.options, probe).catch(
      async (error: unknown) => {
        if (error instanceof NangoUpstreamError && error.status === 401) {
          await this.clear('clearCachedCredentials', proxy.providerConfigKey, proxy.connectionId);
        }
        throw error;
      },
    );
    const { status, statusText, headers, data } = response;
    return { status, statusText, headers, data };
  }

  /**
   * Waits for `call`, a request that ends a connection (`deleteConnection()`), then drops its
   * cached credentials so they do not outlive it; resolves with the call's answer.
   */
  async dropAfter<T>(key: string, connectionId: string, call: Promise<T>): Promise<T> {
    const result = await call;
    await this.clear('clearCachedCredentials', key, connectionId);
    return result;
  }

  /**
   * Drops the cached credentials of a connection (with and without refresh token); does
   * nothing (and checks nothing) when the cache is off.
   *
   * @param operation the `NangoService` method, named in an argument error
   * @param providerConfigKey the integration key
   * @param connectionId the connection id
   */
  async clear(operation: string, providerConfigKey: string, connectionId: string): Promise<void> {
    const cache = this.cache();
    if (cache === null) return;
    const key = checkId(operation, 'providerConfigKey', providerConfigKey);
    const id = checkId(operation, 'connectionId', connectionId);
    await cache.drop(cache.key(key, id, false), cache.key(key, id, true));
  }

  /** The credential cache, or `null` when it is off. */
  private cache(): NangoCredentialCache | null {
    if (this.credentialCache === undefined) {
      const options = this.options.cache;
      this.credentialCache = options
        ? new NangoCredentialCache(options, this.options.host, this.options.secretKey)
        : null;
    }
    return this.credentialCache;
  }
}
