import { HttpException } from '@nestjs/common';
import { NangoInvalidArgumentError } from './nango.error.js';
import {
  NangoAuthenticationError,
  NangoConnectionNotFoundError,
  NangoIntegrationNotFoundError,
  NangoRateLimitError,
  NangoReconnectRequiredError,
  NangoRequestError,
  NangoTimeoutError,
  NangoUnavailableError,
} from './nango-request.error.js';

const REASONS: Readonly<Record<number, string>> = {
  400: 'Bad Request',
  401: 'Unauthorized',
  404: 'Not Found',
  424: 'Failed Dependency',
  500: 'Internal Server Error',
  502: 'Bad Gateway',
  503: 'Service Unavailable',
  504: 'Gateway Timeout',
};

/**
 * The JSON body of a {@link NangoHttpException}, shaped like Nest's own error bodies. It never
 * holds the secret key or a token; integration keys and connection ids are not secret.
 */
export interface NangoHttpExceptionBody {
  /** The HTTP status. */
  statusCode: number;
  /** The status's reason phrase, e.g. `Not Found`. */
  error: string;
  /** What went wrong, for the API's caller. */
  message: string;
  /** A stable code, e.g. `connection_not_found` or `reconnect_required`. */
  code: string;
  /** `true` when the end user must reconnect (authorize again) through Nango Connect. */
  reconnect?: boolean;
  /** The integration key, when the failure is about one. */
  providerConfigKey?: string;
  /** The connection id, when the failure is about one. */
  connectionId?: string;
  /** Seconds to wait before trying again, when known (also sent as `Retry-After`). */
  retryAfter?: number;
}

/**
 * Why a route's Nango credentials could not be had, as an HTTP answer: what
 * `NangoTokenInterceptor` throws (see the status table in the README). Catch it in an
 * exception filter to reshape the answer.
 */
export class NangoHttpException extends HttpException {
  /** Seconds to wait before trying again, when known; the interceptor sends it as `Retry-After`. */
  readonly retryAfter?: number;

  constructor(body: NangoHttpExceptionBody, cause?: unknown) {
    super(body, body.statusCode, cause === undefined ? undefined : { cause });
    if (body.retryAfter !== undefined) this.retryAfter = body.retryAfter;
  }

  /** Builds the exception for a status, a code and a message, plus optional fields. */
  static create(
    statusCode: number,
    code: string,
    message: string,
    extra: Omit<Partial<NangoHttpExceptionBody>, 'statusCode' | 'code' | 'message'> = {},
    cause?: unknown,
  ): NangoHttpException {
    return new NangoHttpException(
      { statusCode, error: REASONS[statusCode] ?? 'Error', message, code, ...extra },
      cause,
    );
  }

  /** The body as sent. */
  override getResponse(): NangoHttpExceptionBody {
    return super.getResponse() as NangoHttpExceptionBody;
  }
}

/** How Nango failures become HTTP answers. */
export interface NangoHttpExceptionOptions {
  /** Status when the end user must reconnect: 424 (default) or 401. */
  reconnectStatus?: 424 | 401;
}

/**
 * Maps a failure of `getToken` / `getConnection` to the HTTP answer the API's caller gets, or
 * returns `undefined` for errors that are not Nango's (let them through unchanged).
 *
 * | error | status |
 * | --- | --- |
 * | `NangoInvalidArgumentError` (a malformed id from the request) | 400 |
 * | `NangoConnectionNotFoundError`, `NangoIntegrationNotFoundError` | 404 |
 * | `NangoReconnectRequiredError` | 424 (or 401), `reconnect: true` |
 * | `NangoAuthenticationError` (our secret key is refused) | 500, no detail |
 * | `NangoUnavailableError` and any other `NangoRequestError` | 502 |
 * | `NangoRateLimitError` | 503, `Retry-After` when known |
 * | `NangoTimeoutError` | 504 |
 */
export function toNangoHttpException(
  error: unknown,
  options: NangoHttpExceptionOptions = {},
): NangoHttpException | undefined {
  if (error instanceof NangoInvalidArgumentError) {
    const problem = error.message.startsWith(`${error.operation}(): `)
      ? error.message.slice(error.operation.length + 4)
      : error.message;
    return NangoHttpException.create(400, 'invalid_connection', problem, {}, error);
  }
  if (!(error instanceof NangoRequestError)) return undefined;
  const ids = {
    ...(error.providerConfigKey === undefined
      ? {}
      : { providerConfigKey: error.providerConfigKey }),
    ...(error.connectionId === undefined ? {} : { connectionId: error.connectionId }),
  };
  if (error instanceof NangoConnectionNotFoundError) {
    return NangoHttpException.create(
      404,
      'connection_not_found',
      'No such Nango connection for this integration.',
      ids,
      error,
    );
  }
  if (error instanceof NangoIntegrationNotFoundError) {
    return NangoHttpException.create(
      404,
      'integration_not_found',
      'No such Nango integration.',
      ids,
      error,
    );
  }
  if (error instanceof NangoReconnectRequiredError) {
    return NangoHttpException.create(
      options.reconnectStatus ?? 424,
      'reconnect_required',
      'The connection can no longer be refreshed: the end user must reconnect.',
      { reconnect: true, ...ids },
      error,
    );
  }
  if (error instanceof NangoAuthenticationError) {
    return NangoHttpException.create(500, 'internal_error', 'Internal server error', {}, error);
  }
  if (error instanceof NangoRateLimitError) {
    return NangoHttpException.create(
      503,
      'nango_rate_limited',
      'Nango is rate limiting this server; try again later.',
      error.retryAfter === undefined ? {} : { retryAfter: error.retryAfter },
      error,
    );
  }
  if (error instanceof NangoTimeoutError) {
    return NangoHttpException.create(
      504,
      'nango_timeout',
      'Nango did not answer in time.',
      {},
      error,
    );
  }
  if (error instanceof NangoUnavailableError) {
    return NangoHttpException.create(502, 'nango_unavailable', 'Nango is unavailable.', {}, error);
  }
  return NangoHttpException.create(
    502,
    'nango_error',
    'Nango could not provide the credentials.',
    {},
    error,
  );
}
