/**
 * How this package reads Nango's error answers: one table, Nango's `error.code` x the route
 * that answered -> the error class thrown, and the HTTP answer `toNangoHttpException()` (and so
 * `NangoTokenInterceptor`) gives for it. Messages are read only where a code alone is
 * ambiguous, and each such row names the recording (in `test/fixtures/real-responses/`,
 * recorded against a real Nango 0.71.4) that shows why.
 */

/** Which Nango route answered: the same code means different things on different routes. */
export type NangoRoute =
  /** `GET` / `DELETE` / `PATCH /connections/{id}` and the metadata routes. */
  | 'connection'
  /** `GET /integrations/{key}`. */
  | 'integration'
  /** `/proxy/*`: Nango's own refusals, or the third party's answer passed on. */
  | 'proxy'
  /** `POST /action/trigger`. */
  | 'action'
  /** Every other route (`GET /connections`, connect sessions, records, syncs, ...). */
  | 'api';

/** What an error answer means, i.e. which error class it becomes. */
export type NangoErrorKind =
  | 'authentication'
  | 'connection_not_found'
  | 'integration_not_found'
  | 'reconnect_required'
  | 'rate_limited'
  | 'invalid_request'
  | 'refused'
  | 'unavailable'
  | 'upstream'
  | 'action_failed'
  | 'timeout'
  | 'aborted';

/**
 * What an answer of Nango's own means (a row's kind): all kinds but the third party's answer
 * through the proxy and the failures without an answer (timeout, cancellation).
 */
export type NangoAnswerKind = Exclude<NangoErrorKind, 'upstream' | 'timeout' | 'aborted'>;

/** One row of {@link NANGO_ERROR_TABLE}. */
export interface NangoErrorRule {
  /** Nango's `error.code`. */
  readonly code: string;
  /** The routes the row applies to; `'*'` for all of them. */
  readonly routes: readonly NangoRoute[] | '*';
  /** Only when Nango's message matches too (where the code alone is ambiguous). */
  readonly message?: RegExp;
  /** What the answer means. */
  readonly kind: NangoAnswerKind;
  /** Recordings of real Nango answers this row reads (file names). */
  readonly recordings: readonly string[];
  /** Why the row reads the message, or where the code comes from when no recording shows it. */
  readonly why?: string;
}

/**
 * The rules, first match wins. A Nango error answer whose code has no row is read by its status
 * (see {@link kindByStatus}). On `/proxy`, an answer is Nango's own only when its body is
 * Nango's error envelope and its code has a row for `proxy`: anything else is the third
 * party's answer passed on (the recordings show no header that tells them apart: Nango's own
 * refusals and passed-on 4xx/5xx both carry Nango's `content-type` and `x-ratelimit-*`).
 */
export const NANGO_ERROR_TABLE: readonly NangoErrorRule[] = [
  {
    code: 'missing_auth_header',
    routes: '*',
    kind: 'authentication',
    recordings: ['auth_missing_authorization_header.json'],
  },
  {
    code: 'invalid_secret_key_format',
    routes: '*',
    kind: 'authentication',
    recordings: ['auth_bad_secret_key_malformed.json', 'auth_non_bearer_header.json'],
  },
  {
    code: 'invalid_secret_key',
    routes: '*',
    kind: 'authentication',
    recordings: [],
    why: "a code of Nango's own client",
  },
  {
    code: 'unknown_account',
    routes: '*',
    kind: 'authentication',
    recordings: ['auth_bad_secret_key_unknown_uuidv4.json', 'proxy_unknown_secret_key.json'],
  },
  {
    code: 'too_many_request',
    routes: '*',
    kind: 'rate_limited',
    recordings: [],
    why: "429, a code of Nango's rate limiter",
  },
  {
    code: 'not_found',
    routes: ['connection'],
    kind: 'connection_not_found',
    recordings: ['connection_get_unknown_connection.json'],
  },
  {
    code: 'not_found',
    routes: ['integration'],
    kind: 'integration_not_found',
    recordings: ['integration_get_unknown.json'],
  },
  {
    code: 'not_found',
    routes: ['api'],
    message: /^Integration\b/,
    kind: 'integration_not_found',
    recordings: ['connection_import_unknown_integration.json'],
    why: 'a body that names both an integration and a connection (POST /connections) is a 404 not_found either way; only the message says it is the integration',
  },
  {
    code: 'unknown_connection',
    routes: '*',
    kind: 'connection_not_found',
    recordings: ['connection_delete_unknown.json'],
  },
  {
    code: 'unknown_provider_config',
    routes: '*',
    kind: 'integration_not_found',
    recordings: [
      'connection_get_unknown_provider_config_key.json',
      'proxy_unknown_provider_config_key.json',
    ],
  },
  {
    code: 'invalid_credentials',
    routes: '*',
    kind: 'reconnect_required',
    recordings: [
      'connection_get_oauth2_refresh_failed.json',
      'connection_get_oauth2_refresh_failed_again.json',
      'connection_get_oauth2_refresh_failed_force_refresh_in_backoff.json',
    ],
  },
  {
    code: 'connection_refresh_backoff',
    routes: '*',
    kind: 'reconnect_required',
    recordings: ['proxy_refresh_failed_connection.json'],
  },
  {
    code: 'connection_refresh_exhausted',
    routes: '*',
    kind: 'reconnect_required',
    recordings: [],
    why: "424, a code of Nango's proxy once refreshes keep failing",
  },
  {
    code: 'server_error',
    routes: ['proxy'],
    message: /^Failed to get connection credentials\b/,
    kind: 'reconnect_required',
    recordings: ['proxy_refresh_failed_first_attempt.json'],
    why: 'the first failed OAuth refresh through the proxy is a 400 server_error whose message quotes the refresh failure; the 424 that follows says the same thing',
  },
  {
    code: 'server_error',
    routes: ['proxy'],
    message: /^Failed to get connection$/,
    kind: 'connection_not_found',
    recordings: ['proxy_unknown_connection.json'],
    why: 'through the proxy an unknown connection is a 400 server_error, told apart from a failed refresh only by its message',
  },
  {
    code: 'invalid_headers',
    routes: '*',
    kind: 'invalid_request',
    recordings: [
      'proxy_invalid_connection_id_format.json',
      'proxy_missing_connection_id.json',
      'proxy_missing_provider_config_key.json',
    ],
  },
  {
    code: 'invalid_query_params',
    routes: '*',
    kind: 'invalid_request',
    recordings: [
      'connection_get_missing_provider_config_key.json',
      'connection_get_unknown_query_param.json',
      'connections_list_bad_query.json',
    ],
  },
  {
    code: 'invalid_uri_params',
    routes: '*',
    kind: 'invalid_request',
    recordings: [],
    why: "Nango's answer to a path id outside its id rule (getConnection.ts in NangoHQ/nango)",
  },
  {
    code: 'invalid_body',
    routes: '*',
    kind: 'invalid_request',
    recordings: ['connection_import_invalid_body.json', 'integration_create_duplicate.json'],
  },
  {
    code: 'unsupported_provider',
    routes: ['proxy'],
    kind: 'refused',
    recordings: ['proxy_none_no_base_url_unsupported_provider.json'],
  },
  {
    code: 'base_url_override_not_allowed',
    routes: ['proxy'],
    kind: 'refused',
    recordings: [
      'unpatched_proxy_base_url_override_loopback.json',
      'unpatched_proxy_provider_base_url_loopback.json',
    ],
  },
  {
    code: 'missing_base_api_url',
    routes: ['proxy'],
    kind: 'refused',
    recordings: [],
    why: "a code of Nango's proxy for an integration without a base URL",
  },
  {
    code: 'resource_capped',
    routes: '*',
    kind: 'refused',
    recordings: [],
    why: "a code of Nango Cloud's plan limits",
  },
  {
    code: 'plan_limit',
    routes: '*',
    kind: 'refused',
    recordings: [],
    why: "a code of Nango Cloud's plan limits",
  },
  {
    code: 'generic_error_support',
    routes: '*',
    kind: 'unavailable',
    recordings: ['unknown_route.json'],
  },
  {
    code: 'server_error',
    routes: '*',
    kind: 'unavailable',
    recordings: [],
    why: 'Nango failed (e.g. 500 "Failed to refresh or test credentials")',
  },
];

/** The first row for a code on a route whose message (if the row reads it) matches. */
export function findNangoErrorRule(
  code: string,
  route: NangoRoute,
  message: string | undefined,
): NangoErrorRule | undefined {
  return NANGO_ERROR_TABLE.find(
    (rule) =>
      rule.code === code &&
      (rule.routes === '*' || rule.routes.includes(route)) &&
      (rule.message === undefined || rule.message.test(message ?? '')),
  );
}

/**
 * What an error answer without a row means, by its status: 401 authentication, 424 reconnect,
 * 429 rate limit, 404 "not found" (of the connection, else of the integration, that the call
 * names), 5xx Nango unavailable, any other status a refusal.
 */
export function kindByStatus(
  status: number,
  names: { providerConfigKey?: string; connectionId?: string },
): NangoAnswerKind {
  if (status === 401) return 'authentication';
  if (status === 424) return 'reconnect_required';
  if (status === 429) return 'rate_limited';
  if (status === 404 && names.connectionId !== undefined) return 'connection_not_found';
  if (status === 404 && names.providerConfigKey !== undefined) return 'integration_not_found';
  if (status >= 500) return 'unavailable';
  return 'refused';
}

/**
 * A field of an HTTP answer's body beyond `statusCode`, `error`, `code` and `message`, taken
 * from the error: its integration key and connection id (`ids`), `reconnect: true`, Nango's
 * own `nangoCode`, `retryAfter` (also sent as `Retry-After`), the third party's `upstreamStatus`.
 */
export type NangoAnswerField = 'ids' | 'reconnect' | 'nangoCode' | 'retryAfter' | 'upstreamStatus';

/** The HTTP answer of an error kind. */
export interface NangoHttpAnswer {
  /** HTTP status. */
  readonly status: number;
  /** The stable `code` of the body. */
  readonly code: string;
  /** The message of the body: for the API's caller, nothing secret. */
  readonly message: string;
  /** The body's other fields, in this order; none when absent. */
  readonly fields?: readonly NangoAnswerField[];
}

/**
 * The HTTP answer of each kind (the second half of the table). `invalid_request` is a 400
 * only when Nango named a connection id or integration key (taken from the request by the
 * interceptor); a refusal of anything else is this server's fault, a 502. Our own secret key
 * refused is a 500 without detail: nothing the caller can fix.
 */
export const NANGO_HTTP_ANSWERS: Readonly<Record<NangoErrorKind, NangoHttpAnswer>> = {
  authentication: { status: 500, code: 'internal_error', message: 'Internal server error' },
  connection_not_found: {
    status: 404,
    code: 'connection_not_found',
    message: 'No such Nango connection for this integration.',
    fields: ['ids'],
  },
  integration_not_found: {
    status: 404,
    code: 'integration_not_found',
    message: 'No such Nango integration.',
    fields: ['ids'],
  },
  reconnect_required: {
    status: 424,
    code: 'reconnect_required',
    message: 'The connection can no longer be refreshed: the end user must reconnect.',
    fields: ['reconnect', 'ids'],
  },
  rate_limited: {
    status: 503,
    code: 'nango_rate_limited',
    message: 'Nango is rate limiting this server; try again later.',
    fields: ['retryAfter'],
  },
  invalid_request: {
    status: 400,
    code: 'invalid_connection',
    message: 'Nango refused the id.',
    fields: ['nangoCode', 'ids'],
  },
  refused: {
    status: 502,
    code: 'nango_error',
    message: 'Nango refused the request.',
    fields: ['nangoCode'],
  },
  unavailable: { status: 502, code: 'nango_unavailable', message: 'Nango is unavailable.' },
  upstream: {
    status: 502,
    code: 'upstream_error',
    message: 'The third-party API answered with an error.',
    fields: ['upstreamStatus'],
  },
  action_failed: { status: 502, code: 'action_failed', message: 'The Nango action failed.' },
  timeout: { status: 504, code: 'nango_timeout', message: 'Nango did not answer in time.' },
  aborted: {
    status: 502,
    code: 'nango_call_aborted',
    message: 'The call to Nango was cancelled before it finished.',
  },
};
