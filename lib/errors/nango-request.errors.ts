import { NangoError } from './nango.error.js';
import { scrub } from '../utils/scrub.js';
import { assignDefined } from '../utils/defined-fields.js';
import { ids, proxyCall, said } from './nango-request.wording.js';
import type { NangoProxyCall } from '../interfaces/nango-call-context.interface.js';

// The request family: how a call to Nango failed (`NANGO_ERROR_TABLE` maps answers to classes).

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

/** The optional details every request error carries, in the order `toJSON()` shows them. */
const DETAIL_FIELDS = [
  'status',
  'code',
  'nangoMessage',
  'providerConfigKey',
  'connectionId',
  'instance',
] as const;

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
    assignDefined(this, details, DETAIL_FIELDS);
  }

  /** Nango refused the request for a reason no subclass names (the proxy call, if it was one). */
  static refused(details: NangoRequestErrorDetails, proxy?: NangoProxyCall): NangoRequestError {
    const lead =
      proxy === undefined
        ? 'Nango refused the request'
        : `Nango refused the proxy call ${proxyCall(proxy)} itself, no third-party API was called`;
    return new NangoRequestError(`${lead} (${said(details)})${ids(details, ' for')}.`, details);
  }

  /** The call failed in a way that is not an answer of Nango's (`text` says how, scrubbed). */
  static failed(
    details: NangoRequestErrorDetails,
    text: string,
    secrets: readonly string[],
  ): NangoRequestError {
    return new NangoRequestError(scrub(`${details.operation}() failed: ${text}`, secrets), details);
  }

  /** Nango answered 2xx with something Nango never sends (`what`): the host is likely not Nango. */
  static unexpectedAnswer(details: NangoRequestErrorDetails, what: string): NangoRequestError {
    return new NangoRequestError(
      `Nango answered ${details.operation}() with ${what}; is the host a Nango API?`,
      details,
    );
  }
}

/**
 * Nango has no such connection for that integration (404 `not_found`, 400 `unknown_connection`;
 * proxy: 400 `server_error` "Failed to get connection").
 */
export class NangoConnectionNotFoundError extends NangoRequestError {
  /** Builds the error for the call's connection and Nango's answer. */
  static create(details: NangoRequestErrorDetails): NangoConnectionNotFoundError {
    return new NangoConnectionNotFoundError(
      `Nango has no connection "${details.connectionId}" for integration "${details.providerConfigKey}" (${said(details)}).`,
      details,
    );
  }
}

/** Nango has no integration with that key (`unknown_provider_config`: 400, or 404 through the proxy). */
export class NangoIntegrationNotFoundError extends NangoRequestError {
  /** Builds the error for the call's integration key and Nango's answer. */
  static create(details: NangoRequestErrorDetails): NangoIntegrationNotFoundError {
    return new NangoIntegrationNotFoundError(
      `Nango has no integration "${details.providerConfigKey}" (${said(details)}).`,
      details,
    );
  }
}

/**
 * The connection's credentials can no longer be refreshed: the end user must reconnect
 * (Nango 424, 400 `invalid_credentials` when a refresh fails, or through the proxy 400
 * `server_error` "Failed to get connection credentials: ...").
 */
export class NangoReconnectRequiredError extends NangoRequestError {
  /** Builds the error for the call's connection, saying its end user must reconnect it. */
  static create(details: NangoRequestErrorDetails): NangoReconnectRequiredError {
    return new NangoReconnectRequiredError(
      `Connection "${details.connectionId}" of integration "${details.providerConfigKey}" must be reconnected by its end user: Nango could not refresh its credentials (${said(details)}).`,
      details,
    );
  }
}

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
    assignDefined(this, details, ['argument']);
  }

  /** Builds the error naming the field Nango refused, when it named one. */
  static create(
    details: NangoRequestErrorDetails & { argument?: string },
  ): NangoInvalidRequestError {
    const what = details.argument === undefined ? 'the request' : `"${details.argument}"`;
    return new NangoInvalidRequestError(
      `Nango refused ${what} as invalid (${said(details)})${ids(details, ' for')}.`,
      details,
    );
  }
}

/** Nango rejected the secret key (401): wrong key, or a key of another environment. */
export class NangoAuthenticationError extends NangoRequestError {
  /** Builds the error, saying to check the secret key against the Nango at `host`. */
  static create(details: NangoRequestErrorDetails, host: string): NangoAuthenticationError {
    return new NangoAuthenticationError(
      `Nango rejected the secret key (${said(details)}). Check secretKey/apiKey: it must be the secret key of the Nango environment at ${host}.`,
      details,
    );
  }
}

/** Nango's rate limit was reached (429). */
export class NangoRateLimitError extends NangoRequestError {
  /** Seconds to wait before trying again, from `Retry-After` (or `x-ratelimit-reset`), when known. */
  readonly retryAfter?: number;

  constructor(message: string, details: NangoRequestErrorDetails & { retryAfter?: number }) {
    super(message, details);
    assignDefined(this, details, ['retryAfter']);
  }

  /** Builds the error, saying to retry later. */
  static create(details: NangoRequestErrorDetails & { retryAfter?: number }): NangoRateLimitError {
    return new NangoRateLimitError(
      `Nango's rate limit was reached (${said(details)})${ids(details, ' for')}; retry later.`,
      details,
    );
  }
}

/** Nango could not be reached, or answered with a server error (5xx). */
export class NangoUnavailableError extends NangoRequestError {
  /** Builds the error for a server error Nango answered. */
  static create(details: NangoRequestErrorDetails): NangoUnavailableError {
    return new NangoUnavailableError(
      `Nango answered with a server error (${said(details)}).`,
      details,
    );
  }

  /** Builds the error for a Nango at `host` that did not answer at all (`details.code`: why). */
  static unreachable(details: NangoRequestErrorDetails, host: string): NangoUnavailableError {
    return new NangoUnavailableError(
      `Nango could not be reached at ${host} (${details.operation}${ids(details)}: ${details.code}).`,
      details,
    );
  }
}

/** Nango did not answer within the timeout. */
export class NangoTimeoutError extends NangoRequestError {
  /** The timeout that ran out, in milliseconds. */
  readonly timeoutMs: number;

  constructor(message: string, details: NangoRequestErrorDetails & { timeoutMs: number }) {
    super(message, details);
    this.timeoutMs = details.timeoutMs;
  }

  /** Builds the error for a call that ran out of its `timeoutMs`. */
  static create(details: NangoRequestErrorDetails & { timeoutMs: number }): NangoTimeoutError {
    return new NangoTimeoutError(
      `Nango did not answer within ${details.timeoutMs} ms (${details.operation}${ids(details)}).`,
      details,
    );
  }

  /** Builds the error for `waitForConnection()` when no connection appeared in `attempts` checks. */
  static noConnectionAppeared(
    details: NangoRequestErrorDetails & { timeoutMs: number },
    userId: string,
    attempts: number,
  ): NangoTimeoutError {
    return new NangoTimeoutError(
      `No connection of integration "${details.providerConfigKey}" for end user "${userId}" appeared after ${attempts} checks (${details.timeoutMs / 1000} s).`,
      details,
    );
  }
}

/** The caller cancelled the call through its `AbortSignal`. */
export class NangoAbortedError extends NangoRequestError {
  /** Builds the error for a call its caller's `AbortSignal` cancelled. */
  static create(details: NangoRequestErrorDetails): NangoAbortedError {
    return new NangoAbortedError(
      `${details.operation}() was cancelled by its AbortSignal${ids(details)}.`,
      details,
    );
  }

  /** Builds the error for a `waitForConnection()` its caller's `AbortSignal` cancelled. */
  static waitCancelled(details: NangoRequestErrorDetails, userId: string): NangoAbortedError {
    return new NangoAbortedError(
      `${details.operation}() was cancelled by its AbortSignal (integration "${details.providerConfigKey}", end user "${userId}").`,
      details,
    );
  }
}

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
    this.hide({ data: details.data, headers: details.headers });
  }

  /** Builds the error for the third party's answer to a proxy call (`secrets` scrubbed out). */
  static create(
    details: NangoRequestErrorDetails & { data: unknown; headers: Record<string, string> },
    proxy: NangoProxyCall,
    secrets: readonly string[],
  ): NangoUpstreamError {
    const message = `The third-party API answered ${details.status} to ${proxyCall(proxy)} through Nango's proxy${ids(details, ' for')}.`;
    return new NangoUpstreamError(scrub(message, secrets), details);
  }
}

/**
 * An action run by `triggerAction()` failed: Nango answered 500 (the action threw) or 424
 * (an API call made by the action failed). `payload` holds what the action reported and
 * `upstream` the third party's answer (424), both non-enumerable, so logging the error never
 * prints them.
 */
export class NangoActionError extends NangoRequestError {
  /** What the action reported (`error.payload`). */
  declare readonly payload: unknown;
  /** The third party's answer when an API call of the action failed (`error.upstream`). */
  declare readonly upstream: unknown;

  constructor(
    message: string,
    details: NangoRequestErrorDetails & { payload: unknown; upstream: unknown },
  ) {
    super(message, details);
    this.hide({ payload: details.payload, upstream: details.upstream });
  }

  /** Builds the error for the action of the call's integration and connection. */
  static create(
    details: NangoRequestErrorDetails & { payload: unknown; upstream: unknown },
  ): NangoActionError {
    return new NangoActionError(
      `The action of integration "${details.providerConfigKey}" for connection "${details.connectionId}" failed (${said(details)}).`,
      details,
    );
  }
}

/** Nango has no provider of that name in its catalogue (404 on `/providers/{provider}`). */
export class NangoProviderNotFoundError extends NangoRequestError {
  /** The provider asked for. */
  readonly provider: string;

  constructor(message: string, details: NangoRequestErrorDetails & { provider: string }) {
    super(message, details);
    this.provider = details.provider;
  }

  /** Builds the error for the provider asked for. */
  static create(
    details: NangoRequestErrorDetails & { provider: string },
  ): NangoProviderNotFoundError {
    return new NangoProviderNotFoundError(
      `Nango has no provider "${details.provider}" (${said(details)}).`,
      details,
    );
  }
}

/** The integration has no deployed function of that name (404 on `/integrations/{key}/functions/{name}`). */
export class NangoFunctionNotFoundError extends NangoRequestError {
  /** The function asked for. */
  readonly functionName: string;

  constructor(message: string, details: NangoRequestErrorDetails & { functionName: string }) {
    super(message, details);
    this.functionName = details.functionName;
  }

  /** Builds the error for the function asked for, of the call's integration. */
  static create(
    details: NangoRequestErrorDetails & { functionName: string },
  ): NangoFunctionNotFoundError {
    return new NangoFunctionNotFoundError(
      `Integration "${details.providerConfigKey}" has no function "${details.functionName}" (${said(details)}).`,
      details,
    );
  }
}

/** An asynchronous action has no result yet: not finished, or no such id (404 on `/action/{id}`). */
export class NangoAsyncActionPendingError extends NangoRequestError {
  /** The action run's id. */
  readonly actionId: string;

  constructor(message: string, details: NangoRequestErrorDetails & { actionId: string }) {
    super(message, details);
    this.actionId = details.actionId;
  }

  /** Builds the error for the action run asked for: ask again later. */
  static create(
    details: NangoRequestErrorDetails & { actionId: string },
  ): NangoAsyncActionPendingError {
    return new NangoAsyncActionPendingError(
      `The asynchronous action "${details.actionId}" has no result yet: still running, or no such id (${said(details)}).`,
      details,
    );
  }
}
