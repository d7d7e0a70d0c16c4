import { Inject, Injectable, type OnModuleDestroy } from '@nestjs/common';
import { HttpService } from '@nestjs/axios';
import axios, {
  AxiosError,
  CanceledError,
  type AxiosRequestConfig,
  type AxiosResponse,
} from 'axios';
import { defer, firstValueFrom, from, fromEvent, mergeMap, raceWith, throwError } from 'rxjs';
import { NANGO_MAX_TIMEOUT_MS, NANGO_OPTIONS } from './nango.constants.js';
import { NANGO_HTTP_SERVICE } from './nango.tokens.js';
import { destroyNangoHttpService } from './nango-http.factory.js';
import { NangoInvalidArgumentError, type NangoError } from './errors/nango.error.js';
import { NangoUpstreamError } from './errors/nango-request.error.js';
import { NangoCredentialCache } from './cache/nango-credential-cache.js';
import { SingleFlight } from './utils/single-flight.js';
import { isRetryable, nangoRetry } from './utils/retry-policy.js';
import {
  toNangoError,
  unexpectedAnswer,
  type NangoCallContext,
} from './errors/nango-error.mapper.js';
import { requireToken } from './utils/nango-token.js';
import {
  checkBaseUrl,
  checkEndpoint,
  checkFlag,
  checkId,
  headerId,
  checkMethod,
  checkRetries,
  checkRetryOn,
  pathSegment,
  proxyHeaders,
  queryString,
} from './utils/nango-input.js';
import type {
  NangoCallOptions,
  ResolvedNangoOptions,
} from './interfaces/nango-module-options.interface.js';
import type { NangoToken } from './interfaces/nango-credentials.interface.js';
import type {
  ListConnectionsFilter,
  NangoConnection,
  NangoConnectionList,
  NangoConnectionSummary,
} from './interfaces/nango-connection.interface.js';
import {
  connectSessionRequest,
  deleteConnectionRequest,
  getIntegrationRequest,
  listIntegrationsRequest,
  listRecordsRequest,
  metadataRequest,
  patchConnectionRequest,
  syncStatusRequest,
  triggerActionRequest,
  triggerSyncRequest,
  type NangoApiRequest,
} from './nango-connection-api.js';
import type {
  NangoIntegrationInclude,
  NangoIntegrationList,
  NangoIntegrationResult,
} from './interfaces/nango-integration.interface.js';
import type {
  NangoConnectSessionInput,
  NangoConnectSessionResult,
  NangoReconnectSessionInput,
} from './interfaces/nango-connect-session.interface.js';
import type {
  NangoConnectionPatch,
  NangoListRecordsParams,
  NangoMetadataResult,
  NangoRecord,
  NangoRecordsPage,
  NangoSuccess,
  NangoSyncSelector,
  NangoSyncStatusResult,
  NangoTriggerActionOptions,
  NangoTriggerSyncOptions,
} from './interfaces/nango-records.interface.js';
import type {
  NangoProxyConfig,
  NangoProxyMethod,
  NangoProxyMethodConfig,
  NangoProxyResponse,
} from './interfaces/nango-proxy.interface.js';
import { isRecord } from './utils/is-record.js';

/** The request-specific part of a {@link NangoCallContext}. */
type CallContext = Pick<
  NangoCallContext,
  'operation' | 'providerConfigKey' | 'connectionId' | 'proxy'
>;

/**
 * Nango's token, connection, list and proxy operations, over the module's own `HttpService`.
 *
 * Every method returns a Promise, checks its arguments before sending anything, and fails
 * with a {@link NangoError} subclass, never a raw `AxiosError`.
 */
@Injectable()
export class NangoService implements OnModuleDestroy {
  /** Connection fetches in flight, shared by concurrent callers with the same arguments. */
  private readonly flights = new SingleFlight<NangoConnection>();
  /** The credential cache; `null` when off; built on first use. */
  private credentialCache: NangoCredentialCache | null | undefined;

  constructor(
    @Inject(NANGO_HTTP_SERVICE) protected readonly http: HttpService,
    @Inject(NANGO_OPTIONS) protected readonly options: ResolvedNangoOptions,
  ) {}

  /**
   * Fresh credentials of a connection, fetched from Nango (which refreshes them when needed):
   * the access token string for OAUTH2, `{ oAuthToken, oAuthTokenSecret }` for OAUTH1, the
   * credentials object for every other type.
   *
   * @param providerConfigKey the integration key
   * @param connectionId the connection id
   * @param forceRefresh make Nango refresh the token even if it has not expired
   * @param options per-call timeout and AbortSignal
   */
  async getToken(
    providerConfigKey: string,
    connectionId: string,
    forceRefresh?: boolean,
    options?: NangoCallOptions,
  ): Promise<NangoToken> {
    const connection = await this.fetchConnection(
      'getToken',
      providerConfigKey,
      connectionId,
      forceRefresh,
      false,
      options,
    );
    return requireToken(connection.credentials, {
      operation: 'getToken',
      providerConfigKey,
      connectionId,
    });
  }

  /**
   * A connection with its credentials: `GET /connections/{connectionId}`.
   *
   * @param providerConfigKey the integration key
   * @param connectionId the connection id
   * @param forceRefresh make Nango refresh the token even if it has not expired
   * @param refreshToken include the OAuth refresh token in the credentials
   * @param options per-call timeout and AbortSignal
   */
  async getConnection(
    providerConfigKey: string,
    connectionId: string,
    forceRefresh?: boolean,
    refreshToken?: boolean,
    options?: NangoCallOptions,
  ): Promise<NangoConnection> {
    return this.fetchConnection(
      'getConnection',
      providerConfigKey,
      connectionId,
      forceRefresh,
      refreshToken,
      options,
    );
  }

  /**
   * Lists connections (without credentials): all of them, those of one connection id, or those
   * matching a filter object.
   */
  async listConnections(
    filter?: string | ListConnectionsFilter,
    options?: NangoCallOptions,
  ): Promise<NangoConnectionList> {
    const operation = 'listConnections';
    const query = listQuery(
      operation,
      typeof filter === 'string' ? { connectionId: filter } : filter,
    );
    const response = await this.send<NangoConnectionList>(
      { method: 'GET', url: query ? `/connections?${query}` : '/connections' },
      { operation },
      options,
    );
    if (!isRecord(response.data) || !Array.isArray(response.data.connections)) {
      throw unexpectedAnswer({ operation }, 'a body without a "connections" list');
    }
    return response.data;
  }

  /**
   * Calls the third-party API through Nango's proxy, with the connection's credentials added by
   * Nango. Resolves with the third party's status, headers and body for 2xx and 3xx answers;
   * a 4xx/5xx of the third party rejects with {@link NangoUpstreamError}, Nango's own refusals
   * with the other `NangoRequestError` subclasses. Retrying is Nango's job (`retries`).
   */
  async proxy<T = unknown>(config: NangoProxyConfig): Promise<NangoProxyResponse<T>> {
    const operation = 'proxy';
    if (typeof config !== 'object' || config === null) {
      throw new NangoInvalidArgumentError(
        operation,
        'config',
        'must be an object with endpoint, providerConfigKey and connectionId.',
      );
    }
    const providerConfigKey = headerId(operation, 'providerConfigKey', config.providerConfigKey);
    const connectionId = headerId(operation, 'connectionId', config.connectionId);
    const method = checkMethod(operation, config.method);
    const endpoint = checkEndpoint(operation, config.endpoint);
    const query = queryString(operation, endpoint, config.params);
    if (method === 'GET' && config.data !== undefined) {
      throw new NangoInvalidArgumentError(
        operation,
        'data',
        'cannot be sent with GET; use post/put/patch/delete.',
      );
    }
    const headers: Record<string, string> = {
      ...proxyHeaders(operation, config.headers),
      'Connection-Id': connectionId,
      'Provider-Config-Key': providerConfigKey,
    };
    const retries = checkRetries(operation, config.retries);
    if (retries > 0) headers['Retries'] = String(retries);
    const retryOn = checkRetryOn(operation, config.retryOn);
    if (retryOn !== undefined) headers['Retry-On'] = retryOn;
    const baseUrlOverride = checkBaseUrl(operation, config.baseUrlOverride);
    if (baseUrlOverride !== undefined) headers['Base-Url-Override'] = baseUrlOverride;
    if (checkFlag(operation, 'decompress', config.decompress)) headers['Decompress'] = 'true';
    const responseType = config.responseType ?? 'json';
    if (!['json', 'text', 'arraybuffer', 'stream'].includes(responseType)) {
      throw new NangoInvalidArgumentError(
        operation,
        'responseType',
        'must be one of json, text, arraybuffer, stream.',
      );
    }

    const response = await this.send<T>(
      {
        method,
        url: `/proxy${endpoint}${query ? `?${query}` : ''}`,
        headers,
        data: config.data,
        responseType,
        validateStatus: (status) => status >= 200 && status < 400,
      },
      { operation, providerConfigKey, connectionId, proxy: { method, endpoint } },
      { timeout: config.timeout, signal: config.signal },
    ).catch(async (error: unknown) => {
      // The third party refused the token: a cached copy of it is stale.
      if (error instanceof NangoUpstreamError && error.status === 401) {
        await this.clearCachedCredentials(providerConfigKey, connectionId);
      }
      throw error;
    });
    // `config` and `request` of an axios response carry the Authorization header: not handed out.
    return {
      status: response.status,
      statusText: response.statusText,
      headers: response.headers,
      data: response.data,
    };
  }

  /** `proxy()` with `GET`. */
  get<T = unknown>(config: NangoProxyMethodConfig): Promise<NangoProxyResponse<T>> {
    return this.proxyWith<T>('GET', config);
  }

  /** `proxy()` with `POST`. */
  post<T = unknown>(config: NangoProxyMethodConfig): Promise<NangoProxyResponse<T>> {
    return this.proxyWith<T>('POST', config);
  }

  /** `proxy()` with `PUT`. */
  put<T = unknown>(config: NangoProxyMethodConfig): Promise<NangoProxyResponse<T>> {
    return this.proxyWith<T>('PUT', config);
  }

  /** `proxy()` with `PATCH`. */
  patch<T = unknown>(config: NangoProxyMethodConfig): Promise<NangoProxyResponse<T>> {
    return this.proxyWith<T>('PATCH', config);
  }

  /** `proxy()` with `DELETE`. */
  delete<T = unknown>(config: NangoProxyMethodConfig): Promise<NangoProxyResponse<T>> {
    return this.proxyWith<T>('DELETE', config);
  }

  // ---------------------------------------------------------------- more of Nango's API
  // Request builders and argument checks live in nango-connection-api.ts.

  /**
   * Deletes a connection: `DELETE /connections/{connectionId}`. An unknown connection rejects
   * with {@link NangoConnectionNotFoundError}.
   */
  async deleteConnection(
    providerConfigKey: string,
    connectionId: string,
    options?: NangoCallOptions,
  ): Promise<NangoSuccess> {
    const result = await this.call<NangoSuccess>(
      deleteConnectionRequest(providerConfigKey, connectionId),
      options,
    );
    // A deleted connection's credentials must not outlive it in the cache.
    await this.clearCachedCredentials(providerConfigKey, connectionId);
    return result;
  }

  /** The metadata of a connection (from `GET /connections/{connectionId}`). */
  async getMetadata<M = Record<string, unknown>>(
    providerConfigKey: string,
    connectionId: string,
    options?: NangoCallOptions,
  ): Promise<M> {
    const connection = await this.getConnection(
      providerConfigKey,
      connectionId,
      false,
      false,
      options,
    );
    return (connection.metadata ?? {}) as M;
  }

  /**
   * Replaces the metadata of one connection or several (all or none):
   * `POST /connections/metadata`.
   */
  async setMetadata<M extends Record<string, unknown> = Record<string, unknown>>(
    providerConfigKey: string,
    connectionId: string | string[],
    metadata: M,
    options?: NangoCallOptions,
  ): Promise<NangoMetadataResult<M>> {
    return this.call<NangoMetadataResult<M>>(
      metadataRequest('setMetadata', providerConfigKey, connectionId, metadata),
      options,
    );
  }

  /**
   * Merges fields into the metadata of one connection or several (all or none):
   * `PATCH /connections/metadata`.
   */
  async updateMetadata<M extends Record<string, unknown> = Record<string, unknown>>(
    providerConfigKey: string,
    connectionId: string | string[],
    metadata: M,
    options?: NangoCallOptions,
  ): Promise<NangoMetadataResult<M>> {
    return this.call<NangoMetadataResult<M>>(
      metadataRequest('updateMetadata', providerConfigKey, connectionId, metadata),
      options,
    );
  }

  /** Changes a connection's tags, end user or webhook URL: `PATCH /connections/{connectionId}`. */
  async patchConnection(
    providerConfigKey: string,
    connectionId: string,
    patch: NangoConnectionPatch,
    options?: NangoCallOptions,
  ): Promise<NangoSuccess> {
    return this.call<NangoSuccess>(
      patchConnectionRequest(providerConfigKey, connectionId, patch),
      options,
    );
  }

  /**
   * Creates a connect session for the front end: `POST /connect/sessions`. The token it
   * returns is never logged nor put in an error by this package.
   */
  async createConnectSession(
    session: NangoConnectSessionInput,
    options?: NangoCallOptions,
  ): Promise<NangoConnectSessionResult> {
    return this.call<NangoConnectSessionResult>(
      connectSessionRequest('createConnectSession', session),
      options,
    );
  }

  /**
   * Creates a connect session that re-authorizes an existing connection:
   * `POST /connect/sessions/reconnect`.
   */
  async createReconnectSession(
    session: NangoReconnectSessionInput,
    options?: NangoCallOptions,
  ): Promise<NangoConnectSessionResult> {
    return this.call<NangoConnectSessionResult>(
      connectSessionRequest('createReconnectSession', session),
      options,
    );
  }

  /** Lists the environment's integrations: `GET /integrations`. */
  async listIntegrations(options?: NangoCallOptions): Promise<NangoIntegrationList> {
    return this.call<NangoIntegrationList>(listIntegrationsRequest(), options);
  }

  /**
   * One integration, with its webhook URL or credentials when `include` asks for them:
   * `GET /integrations/{uniqueKey}`. An unknown key rejects with
   * {@link NangoIntegrationNotFoundError}.
   */
  async getIntegration(
    uniqueKey: string,
    include?: NangoIntegrationInclude[],
    options?: NangoCallOptions,
  ): Promise<NangoIntegrationResult> {
    return this.call<NangoIntegrationResult>(getIntegrationRequest(uniqueKey, include), options);
  }

  /**
   * Runs an action of the integration for a connection and resolves with its output:
   * `POST /action/trigger`. With `{ async: true }`, resolves at once with `{ id, statusUrl }`.
   */
  async triggerAction<O = unknown, I = unknown>(
    providerConfigKey: string,
    connectionId: string,
    actionName: string,
    input?: I,
    options?: NangoTriggerActionOptions,
  ): Promise<O> {
    return this.call<O>(
      triggerActionRequest(providerConfigKey, connectionId, actionName, input, options),
      options,
    );
  }

  /** One page of synced records of a model: `GET /records`. */
  async listRecords<T = Record<string, unknown>>(
    params: NangoListRecordsParams,
    options?: NangoCallOptions,
  ): Promise<NangoRecordsPage<T>> {
    return this.call<NangoRecordsPage<T>>(listRecordsRequest(params), options);
  }

  /**
   * Every synced record of a model, page after page (following `next_cursor`), as an async
   * iterator: `for await (const record of nango.iterateRecords({ ... })) { ... }`.
   */
  async *iterateRecords<T = Record<string, unknown>>(
    params: NangoListRecordsParams,
    options?: NangoCallOptions,
  ): AsyncGenerator<NangoRecord<T>, void, undefined> {
    let cursor = params?.cursor;
    do {
      const page = await this.listRecords<T>({ ...params, cursor }, options);
      yield* page.records;
      cursor = page.next_cursor ?? undefined;
    } while (cursor !== undefined);
  }

  /**
   * Every connection matching `filter`, page after page (`limit` per page, default 100), as an
   * async iterator: `for await (const connection of nango.iterateConnections()) { ... }`.
   */
  async *iterateConnections(
    filter?: Omit<ListConnectionsFilter, 'page'>,
    options?: NangoCallOptions,
  ): AsyncGenerator<NangoConnectionSummary, void, undefined> {
    const limit = filter?.limit ?? 100;
    for (let page = 0; ; page++) {
      const { connections } = await this.listConnections({ ...filter, limit, page }, options);
      yield* connections;
      if (connections.length < limit) return;
    }
  }

  /**
   * Starts an extra run of syncs (all of the integration's when `syncs` is empty), for one
   * connection or all: `POST /sync/trigger`.
   */
  async triggerSync(
    providerConfigKey: string,
    syncs?: NangoSyncSelector[],
    connectionId?: string,
    syncOptions?: NangoTriggerSyncOptions,
    options?: NangoCallOptions,
  ): Promise<NangoSuccess> {
    return this.call<NangoSuccess>(
      triggerSyncRequest(providerConfigKey, syncs, connectionId, syncOptions),
      options,
    );
  }

  /** The status of syncs (`'*'` for all), for one connection or all: `GET /sync/status`. */
  async syncStatus(
    providerConfigKey: string,
    syncs: '*' | string[],
    connectionId?: string,
    options?: NangoCallOptions,
  ): Promise<NangoSyncStatusResult> {
    return this.call<NangoSyncStatusResult>(
      syncStatusRequest(providerConfigKey, syncs, connectionId),
      options,
    );
  }

  /** Sends a request built by nango-connection-api.ts and returns the body. */
  private async call<T>(api: NangoApiRequest, options?: NangoCallOptions): Promise<T> {
    const response = await this.send<T>(api.request, api.context, options);
    return response.data;
  }
  // ---------------------------------------------------------------- end of more of Nango's API

  /**
   * Drops the cached credentials of a connection (both with and without refresh token), so the
   * next `getToken` / `getConnection` asks Nango. Does nothing when the cache is off. Call it
   * when a third-party API refuses a token you got from `getToken` (a 401 through `proxy()`
   * does it for you).
   */
  async clearCachedCredentials(providerConfigKey: string, connectionId: string): Promise<void> {
    const cache = this.cache();
    if (cache === null) return;
    const key = checkId('clearCachedCredentials', 'providerConfigKey', providerConfigKey);
    const id = checkId('clearCachedCredentials', 'connectionId', connectionId);
    await cache.drop(cache.key(key, id, false), cache.key(key, id, true));
  }

  /** Closes the keep-alive sockets to Nango when the application shuts down. */
  onModuleDestroy(): void {
    destroyNangoHttpService(this.http, this.options);
  }

  /**
   * Sends one request to Nango and turns any failure into a `NangoError`. The single place
   * every call goes through: override it to add tracing or metrics.
   */
  protected async send<T>(
    config: AxiosRequestConfig,
    context: CallContext,
    callOptions?: NangoCallOptions,
  ): Promise<AxiosResponse<T>> {
    const { timeout, signal } = checkCallOptions(context.operation, callOptions);
    const request: AxiosRequestConfig = {
      ...config,
      timeout: timeout ?? this.options.timeout,
      // HttpService cancels its own token when the Observable is torn down, even after the
      // answer: that builds a CanceledError (stack trace and all) per call. Our Observables end
      // only once the request has settled, and cancelling goes through `signal`: a token that
      // never fires spares that cost.
      cancelToken: config.cancelToken ?? new axios.CancelToken(noop),
    };
    if (signal !== undefined) request.signal = signal;
    // Only GETs to Nango's own API are retried; Nango retries proxy calls itself (`retries`).
    const policy =
      request.method === 'GET' &&
      context.proxy === undefined &&
      callOptions?.retry !== false &&
      this.options.retry;
    try {
      // The timeout bounds the whole call, retries included: each retry gets what is left.
      const deadline = Date.now() + (request.timeout as number);
      // The first attempt goes alone, straight to the HttpService's axios instance: its
      // Observable wrapper would only add a cancel token of its own (we always pass one) and an
      // rxjs subscription, about 5% of a call's CPU, and the common case needs no retry
      // machinery. A retryable failure is replayed into the retry operator as its first attempt.
      let first: unknown;
      try {
        return await this.http.axiosRef.request<T>(request);
      } catch (error) {
        if (!policy || policy.retries === 0 || !isRetryable(error)) throw error;
        first = error;
      }
      const attempt = () =>
        this.http.request<T>({ ...request, timeout: Math.max(1, deadline - Date.now()) });
      if (signal?.aborted) throw new CanceledError();
      let replay = true;
      let call$ = defer(() => {
        if (!replay) return attempt();
        replay = false;
        return throwError(() => first);
      }).pipe(nangoRetry<AxiosResponse<T>>(policy, deadline));
      if (signal !== undefined) {
        // Stop waiting between attempts as soon as the caller aborts.
        call$ = call$.pipe(
          raceWith(
            fromEvent(signal, 'abort').pipe(mergeMap(() => throwError(() => new CanceledError()))),
          ),
        );
      }
      if (config.cancelToken !== undefined) {
        // Or as soon as the caller's cancel token fires.
        call$ = call$.pipe(
          raceWith(
            from(config.cancelToken.promise).pipe(mergeMap((reason) => throwError(() => reason))),
          ),
        );
      }
      return await firstValueFrom(call$);
    } catch (error) {
      throw await this.toError(error, context, request.timeout ?? this.options.timeout);
    }
  }

  /** Turns a failure into a `NangoError` that knows this instance, and never holds the key. */
  private toError(error: unknown, context: CallContext, timeoutMs: number): Promise<NangoError> {
    return toNangoError(error, {
      ...context,
      timeoutMs,
      host: this.options.host,
      secrets: [this.options.secretKey],
      instance: this.options.name,
    });
  }

  private async fetchConnection(
    operation: string,
    providerConfigKey: string,
    connectionId: string,
    forceRefresh: boolean | undefined,
    refreshToken: boolean | undefined,
    options: NangoCallOptions | undefined,
  ): Promise<NangoConnection> {
    const id = pathSegment(operation, 'connectionId', connectionId);
    const key = checkId(operation, 'providerConfigKey', providerConfigKey);
    const force = checkFlag(operation, 'forceRefresh', forceRefresh);
    const withRefreshToken = checkFlag(operation, 'refreshToken', refreshToken);
    const { timeout, signal } = checkCallOptions(operation, options);
    // A template rather than URLSearchParams: the one value that needs it is encoded.
    const query = `provider_config_key=${encodeURIComponent(key)}&force_refresh=${force}&refresh_token=${withRefreshToken}`;
    const context = { operation, providerConfigKey, connectionId };
    const timeoutMs = timeout ?? this.options.timeout;
    const fail = (error: unknown) => this.toError(error, context, timeoutMs);
    if (signal?.aborted) throw await fail(new CanceledError());

    const cache = this.cache();
    const cacheKey = cache?.key(key, connectionId, withRefreshToken);
    // A forced refresh replaces the token: both shared entries go first (so no replica reads
    // the old one once this call returns), alongside the request to Nango.
    let dropped: Promise<void> | undefined;
    if (cache !== null && cacheKey !== undefined) {
      if (force) dropped = cache.drop(cacheKey, cache.key(key, connectionId, !withRefreshToken));
      else {
        const cached = await cache.read(cacheKey);
        if (cached !== undefined) return cached;
      }
    }
    // Concurrent calls with the same arguments share one request. Each caller keeps its own
    // timeout and signal; the shared request gets the longest timeout and stops only when
    // every caller has left.
    const sharedTimeoutMs = Math.max(timeoutMs, this.options.timeout);
    const start = async (onCancel: (cancel: () => void) => void): Promise<NangoConnection> => {
      // A cancel token rather than an AbortSignal: cheaper for axios to watch, on every call.
      const cancelToken = new axios.CancelToken((cancel) => onCancel(() => cancel()));
      const response = await this.send<NangoConnection>(
        { method: 'GET', url: `/connections/${id}?${query}`, cancelToken },
        context,
        { timeout: sharedTimeoutMs },
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
      return await this.flights.run(
        // NUL never occurs in a checked id (checkId refuses control characters): a safe separator.
        `${key}\u0000${connectionId}\u0000${force}\u0000${withRefreshToken}`,
        start,
        {
          signal,
          timeoutMs,
          aborted: () => new CanceledError(),
          timedOut: () => new AxiosError(`timeout of ${timeoutMs}ms exceeded`, 'ECONNABORTED'),
        },
        sharedTimeoutMs,
      );
    } catch (error) {
      throw await fail(error);
    }
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

  private proxyWith<T>(
    method: NangoProxyMethod,
    config: NangoProxyMethodConfig,
  ): Promise<NangoProxyResponse<T>> {
    return this.proxy<T>({ ...config, method });
  }
}

function listQuery(operation: string, filter: ListConnectionsFilter | undefined): string {
  if (filter === undefined) return '';
  if (!isRecord(filter)) {
    throw new NangoInvalidArgumentError(
      operation,
      'filter',
      'must be a connection id or an object of filters.',
    );
  }
  const query = new URLSearchParams();
  const ids: Array<[keyof ListConnectionsFilter, string]> = [
    ['connectionId', 'connectionId'],
    ['userId', 'endUserId'],
    ['integrationId', 'integrationId'],
    ['search', 'search'],
  ];
  for (const [field, name] of ids) {
    const value = filter[field];
    if (value !== undefined) query.set(name, checkId(operation, field, value));
  }
  if (filter.tags !== undefined) {
    if (!isRecord(filter.tags)) {
      throw new NangoInvalidArgumentError(
        operation,
        'tags',
        'must be an object of tag names to string values.',
      );
    }
    for (const [tag, value] of Object.entries(filter.tags)) {
      query.set(
        `tags[${checkId(operation, 'tags', tag)}]`,
        checkId(operation, `tags.${tag}`, value),
      );
    }
  }
  for (const [field, min, max] of [
    ['limit', 1, 10_000],
    ['page', 0, 1_000_000],
  ] as const) {
    const value = filter[field];
    if (value === undefined) continue;
    if (typeof value !== 'number' || !Number.isInteger(value) || value < min || value > max) {
      throw new NangoInvalidArgumentError(
        operation,
        field,
        `must be a whole number from ${min} to ${max}.`,
      );
    }
    query.set(field, String(value));
  }
  return query.toString();
}

function checkCallOptions(
  operation: string,
  options: NangoCallOptions | undefined,
): NangoCallOptions {
  if (options === undefined) return {};
  if (typeof options !== 'object' || options === null) {
    throw new NangoInvalidArgumentError(
      operation,
      'options',
      'must be an object such as { timeout, signal }.',
    );
  }
  const { timeout, signal } = options;
  if (
    timeout !== undefined &&
    (typeof timeout !== 'number' ||
      !Number.isInteger(timeout) ||
      timeout < 1 ||
      timeout > NANGO_MAX_TIMEOUT_MS)
  ) {
    throw new NangoInvalidArgumentError(
      operation,
      'timeout',
      `must be a whole number of milliseconds from 1 to ${NANGO_MAX_TIMEOUT_MS}.`,
    );
  }
  if (signal !== undefined && !(signal instanceof AbortSignal)) {
    throw new NangoInvalidArgumentError(operation, 'signal', 'must be an AbortSignal.');
  }
  if (options.retry !== undefined && typeof options.retry !== 'boolean') {
    throw new NangoInvalidArgumentError(operation, 'retry', 'must be a boolean.');
  }
  return { timeout, signal, retry: options.retry };
}

function noop(): void {}
