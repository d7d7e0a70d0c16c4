/**
 * The names of this package's spans, span attributes, span events and metrics: a public
 * contract, listed in `docs/observability.md`, stable from one release to the next.
 */
export const NANGO_TELEMETRY = Object.freeze({
  /** The tracer and meter name (the package's version is their version). */
  scope: 'nestjs-nango',
  attributes: Object.freeze({
    /** The `NangoService` method, e.g. `getToken`, `proxy GET`, `listRecords`. */
    operation: 'nango.operation',
    /** The integration key. */
    providerConfigKey: 'nango.provider_config_key',
    /** The connection id, by the `telemetry.connectionId` policy (spans only). */
    connectionId: 'nango.connection_id',
    /** The named Nango instance (`forRoot({ name })`); absent for the default one. */
    instance: 'nango.instance',
    /** What the credential cache gave: `hit`, `miss`, `shared`, `store_timeout`. */
    cacheResult: 'nango.cache.result',
    /** HTTP requests sent to Nango for the call (0 on a cache hit or for a joiner). */
    attempts: 'nango.attempts',
    /** Nango's (or the third party's) error code, when the call failed with one. */
    errorCode: 'nango.error.code',
    /** `ok` or `error` (metrics). */
    outcome: 'nango.outcome',
    /** Why a retry happened: the HTTP status (`503`) or the network error code (`ECONNRESET`). */
    retryReason: 'nango.retry.reason',
    /** Which retry it was: 1 for the first. */
    retryNumber: 'nango.retry.number',
    /** The wait before the retry, in milliseconds. */
    retryWaitMs: 'nango.retry.wait_ms',
    /** The webhook's `type` (`auth`, `sync`, `forward`, ...), once verified. */
    webhookType: 'nango.webhook.type',
    /** The verification verdict of a webhook: `verified` or why not. */
    webhookVerdict: 'nango.webhook.verdict',
    /** `@OnNangoWebhook()` handlers run for the webhook. */
    webhookHandlers: 'nango.webhook.handlers',
    /** Handlers that failed (the route then answers 500 and Nango sends it again). */
    webhookHandlersFailed: 'nango.webhook.handlers_failed',
    /** Records drains: the model, the stream, and what one drain did. */
    recordsModel: 'nango.records.model',
    recordsStream: 'nango.records.stream',
    recordsPages: 'nango.records.pages',
    recordsCount: 'nango.records.count',
    recordsCursorAdvanced: 'nango.records.cursor_advanced',
    recordsRetries: 'nango.records.retries',
    /** The OpenTelemetry HTTP client conventions this package follows. */
    httpMethod: 'http.request.method',
    httpStatus: 'http.response.status_code',
    serverAddress: 'server.address',
    serverPort: 'server.port',
    errorType: 'error.type',
  }),
  events: Object.freeze({
    /** A retry of a GET to Nango's API, with its reason, number and wait. */
    retry: 'nango.retry',
  }),
  metrics: Object.freeze({
    /** Histogram, seconds: each `NangoService` call, by operation, integration and outcome. */
    operationDuration: 'nango.client.operation.duration',
    /** Counter: credential cache lookups, by result. */
    cacheLookups: 'nango.cache.lookups',
    /** Counter: retries of calls to Nango, by operation, integration and reason. */
    retries: 'nango.retries',
    /** Counter: webhooks received, by type and verdict. */
    webhooksReceived: 'nango.webhooks.received',
    /** Counter: calls that failed because the connection must be re-authorized (424), by integration. */
    reconnectRequired: 'nango.connection.reconnect_required',
    /** Counter: records handed to the app by records drains, by integration and model. */
    recordsDelivered: 'nango.records.delivered',
    /** Histogram, seconds: from the sync webhook to the page committed, by integration and model. */
    recordsLag: 'nango.records.lag',
  }),
});

/** What the credential cache gave a credential fetch (`nango.cache.result`). */
export type NangoCacheResult = 'hit' | 'miss' | 'shared' | 'store_timeout';

/** Why a webhook was or was not let through (`nango.webhook.verdict`). */
export type NangoWebhookVerdict =
  'verified' | 'missing_raw_body' | 'missing_signature' | 'invalid_signature' | 'invalid_body';
