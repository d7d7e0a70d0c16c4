import { NangoError } from './nango.error.js';

/** What a request-time error knows about the call that failed. */
export interface NangoRequestErrorDetails {
  /** The `NangoService` method, e.g. `getToken`. */
  operation: string;
  /** HTTP status Nango (or, for {@link NangoUpstreamError}, the third party) answered. */
  status?: number;
  /** Nango's error code, e.g. `not_found` or `invalid_credentials`. */
  code?: string;
  /** Nango's own error message. */
  nangoMessage?: string;
  /** The integration key the call was about. */
  providerConfigKey?: string;
  /** The connection id the call was about. */
  connectionId?: string;
  /** The underlying cause, with nothing secret in it (never a raw `AxiosError`). */
  cause?: unknown;
  /** The named Nango instance (`forRoot({ name })`) that made the call; absent for the default one. */
  instance?: string;
}

/**
 * A call to Nango failed. Subclasses say why; this class itself covers the answers no subclass
 * names (e.g. `400 invalid_query_params`).
 */
export class NangoRequestError extends NangoError {
  /** The `NangoService` method that failed. */
  readonly operation: string;
  /** HTTP status of the answer, when there was one. */
  readonly status?: number;
  /** Nango's error code, when Nango sent one. */
  readonly code?: string;
  /** Nango's error message, when Nango sent one. */
  readonly nangoMessage?: string;
  /** The integration key the call was about. */
  readonly providerConfigKey?: string;
  /** The connection id the call was about. */
  readonly connectionId?: string;
  /** The named Nango instance that made the call; absent for the default instance. */
  readonly instance?: string;

  constructor(message: string, details: NangoRequestErrorDetails) {
    super(
      details.instance === undefined
        ? message
        : `${message} [Nango instance "${details.instance}"]`,
      details.cause === undefined ? undefined : { cause: details.cause },
    );
    this.operation = details.operation;
    assignDefined(this, 'status', details.status);
    assignDefined(this, 'code', details.code);
    assignDefined(this, 'nangoMessage', details.nangoMessage);
    assignDefined(this, 'providerConfigKey', details.providerConfigKey);
    assignDefined(this, 'connectionId', details.connectionId);
    assignDefined(this, 'instance', details.instance);
  }
}

/**
 * Nango has no such connection for that integration (404 `not_found`, 400 `unknown_connection`;
 * proxy: 400 `server_error` "Failed to get connection").
 */
export class NangoConnectionNotFoundError extends NangoRequestError {}

/** Nango has no integration with that key (`unknown_provider_config`: 400, or 404 through the proxy). */
export class NangoIntegrationNotFoundError extends NangoRequestError {}

/**
 * The connection's credentials can no longer be refreshed: the end user must reconnect
 * (Nango 424, 400 `invalid_credentials` when a refresh fails, or through the proxy 400
 * `server_error` "Failed to get connection credentials: ...").
 */
export class NangoReconnectRequiredError extends NangoRequestError {}

/**
 * Nango refused an input of the request as malformed (400 `invalid_headers`,
 * `invalid_query_params`, `invalid_uri_params` or `invalid_body`): `argument` is the field
 * Nango named (e.g. `connection-id`) and `nangoMessage` Nango's words (e.g. the id rule).
 */
export class NangoInvalidRequestError extends NangoRequestError {
  /** The field Nango named first (its `errors[0].path`, joined with `.`), when it named one. */
  readonly argument?: string;

  constructor(message: string, details: NangoRequestErrorDetails & { argument?: string }) {
    super(message, details);
    assignDefined(this, 'argument', details.argument);
  }
}

/** Nango rejected the secret key (401): wrong key, or a key of another environment. */
export class NangoAuthenticationError extends NangoRequestError {}

/** Nango's rate limit was reached (429). */
export class NangoRateLimitError extends NangoRequestError {
  /** Seconds to wait before trying again, from `Retry-After` (or `x-ratelimit-reset`), when known. */
  readonly retryAfter?: number;

  constructor(message: string, details: NangoRequestErrorDetails & { retryAfter?: number }) {
    super(message, details);
    assignDefined(this, 'retryAfter', details.retryAfter);
  }
}

/** Nango could not be reached, or answered with a server error (5xx). */
export class NangoUnavailableError extends NangoRequestError {}

/** Nango did not answer within the timeout. */
export class NangoTimeoutError extends NangoRequestError {
  /** The timeout that ran out, in milliseconds. */
  readonly timeoutMs: number;

  constructor(message: string, details: NangoRequestErrorDetails & { timeoutMs: number }) {
    super(message, details);
    this.timeoutMs = details.timeoutMs;
  }
}

/** The caller cancelled the call through its `AbortSignal`. */
export class NangoAbortedError extends NangoRequestError {}

/**
 * The third-party API answered an error status through Nango's proxy: `status` is the third
 * party's, and `data` / `headers` hold its answer as Nango passed it on. They are
 * non-enumerable, so logging the error never prints a third party's body.
 */
export class NangoUpstreamError extends NangoRequestError {
  /** The third party's response body. */
  declare readonly data: unknown;
  /** The third party's response headers. */
  declare readonly headers: Record<string, string>;

  constructor(
    message: string,
    details: NangoRequestErrorDetails & { data: unknown; headers: Record<string, string> },
  ) {
    super(message, details);
    Object.defineProperty(this, 'data', { value: details.data, enumerable: false });
    Object.defineProperty(this, 'headers', { value: details.headers, enumerable: false });
  }
}

function assignDefined<T extends object, K extends keyof T>(
  target: T,
  key: K,
  value: T[K] | undefined,
): void {
  if (value !== undefined) {
    (target as Record<K, T[K]>)[key] = value;
  }
}
