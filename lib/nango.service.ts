import { Inject, Injectable, type OnModuleDestroy, type OnModuleInit } from '@nestjs/common';
import { HttpService } from './transport/nest-axios.js';
import type { AxiosRequestConfig, AxiosResponse } from 'axios';
import { NANGO_HTTP_SERVICE, NANGO_OPTIONS } from './nango.internal-constants.js';
import { NangoTransport } from './transport/nango-transport.js';
import { NangoConnectionFetcher } from './connections/nango-connection-fetcher.js';
import { NangoConfigurationApi } from './nango-configuration.api.js';
import { isRecord } from './utils/is-record.js';
import { checkCallOptions } from './api/nango-arguments.js';
import type { NangoApiRequest, NangoRequestContext } from './api/nango-api-request.js';
import {
  connectionList,
  deleteConnectionRequest,
  getConnectionRequest,
  listConnectionsCall,
  metadataOf,
  metadataRequest,
  patchConnectionCall,
  type ListConnectionsArgs,
  type PatchConnectionArgs,
} from './api/connections.requests.js';
import { proxyRequest } from './api/proxy.requests.js';
import { getIntegrationRequest, listIntegrationsRequest } from './api/integrations.requests.js';
import { connectSessionRequest } from './api/connect-sessions.requests.js';
import { asyncActionResultRequest, triggerActionRequest } from './api/actions.requests.js';
import { listRecordsRequest, pruneRecordsRequest } from './api/records.requests.js';
import { syncStatusRequest, triggerSyncRequest } from './api/syncs.requests.js';
import { waitForConnection } from './api/wait-for-connection.js';
import { iterateConnections, iterateRecords } from './api/iterate-pages.js';
import { verifyNangoWebhookSignature } from './webhooks/nango-webhook.signature.js';
import { keyGivenAsApiKey } from './nango-options.validation.js';
import { NangoTelemetry } from './telemetry/nango-telemetry.js';
import type { NangoCallProbe } from './telemetry/nango-call-probe.js';
import type {
  NangoCallOptions,
  ResolvedNangoOptions,
} from './interfaces/nango-module-options.interface.js';
import type { NangoToken } from './interfaces/nango-credentials.interface.js';
import type {
  ListConnectionsFilter,
  ListConnectionsQueries,
  NangoPatchConnectionParams,
  NangoConnection,
  NangoConnectionList,
  NangoConnectionSummary,
} from './interfaces/nango-connection.interface.js';
import type {
  NangoPruneRecordsParams,
  NangoPruneRecordsResult,
  NangoSyncMode,
} from './interfaces/nango-sync.interface.js';
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
  NangoAsyncActionResult,
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

/**
 * Nango's token, connection, list and proxy operations, over the module's own `HttpService`.
 *
 * Every method returns a Promise, checks its arguments before sending anything, and fails
 * with a {@link NangoError} subclass, never a raw `AxiosError`.
 *
 * A facade: each method builds its request with a builder of `lib/api` (which checks the
 * arguments), sends it through {@link NangoService.send} (and so through the instance's
 * {@link NangoTransport}) and returns the body. Credentials go through the
 * {@link NangoConnectionFetcher}: cache, then one shared request for concurrent callers, then
 * cache. The environment's configuration calls come from {@link NangoConfigurationApi}.
 */
@Injectable()
export class NangoService extends NangoConfigurationApi implements OnModuleInit, OnModuleDestroy {
  /** The one way to Nango: sending, the deadline, retries, error translation, shutdown. */
  private readonly transport: NangoTransport;
  /** The credential fetches: cache, then single-flight, then Nango, then cache. */
  private readonly connections: NangoConnectionFetcher;
  /** A span and metrics per call, when `@opentelemetry/api` and an SDK are there. */
  private readonly telemetry: NangoTelemetry;

  constructor(
    @Inject(NANGO_HTTP_SERVICE) protected readonly http: HttpService,
    @Inject(NANGO_OPTIONS) protected readonly options: ResolvedNangoOptions,
  ) {
    super();
    this.transport = new NangoTransport(http, options);
    this.connections = new NangoConnectionFetcher(
      options,
      this.transport,
      (config, context, o, p) => this.send(config, context, o, p),
    );
    this.telemetry = NangoTelemetry.of(options);
  }

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
  getToken(
    providerConfigKey: string,
    connectionId: string,
    forceRefresh?: boolean,
    options?: NangoCallOptions,
  ): Promise<NangoToken>;
  /**
   * The official client's shape: `getToken(key, id, forceRefresh, refreshGithubAppJwtToken)`.
   *
   * @param refreshGithubAppJwtToken make Nango refresh the JWT of a GitHub App connection
   */
  getToken(
    providerConfigKey: string,
    connectionId: string,
    forceRefresh: boolean | undefined,
    refreshGithubAppJwtToken: boolean | undefined,
    options?: NangoCallOptions,
  ): Promise<NangoToken>;
  /** Implementation of the shapes above. */
  async getToken(
    providerConfigKey: string,
    connectionId: string,
    forceRefresh?: boolean,
    githubJwtOrOptions?: boolean | NangoCallOptions,
    options?: NangoCallOptions,
  ): Promise<NangoToken> {
    const fetch = getConnectionRequest(
      'getToken',
      providerConfigKey,
      connectionId,
      forceRefresh,
      false,
      githubJwtOrOptions,
      options,
    );
    return this.telemetry.run(fetch.context, 'GET', (probe) =>
      this.connections.token(fetch, probe),
    );
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
  getConnection(
    providerConfigKey: string,
    connectionId: string,
    forceRefresh?: boolean,
    refreshToken?: boolean,
    options?: NangoCallOptions,
  ): Promise<NangoConnection>;
  /**
   * The official client's shape, with `refreshGithubAppJwtToken` 5th: make Nango refresh the
   * JWT of a GitHub App connection (sent as `refresh_github_app_jwt_token=true`).
   */
  getConnection(
    providerConfigKey: string,
    connectionId: string,
    forceRefresh: boolean | undefined,
    refreshToken: boolean | undefined,
    refreshGithubAppJwtToken: boolean | undefined,
    options?: NangoCallOptions,
  ): Promise<NangoConnection>;
  /** Implementation of the shapes above. */
  async getConnection(
    providerConfigKey: string,
    connectionId: string,
    forceRefresh?: boolean,
    refreshToken?: boolean,
    githubJwtOrOptions?: boolean | NangoCallOptions,
    options?: NangoCallOptions,
  ): Promise<NangoConnection> {
    const fetch = getConnectionRequest(
      'getConnection',
      providerConfigKey,
      connectionId,
      forceRefresh,
      refreshToken,
      githubJwtOrOptions,
      options,
    );
    return this.telemetry.run(fetch.context, 'GET', (probe) =>
      this.connections.fetch(fetch, probe),
    );
  }

  /**
   * Lists connections (without credentials): all of them, those of one connection id, or those
   * matching a filter object: `GET /connections`.
   */
  listConnections(
    filter?: string | ListConnectionsFilter,
    options?: NangoCallOptions,
  ): Promise<NangoConnectionList>;
  /**
   * The official client's shape: `listConnections(connectionId?, search?, queries?)`, e.g.
   * `listConnections(undefined, undefined, { endUserId: 'u1' })`.
   */
  listConnections(
    connectionId: string | undefined,
    search: string | undefined,
    queries?: ListConnectionsQueries,
    options?: NangoCallOptions,
  ): Promise<NangoConnectionList>;
  /** Implementation of the shapes above. */
  async listConnections(...args: ListConnectionsArgs): Promise<NangoConnectionList> {
    return this.call<unknown>(...listConnectionsCall(args)).then(connectionList);
  }

  /**
   * Calls the third-party API through Nango's proxy, with the connection's credentials added by
   * Nango. Resolves with the third party's status, headers and body for 2xx and 3xx answers;
   * a 4xx/5xx of the third party rejects with {@link NangoUpstreamError}, Nango's own refusals
   * with the other `NangoRequestError` subclasses. Retrying is Nango's job (`retries`).
   */
  async proxy<T = unknown>(config: NangoProxyConfig): Promise<NangoProxyResponse<T>> {
    const proxy = proxyRequest(config);
    return this.telemetry.run(proxy.context, proxy.request.method, (probe) =>
      this.connections.proxy<T>(proxy, probe),
    );
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

  /**
   * Deletes a connection: `DELETE /connections/{connectionId}`. An unknown connection rejects
   * with {@link NangoConnectionNotFoundError}.
   */
  async deleteConnection(
    providerConfigKey: string,
    connectionId: string,
    options?: NangoCallOptions,
  ): Promise<NangoSuccess> {
    return this.connections.dropAfter(
      providerConfigKey,
      connectionId,
      this.call<NangoSuccess>(deleteConnectionRequest(providerConfigKey, connectionId), options),
    );
  }

  /** The metadata of a connection (from `GET /connections/{connectionId}`). */
  async getMetadata<M = Record<string, unknown>>(
    providerConfigKey: string,
    connectionId: string,
    options?: NangoCallOptions,
  ): Promise<M> {
    return this.getConnection(providerConfigKey, connectionId, false, false, options).then(
      metadataOf<M>,
    );
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
    return this.call(
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
    return this.call(
      metadataRequest('updateMetadata', providerConfigKey, connectionId, metadata),
      options,
    );
  }

  /** Changes a connection's tags, end user or webhook URL: `PATCH /connections/{connectionId}`. */
  patchConnection(
    providerConfigKey: string,
    connectionId: string,
    patch: NangoConnectionPatch,
    options?: NangoCallOptions,
  ): Promise<NangoSuccess>;
  /**
   * The official client's shape:
   * `patchConnection({ connectionId, provider_config_key }, body)`; the same request.
   */
  patchConnection(
    params: NangoPatchConnectionParams,
    body: NangoConnectionPatch,
    options?: NangoCallOptions,
  ): Promise<NangoSuccess>;
  /** Implementation of the shapes above. */
  async patchConnection(...args: PatchConnectionArgs): Promise<NangoSuccess> {
    const [api, options] = patchConnectionCall(args);
    return this.call(api, options);
  }

  /**
   * Creates a connect session for the front end: `POST /connect/sessions`. The token it
   * returns is never logged nor put in an error by this package.
   */
  async createConnectSession(
    session: NangoConnectSessionInput,
    options?: NangoCallOptions,
  ): Promise<NangoConnectSessionResult> {
    return this.call(connectSessionRequest('createConnectSession', session), options);
  }

  /**
   * Creates a connect session that re-authorizes an existing connection:
   * `POST /connect/sessions/reconnect`.
   */
  async createReconnectSession(
    session: NangoReconnectSessionInput,
    options?: NangoCallOptions,
  ): Promise<NangoConnectSessionResult> {
    return this.call(connectSessionRequest('createReconnectSession', session), options);
  }

  /** Lists the environment's integrations: `GET /integrations`. */
  async listIntegrations(options?: NangoCallOptions): Promise<NangoIntegrationList> {
    return this.call(listIntegrationsRequest(), options);
  }

  /**
   * One integration, with its webhook URL or credentials when `include` asks for them:
   * `GET /integrations/{uniqueKey}`. An unknown key rejects with
   * {@link NangoIntegrationNotFoundError}.
   */
  getIntegration(
    uniqueKey: string,
    include?: NangoIntegrationInclude[],
    options?: NangoCallOptions,
  ): Promise<NangoIntegrationResult>;
  /** The official client's shape: `getIntegration({ uniqueKey }, { include }?)`; the same request. */
  getIntegration(
    params: { uniqueKey: string },
    queries?: { include?: NangoIntegrationInclude[] },
    options?: NangoCallOptions,
  ): Promise<NangoIntegrationResult>;
  /** Implementation of the shapes above. */
  async getIntegration(
    keyOrParams: string | { uniqueKey: string },
    includeOrQueries?: NangoIntegrationInclude[] | { include?: NangoIntegrationInclude[] },
    options?: NangoCallOptions,
  ): Promise<NangoIntegrationResult> {
    return this.call(getIntegrationRequest(keyOrParams, includeOrQueries), options);
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
    return this.call(
      triggerActionRequest(providerConfigKey, connectionId, actionName, input, options),
      options,
    );
  }

  /** One page of synced records of a model: `GET /records`. */
  async listRecords<T = Record<string, unknown>>(
    params: NangoListRecordsParams,
    options?: NangoCallOptions,
  ): Promise<NangoRecordsPage<T>> {
    return this.call(listRecordsRequest(params), options);
  }

  /**
   * Every synced record of a model, page after page (following `next_cursor`), as an async
   * iterator: `for await (const record of nango.iterateRecords({ ... })) { ... }`.
   */
  iterateRecords<T = Record<string, unknown>>(
    params: NangoListRecordsParams,
    options?: NangoCallOptions,
  ): AsyncGenerator<NangoRecord<T>, void, undefined> {
    return iterateRecords((p, o) => this.listRecords<T>(p, o), params, options);
  }

  /**
   * Every connection matching `filter`, page after page (`limit` per page, default 100), as an
   * async iterator: `for await (const connection of nango.iterateConnections()) { ... }`.
   */
  iterateConnections(
    filter?: Omit<ListConnectionsFilter, 'page'>,
    options?: NangoCallOptions,
  ): AsyncGenerator<NangoConnectionSummary, void, undefined> {
    return iterateConnections((f, o) => this.listConnections(f, o), filter, options);
  }

  /**
   * Starts an extra run of syncs (all of the integration's when `syncs` is empty), for one
   * connection or all: `POST /sync/trigger`. The 4th argument is `{ reset, emptyCache }`, or
   * the official client's deprecated sync mode (`'full_refresh'`, ..., or a boolean), sent as
   * `sync_mode`.
   */
  async triggerSync(
    providerConfigKey: string,
    syncs?: NangoSyncSelector[],
    connectionId?: string,
    syncOptions?: NangoTriggerSyncOptions | NangoSyncMode,
    options?: NangoCallOptions,
  ): Promise<NangoSuccess> {
    return this.call(
      triggerSyncRequest(providerConfigKey, syncs, connectionId, syncOptions),
      options,
    );
  }

  /**
   * The status of syncs (`'*'` for all; names, `'name::variant'` or `{ name, variant }`), for
   * one connection or all: `GET /sync/status`.
   */
  async syncStatus(
    providerConfigKey: string,
    syncs: '*' | NangoSyncSelector[],
    connectionId?: string,
    options?: NangoCallOptions,
  ): Promise<NangoSyncStatusResult> {
    return this.call(syncStatusRequest(providerConfigKey, syncs, connectionId), options);
  }

  /**
   * The token response of the provider as Nango got it (`credentials.raw` of
   * `GET /connections/{connectionId}`).
   *
   * @param refreshGithubAppJwtToken make Nango refresh the JWT of a GitHub App connection
   */
  async getRawTokenResponse<T = Record<string, unknown>>(
    providerConfigKey: string,
    connectionId: string,
    forceRefresh?: boolean,
    refreshGithubAppJwtToken?: boolean | NangoCallOptions,
    options?: NangoCallOptions,
  ): Promise<T> {
    const fetch = getConnectionRequest(
      'getRawTokenResponse',
      providerConfigKey,
      connectionId,
      forceRefresh,
      false,
      refreshGithubAppJwtToken,
      options,
    );
    return this.telemetry.run(fetch.context, 'GET', (probe) =>
      this.connections.rawTokenResponse<T>(fetch, probe),
    );
  }

  /**
   * Empties the cached payloads of a model's records up to a cursor (their metadata stays):
   * `PATCH /records/prune`.
   */
  async pruneRecords(
    params: NangoPruneRecordsParams,
    options?: NangoCallOptions,
  ): Promise<NangoPruneRecordsResult> {
    return this.call(pruneRecordsRequest(params), options);
  }

  /**
   * Waits until the end user has a connection of the integration, polling
   * `GET /connections?endUserId=` as the official client does (30 checks: 10 s before the
   * second, then every 2 s); rejects with `NangoTimeoutError` after the last. An abort of
   * `options.signal` rejects at once with `NangoAbortedError`; `timeout` bounds each check.
   */
  async waitForConnection(
    integrationKey: string,
    userId: string,
    options?: NangoCallOptions,
  ): Promise<NangoConnectionSummary> {
    return waitForConnection(
      (connectionId, search, queries, callOptions) =>
        this.listConnections(connectionId, search, queries, callOptions),
      integrationKey,
      userId,
      options,
      this.options.name,
    );
  }

  /**
   * Starts an action without waiting for it (`POST /action/trigger` with `X-Async: true`):
   * resolves with `{ id, statusUrl }` for {@link NangoService.getAsyncActionResult}.
   */
  async triggerActionAsync<I = unknown>(
    providerConfigKey: string,
    connectionId: string,
    actionName: string,
    input?: I,
    options?: NangoCallOptions,
  ): Promise<NangoAsyncActionResult> {
    return this.call(
      triggerActionRequest(
        providerConfigKey,
        connectionId,
        actionName,
        input,
        { async: true },
        'triggerActionAsync',
      ),
      options,
    );
  }

  /** The result of an asynchronous action, by `id` or `statusUrl`: `GET /action/{id}`. */
  async getAsyncActionResult<O = unknown>(
    props: Partial<NangoAsyncActionResult>,
    options?: NangoCallOptions,
  ): Promise<O> {
    return this.call(asyncActionResultRequest(props), options);
  }

  /**
   * Whether a webhook request is Nango's, by the official client's rules: the hex
   * HMAC-SHA256 of the raw `body` in the `X-Nango-Hmac-Sha256` header (any case), under the
   * module's `webhookSigningKey` (any of them during a rotation), else the key given as
   * `secretKey`. A module given its key as `apiKey` and no `webhookSigningKey` verifies
   * nothing (always `false`), as the official client: Nango never signs webhooks with the API
   * key. Never throws: anything malformed is `false`.
   *
   * @param body the raw HTTP body, exactly as received
   * @param headers the request headers
   */
  verifyIncomingWebhookRequest(body: string | Buffer, headers: Record<string, unknown>): boolean {
    if ((typeof body !== 'string' && !Buffer.isBuffer(body)) || !isRecord(headers)) return false;
    const name = Object.keys(headers).find((key) => key.toLowerCase() === 'x-nango-hmac-sha256');
    const signature = name === undefined ? undefined : headers[name];
    if (typeof signature !== 'string') return false;
    const fallback = keyGivenAsApiKey(this.options) ? [] : [this.options.secretKey];
    return verifyNangoWebhookSignature(
      body,
      signature,
      this.options.webhookSigningKeys ?? fallback,
    );
  }

  /**
   * Drops the cached credentials of a connection (both with and without refresh token), so the
   * next `getToken` / `getConnection` asks Nango. Does nothing when the cache is off. Call it
   * when a third-party API refuses a token you got from `getToken` (a 401 through `proxy()`
   * does it for you).
   */
  async clearCachedCredentials(providerConfigKey: string, connectionId: string): Promise<void> {
    return this.connections.clear('clearCachedCredentials', providerConfigKey, connectionId);
  }

  /** Loads `@opentelemetry/api` (when installed and telemetry is on) before the app serves. */
  async onModuleInit(): Promise<void> {
    await this.telemetry.ready();
  }

  /** Closes the pool and keep-alive sockets to Nango (those the module made) on shutdown. */
  async onModuleDestroy(): Promise<void> {
    await this.transport.close();
  }

  /**
   * Sends one request to Nango and turns any failure into a `NangoError`. The single place
   * every call goes through (credential fetches included), first attempt and retries alike,
   * all by the module's `HttpService.request()` (see {@link NangoTransport}): override it to
   * add tracing or metrics.
   *
   * @param config the request, as a builder of `lib/api` made it
   * @param context what an error says about the call
   * @param callOptions the call's options, already checked by the public method
   * @param probe the call's telemetry (its span and metrics), when anything listens
   */
  protected send<T>(
    config: AxiosRequestConfig,
    context: NangoRequestContext,
    callOptions: NangoCallOptions = {},
    probe?: NangoCallProbe,
  ): Promise<AxiosResponse<T>> {
    return this.transport.send<T>(config, context, callOptions, probe);
  }

  /** Sends a built request with the caller's options (checked here) and returns the body. */
  protected override async call<T>(api: NangoApiRequest, options?: NangoCallOptions): Promise<T> {
    const callOptions = checkCallOptions(api.context.operation, options);
    const response = await this.telemetry.run(api.context, api.request.method, (probe) =>
      this.send<T>(api.request, api.context, callOptions, probe),
    );
    return response.data;
  }

  private proxyWith<T>(
    method: NangoProxyMethod,
    config: NangoProxyMethodConfig,
  ): Promise<NangoProxyResponse<T>> {
    return this.proxy<T>({ ...config, method });
  }
}
