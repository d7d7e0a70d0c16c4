import { Inject, Injectable, type OnModuleDestroy } from '@nestjs/common';
import { HttpService } from '@nestjs/axios';
import { AxiosError, CanceledError, type AxiosRequestConfig, type AxiosResponse } from 'axios';
import { NANGO_MAX_TIMEOUT_MS, NANGO_OPTIONS } from './nango.constants.js';
import { NANGO_HTTP_SERVICE } from './nango.tokens.js';
import { destroyNangoHttpService } from './nango-http.factory.js';
import type { NangoError } from './errors/nango.error.js';
import { NangoInvalidArgumentError } from './errors/nango-misuse.errors.js';
import { NangoUpstreamError } from './errors/nango-request.errors.js';
import { NangoCredentialCache } from './cache/nango-credential-cache.js';
import { SingleFlight } from './utils/single-flight.js';
import { nangoCall } from './transport/nango-call.js';
import { toNangoError, unexpectedAnswer } from './errors/nango-error.mapper.js';
import type { NangoCallContext } from './interfaces/nango-call-context.interface.js';
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
  proxyConnectionId,
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
  ListConnectionsQueries,
  NangoPatchConnectionParams,
  NangoConnection,
  NangoConnectionList,
  NangoConnectionSummary,
} from './interfaces/nango-connection.interface.js';
import {
  connectSessionRequest,
  deleteConnectionRequest,
  getIntegrationRequest,
  listIntegrationsRequest,
  metadataRequest,
  patchConnectionRequest,
  triggerActionRequest,
  type NangoApiRequest,
} from './nango-connection-api.js';
import {
  listConnectionsPositionalRequest,
  listConnectionsRequest,
} from './api/connections.requests.js';
import { listRecordsRequest, pruneRecordsRequest } from './api/records.requests.js';
import {
  syncFrequencyRequest,
  syncScheduleRequest,
  syncStatusRequest,
  syncVariantRequest,
  triggerSyncRequest,
} from './api/syncs.requests.js';
import { listProvidersRequest, providerRequest } from './api/providers.requests.js';
import {
  createIntegrationRequest,
  deleteIntegrationRequest,
  updateIntegrationRequest,
} from './api/integrations.requests.js';
import { functionRequest, listFunctionsRequest } from './api/functions.requests.js';
import { asyncActionResultRequest } from './api/actions.requests.js';
import { environmentVariablesRequest, scriptsConfigRequest } from './api/environment.requests.js';
import { waitForConnection } from './api/wait-for-connection.js';
import { verifyNangoWebhookSignature } from './webhooks/nango-webhook.signature.js';
import { checkObject } from './utils/nango-api-input.js';
import type {
  NangoListProvidersQuery,
  NangoProviderList,
  NangoProviderParams,
  NangoProviderResult,
  NangoProviderTemplates,
} from './interfaces/nango-provider.interface.js';
import type {
  NangoCreateIntegrationInput,
  NangoIntegrationChanged,
  NangoQuickstartIntegrationInput,
  NangoUpdateIntegrationInput,
} from './interfaces/nango-integration-input.interface.js';
import type {
  NangoFunctionCode,
  NangoFunctionDeleted,
  NangoFunctionList,
  NangoFunctionParams,
  NangoFunctionResult,
  NangoFunctionType,
  NangoIntegrationParams,
  NangoListFunctionsQuery,
} from './interfaces/nango-function.interface.js';
import type {
  NangoPruneRecordsParams,
  NangoPruneRecordsResult,
  NangoSyncFrequencyResult,
  NangoSyncMode,
  NangoSyncVariant,
  NangoSyncVariantInput,
} from './interfaces/nango-sync.interface.js';
import type {
  NangoEnvironmentVariable,
  NangoOpenAIScriptsConfig,
  NangoScriptsConfig,
  NangoScriptsConfigFormat,
} from './interfaces/nango-environment.interface.js';
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
import { isRecord } from './utils/is-record.js';

/** The `responseType`s a proxy call takes. */
const PROXY_RESPONSE_TYPES: ReadonlySet<string> = new Set([
  'json',
  'text',
  'arraybuffer',
  'stream',
]);

/** A proxy call resolves with the third party's 2xx and 3xx answers. */
function isProxyAnswer(status: number): boolean {
  return status >= 200 && status < 400;
}

/** The request-specific part of a {@link NangoCallContext}. */
type CallContext = Pick<
  NangoCallContext,
  'operation' | 'providerConfigKey' | 'connectionId' | 'proxy' | 'resource'
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
    const [githubJwt, callOptions] = flagThenOptions(githubJwtOrOptions, options);
    const connection = await this.fetchConnection(
      'getToken',
      providerConfigKey,
      connectionId,
      forceRefresh,
      false,
      callOptions,
      githubJwt,
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
    const [githubJwt, callOptions] = flagThenOptions(githubJwtOrOptions, options);
    return this.fetchConnection(
      'getConnection',
      providerConfigKey,
      connectionId,
      forceRefresh,
      refreshToken,
      callOptions,
      githubJwt,
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
  async listConnections(
    ...args:
      | [(string | ListConnectionsFilter)?, NangoCallOptions?]
      | [string | undefined, string | undefined, ListConnectionsQueries?, NangoCallOptions?]
  ): Promise<NangoConnectionList> {
    const operation = 'listConnections';
    let api: NangoApiRequest;
    let options: NangoCallOptions | undefined;
    if (args.length >= 3 || typeof args[1] === 'string') {
      const [connectionId, search, queries, callOptions] = args as [
        unknown,
        unknown,
        unknown,
        NangoCallOptions?,
      ];
      api = listConnectionsPositionalRequest(connectionId, search, queries);
      options = callOptions;
    } else {
      const [filter, callOptions] = args as [(string | ListConnectionsFilter)?, NangoCallOptions?];
      api = listConnectionsRequest(typeof filter === 'string' ? { connectionId: filter } : filter);
      options = callOptions;
    }
    const response = await this.send<NangoConnectionList>(api.request, api.context, options);
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
    const connectionId = proxyConnectionId(operation, config.connectionId);
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
    if (config.forwardHeadersOnRedirect !== undefined) {
      headers['Forward-Headers-On-Redirect'] = String(
        checkFlag(operation, 'forwardHeadersOnRedirect', config.forwardHeadersOnRedirect),
      );
    }
    const responseType = config.responseType ?? 'json';
    if (!PROXY_RESPONSE_TYPES.has(responseType)) {
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
        validateStatus: isProxyAnswer,
        // The size bound is for buffered answers; a stream is read by the caller, chunk by chunk.
        ...(responseType === 'stream' ? { maxContentLength: -1 } : {}),
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
  async patchConnection(
    ...args:
      | [string, string, NangoConnectionPatch, NangoCallOptions?]
      | [NangoPatchConnectionParams, NangoConnectionPatch, NangoCallOptions?]
  ): Promise<NangoSuccess> {
    if (typeof args[0] === 'string' || typeof args[1] === 'string') {
      const [providerConfigKey, connectionId, patch, options] = args as [
        string,
        string,
        NangoConnectionPatch,
        NangoCallOptions?,
      ];
      return this.call<NangoSuccess>(
        patchConnectionRequest(providerConfigKey, connectionId, patch),
        options,
      );
    }
    const [params, body, options] = args as [
      NangoPatchConnectionParams,
      NangoConnectionPatch,
      NangoCallOptions?,
    ];
    const p = checkObject(
      'patchConnection',
      'params',
      params,
      "{ connectionId: 'c1', provider_config_key: 'github' }",
    );
    return this.call<NangoSuccess>(
      patchConnectionRequest(p['provider_config_key'] as string, p['connectionId'] as string, body),
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
    const official = typeof keyOrParams === 'object' && keyOrParams !== null;
    const uniqueKey = official ? keyOrParams.uniqueKey : keyOrParams;
    const include =
      official && includeOrQueries !== undefined && !Array.isArray(includeOrQueries)
        ? checkObject('getIntegration', 'queries', includeOrQueries, "{ include: ['webhook'] }")[
            'include'
          ]
        : includeOrQueries;
    return this.call<NangoIntegrationResult>(
      getIntegrationRequest(uniqueKey, include as NangoIntegrationInclude[] | undefined),
      options,
    );
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
    return this.call<NangoSuccess>(
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

  // ---------------------------------------------------------------- the rest of the official client
  // Every public method of @nangohq/node's `Nango` class, under its name and positional
  // arguments, plus the call options. Request builders live in api/*.requests.ts.

  /** Nango's provider catalogue: `GET /providers?search=`. */
  async listProviders(
    queries?: NangoListProvidersQuery,
    options?: NangoCallOptions,
  ): Promise<NangoProviderList> {
    return this.call<NangoProviderList>(listProvidersRequest(queries), options);
  }

  /**
   * One provider of the catalogue: `GET /providers/{provider}`. An unknown provider rejects
   * with {@link NangoProviderNotFoundError}.
   */
  async getProvider(
    params: NangoProviderParams,
    options?: NangoCallOptions,
  ): Promise<NangoProviderResult> {
    return this.call<NangoProviderResult>(providerRequest('getProvider', params), options);
  }

  /** The catalogue's function templates for a provider: `GET /providers/{provider}/templates`. */
  async getProviderTemplates(
    params: NangoProviderParams,
    options?: NangoCallOptions,
  ): Promise<NangoProviderTemplates> {
    return this.call<NangoProviderTemplates>(
      providerRequest('getProviderTemplates', params),
      options,
    );
  }

  /** Creates an integration: `POST /integrations`. */
  async createIntegration(
    body: NangoCreateIntegrationInput,
    options?: NangoCallOptions,
  ): Promise<NangoIntegrationChanged> {
    return this.call<NangoIntegrationChanged>(
      createIntegrationRequest('createIntegration', body),
      options,
    );
  }

  /** Creates an integration with Nango's own developer app: `POST /integrations/quickstart`. */
  async createQuickstartIntegration(
    body: NangoQuickstartIntegrationInput,
    options?: NangoCallOptions,
  ): Promise<NangoIntegrationChanged> {
    return this.call<NangoIntegrationChanged>(
      createIntegrationRequest('createQuickstartIntegration', body),
      options,
    );
  }

  /**
   * Changes an integration: `PATCH /integrations/{uniqueKey}`. An unknown key rejects with
   * {@link NangoIntegrationNotFoundError}.
   */
  async updateIntegration(
    params: NangoIntegrationParams,
    body: NangoUpdateIntegrationInput,
    options?: NangoCallOptions,
  ): Promise<NangoIntegrationChanged> {
    return this.call<NangoIntegrationChanged>(updateIntegrationRequest(params, body), options);
  }

  /**
   * Deletes an integration and its connections: `DELETE /integrations/{uniqueKey}`. Resolves
   * with Nango's body (the official client resolves with the axios response).
   */
  async deleteIntegration(
    providerConfigKey: string,
    options?: NangoCallOptions,
  ): Promise<NangoSuccess> {
    return this.call<NangoSuccess>(deleteIntegrationRequest(providerConfigKey), options);
  }

  /** The functions deployed to an integration: `GET /integrations/{uniqueKey}/functions`. */
  async listFunctions(
    params: NangoIntegrationParams,
    queries?: NangoListFunctionsQuery,
    options?: NangoCallOptions,
  ): Promise<NangoFunctionList> {
    return this.call<NangoFunctionList>(listFunctionsRequest(params, queries), options);
  }

  /**
   * One deployed function: `GET /integrations/{uniqueKey}/functions/{name}`. An unknown one
   * rejects with {@link NangoFunctionNotFoundError}.
   */
  async getFunction(
    params: NangoFunctionParams,
    queries?: { type?: NangoFunctionType },
    options?: NangoCallOptions,
  ): Promise<NangoFunctionResult> {
    return this.call<NangoFunctionResult>(functionRequest('getFunction', params, queries), options);
  }

  /** A deployed function's source: `GET /integrations/{uniqueKey}/functions/{name}/code`. */
  async getFunctionCode(
    params: NangoFunctionParams,
    queries?: { type?: NangoFunctionType },
    options?: NangoCallOptions,
  ): Promise<NangoFunctionCode> {
    return this.call<NangoFunctionCode>(
      functionRequest('getFunctionCode', params, queries),
      options,
    );
  }

  /** Deletes a deployed function: `DELETE /integrations/{uniqueKey}/functions/{name}?type=`. */
  async deleteFunction(
    params: NangoFunctionParams,
    queries: { type: 'action' | 'sync' },
    options?: NangoCallOptions,
  ): Promise<NangoFunctionDeleted> {
    return this.call<NangoFunctionDeleted>(
      functionRequest('deleteFunction', params, queries),
      options,
    );
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
    const [githubJwt, callOptions] = flagThenOptions(refreshGithubAppJwtToken, options);
    const connection = await this.fetchConnection(
      'getRawTokenResponse',
      providerConfigKey,
      connectionId,
      forceRefresh,
      false,
      callOptions,
      githubJwt,
    );
    return (connection.credentials as { raw?: unknown }).raw as T;
  }

  /** The environment's scripts: `GET /scripts/config?format=nango` (or `openai`). */
  async getScriptsConfig(
    format?: NangoScriptsConfigFormat,
    options?: NangoCallOptions,
  ): Promise<NangoScriptsConfig[] | NangoOpenAIScriptsConfig> {
    return this.call<NangoScriptsConfig[] | NangoOpenAIScriptsConfig>(
      scriptsConfigRequest(format),
      options,
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
    return this.call<NangoPruneRecordsResult>(pruneRecordsRequest(params), options);
  }

  /** Starts the schedule of syncs, for one connection or all: `POST /sync/start`. */
  async startSync(
    providerConfigKey: string,
    syncs: NangoSyncSelector[],
    connectionId?: string,
    options?: NangoCallOptions,
  ): Promise<NangoSuccess> {
    return this.call<NangoSuccess>(
      syncScheduleRequest('startSync', providerConfigKey, syncs, connectionId),
      options,
    );
  }

  /** Pauses the schedule of syncs, for one connection or all: `POST /sync/pause`. */
  async pauseSync(
    providerConfigKey: string,
    syncs: NangoSyncSelector[],
    connectionId?: string,
    options?: NangoCallOptions,
  ): Promise<NangoSuccess> {
    return this.call<NangoSuccess>(
      syncScheduleRequest('pauseSync', providerConfigKey, syncs, connectionId),
      options,
    );
  }

  /**
   * Overrides how often a sync runs for one connection (`null`: back to the default):
   * `PUT /sync/update-connection-frequency`.
   */
  async updateSyncConnectionFrequency(
    providerConfigKey: string,
    sync: NangoSyncSelector,
    connectionId: string,
    frequency: string | null,
    options?: NangoCallOptions,
  ): Promise<NangoSyncFrequencyResult> {
    return this.call<NangoSyncFrequencyResult>(
      syncFrequencyRequest(providerConfigKey, sync, connectionId, frequency),
      options,
    );
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

  /** Creates a variant of a sync for a connection: `POST /sync/{name}/variant/{variant}`. */
  async createSyncVariant(
    props: NangoSyncVariantInput,
    options?: NangoCallOptions,
  ): Promise<NangoSyncVariant> {
    return this.call<NangoSyncVariant>(syncVariantRequest('createSyncVariant', props), options);
  }

  /** Deletes a variant of a sync: `DELETE /sync/{name}/variant/{variant}`. */
  async deleteSyncVariant(
    props: NangoSyncVariantInput,
    options?: NangoCallOptions,
  ): Promise<NangoSuccess> {
    return this.call<NangoSuccess>(syncVariantRequest('deleteSyncVariant', props), options);
  }

  /** The environment variables set in Nango's dashboard: `GET /environment-variables`. */
  async getEnvironmentVariables(options?: NangoCallOptions): Promise<NangoEnvironmentVariable[]> {
    const variables = await this.call<NangoEnvironmentVariable[] | null | ''>(
      environmentVariablesRequest(),
      options,
    );
    return variables || [];
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
    return this.call<NangoAsyncActionResult>(
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
    return this.call<O>(asyncActionResultRequest(props), options);
  }

  /**
   * Whether a webhook request is Nango's, by the official client's rules: the hex
   * HMAC-SHA256 of the raw `body` in the `X-Nango-Hmac-Sha256` header (any case), under the
   * module's `webhookSigningKey` (any of them during a rotation), else the secret key.
   * Never throws: anything malformed is `false`.
   *
   * @param body the raw HTTP body, exactly as received
   * @param headers the request headers
   */
  verifyIncomingWebhookRequest(body: string | Buffer, headers: Record<string, unknown>): boolean {
    if ((typeof body !== 'string' && !Buffer.isBuffer(body)) || !isRecord(headers)) return false;
    const name = Object.keys(headers).find((key) => key.toLowerCase() === 'x-nango-hmac-sha256');
    const signature = name === undefined ? undefined : headers[name];
    if (typeof signature !== 'string') return false;
    const keys = this.options.webhookSigningKeys ?? [this.options.secretKey];
    return verifyNangoWebhookSignature(body, signature, keys);
  }
  // ---------------------------------------------------------------- end of the rest of the official client

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

  /** Closes the pool and keep-alive sockets to Nango (those the module made) on shutdown. */
  async onModuleDestroy(): Promise<void> {
    await destroyNangoHttpService(this.http);
  }

  /**
   * Sends one request to Nango and turns any failure into a `NangoError`. The single place
   * every call goes through, first attempt and retries alike, all by the module's
   * `HttpService.request()` (see `nangoCall`): override it to add tracing or metrics.
   */
  protected async send<T>(
    config: AxiosRequestConfig,
    context: CallContext,
    callOptions?: NangoCallOptions,
  ): Promise<AxiosResponse<T>> {
    const { timeout, signal, retry } = checkCallOptions(context.operation, callOptions);
    const timeoutMs = timeout ?? this.options.timeout;
    // Only GETs to Nango's own API are retried; Nango retries proxy calls itself (`retries`).
    const policy =
      config.method === 'GET' &&
      context.proxy === undefined &&
      retry !== false &&
      this.options.retry;
    try {
      return await nangoCall<T>(this.http, config, { timeoutMs, signal, retry: policy });
    } catch (error) {
      throw await this.toError(error, context, timeoutMs);
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
    refreshGithubAppJwtToken?: boolean,
  ): Promise<NangoConnection> {
    const id = pathSegment(operation, 'connectionId', connectionId);
    const key = checkId(operation, 'providerConfigKey', providerConfigKey);
    const githubJwt = checkFlag(operation, 'refreshGithubAppJwtToken', refreshGithubAppJwtToken);
    // A refreshed GitHub App JWT is a new token: like a forced refresh, it skips the cache.
    const forceFlag = checkFlag(operation, 'forceRefresh', forceRefresh);
    const force = forceFlag || githubJwt;
    const withRefreshToken = checkFlag(operation, 'refreshToken', refreshToken);
    const { timeout, signal } = checkCallOptions(operation, options);
    // A template rather than URLSearchParams: the one value that needs it is encoded.
    const query = `provider_config_key=${encodeURIComponent(key)}&force_refresh=${forceFlag}&refresh_token=${withRefreshToken}${githubJwt ? '&refresh_github_app_jwt_token=true' : ''}`;
    const context = { operation, providerConfigKey, connectionId };
    const timeoutMs = timeout ?? this.options.timeout;
    const fail = (error: unknown) => this.toError(error, context, timeoutMs);
    if (signal?.aborted) throw await fail(new CanceledError());

    const cache = this.cache();
    const cacheKey = cache?.key(key, connectionId, withRefreshToken);
    // A forced refresh replaces the token: both shared entries go first (so no replica reads
    // the old one once this call returns), alongside the request to Nango.
    let dropped: Promise<void> | undefined;
    // The store read is part of the call: its deadline and signal bound it too.
    const startedAt = Date.now();
    if (cache !== null && cacheKey !== undefined) {
      if (force) dropped = cache.drop(cacheKey, cache.key(key, connectionId, !withRefreshToken));
      else {
        const cached = await cache.read(cacheKey, { timeoutMs, signal });
        if (cached !== undefined) return cached;
        if (signal?.aborted) throw await fail(new CanceledError());
      }
    }
    const remainingMs = Math.max(1, timeoutMs - (Date.now() - startedAt));
    // Concurrent calls with the same arguments share one request. Each caller keeps its own
    // timeout and signal; the shared request gets the longest timeout and stops only when
    // every caller has left.
    const sharedTimeoutMs = Math.max(timeoutMs, this.options.timeout);
    const start = async (onCancel: (cancel: () => void) => void): Promise<NangoConnection> => {
      // The shared request has its own deadline from the start (`send`), and stops when its
      // last caller has left.
      const controller = new AbortController();
      onCancel(() => controller.abort());
      const response = await this.send<NangoConnection>(
        { method: 'GET', url: `/connections/${id}?${query}` },
        context,
        { timeout: sharedTimeoutMs, signal: controller.signal },
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
        `${key}\u0000${connectionId}\u0000${force}\u0000${withRefreshToken}\u0000${githubJwt}`,
        start,
        {
          signal,
          timeoutMs: remainingMs,
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

/** Splits `(flag?, options?)` where the official client has a boolean and this package options. */
function flagThenOptions(
  flagOrOptions: boolean | NangoCallOptions | undefined,
  options: NangoCallOptions | undefined,
): [boolean | undefined, NangoCallOptions | undefined] {
  if (typeof flagOrOptions === 'boolean') return [flagOrOptions, options];
  if (flagOrOptions === undefined) return [undefined, options];
  return [undefined, flagOrOptions];
}
