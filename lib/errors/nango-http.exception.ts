import { HttpException } from '@nestjs/common';
import { NangoInvalidArgumentError } from './nango-misuse.errors.js';
import {
  NANGO_HTTP_ANSWERS,
  type NangoAnswerField,
  type NangoErrorKind,
} from './nango-error-table.js';
import {
  NangoInvalidRequestError,
  NangoRateLimitError,
  NangoRequestError,
} from './nango-request.errors.js';
import { kindOfError } from './nango-error.mapper.js';

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
  /** The third party's status, when its API answered an error through Nango's proxy. */
  upstreamStatus?: number;
  /** Nango's own error code, when Nango refused the request (not secret). */
  nangoCode?: string;
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
 * Maps a Nango failure to the HTTP answer the API's caller gets, or returns `undefined` for
 * errors that are not Nango's (let them through unchanged). The answers are those of
 * `NANGO_HTTP_ANSWERS` in `nango-error-table.ts`:
 *
 * | error | status | `code` |
 * | --- | --- | --- |
 * | `NangoInvalidArgumentError` (a malformed id from the request) | 400 | `invalid_connection` |
 * | `NangoInvalidRequestError` naming an id (Nango refused it) | 400 | `invalid_connection` |
 * | `NangoConnectionNotFoundError` / `NangoIntegrationNotFoundError` | 404 | `connection_not_found` / `integration_not_found` |
 * | `NangoReconnectRequiredError` | 424 (or 401), `reconnect: true` | `reconnect_required` |
 * | `NangoAuthenticationError` (our secret key is refused) | 500, no detail | `internal_error` |
 * | `NangoUpstreamError` (the third party's error through the proxy) | 502, `upstreamStatus` | `upstream_error` |
 * | `NangoActionError` | 502 | `action_failed` |
 * | `NangoUnavailableError` | 502 | `nango_unavailable` |
 * | `NangoAbortedError` | 502 | `nango_call_aborted` |
 * | any other `NangoRequestError` (Nango refused the request) | 502, `nangoCode` | `nango_error` |
 * | `NangoRateLimitError` | 503, `Retry-After` when known | `nango_rate_limited` |
 * | `NangoTimeoutError` | 504 | `nango_timeout` |
 */
export function toNangoHttpException(
  error: unknown,
  options: NangoHttpExceptionOptions = {},
): NangoHttpException | undefined {
  return answerNangoError(error, options)?.exception;
}

/**
 * The whole answer to a Nango failure, as `NangoTokenInterceptor` and `NangoExceptionFilter`
 * give it: the exception of {@link toNangoHttpException}, the headers to send with it and the
 * log line the server writes.
 */
export interface NangoErrorAnswer {
  /** The HTTP answer: its status and body. */
  readonly exception: NangoHttpException;
  /** Headers to send with it: `Retry-After` when Nango said when to try again. */
  readonly headers: Readonly<Record<string, string>>;
  /**
   * How the server logs it: `error` for a server-side failure (5xx), `warn` when the end user
   * must reconnect, nothing for the caller's own mistakes. The message never holds a secret.
   */
  readonly log?: { readonly level: 'error' | 'warn'; readonly message: string };
}

/**
 * The one mapping from a Nango failure to its HTTP answer (status, body, headers, log line), or
 * `undefined` for errors that are not Nango's request failures (let them through unchanged).
 */
export function answerNangoError(
  error: unknown,
  options: NangoHttpExceptionOptions = {},
): NangoErrorAnswer | undefined {
  const exception = exceptionOf(error, options);
  if (exception === undefined) return undefined;
  const message = error instanceof Error ? error.message : String(error);
  const headers: Record<string, string> =
    exception.retryAfter === undefined
      ? {}
      : { 'Retry-After': String(Math.max(0, Math.ceil(exception.retryAfter))) };
  if (exception.getStatus() >= 500) return { exception, headers, log: { level: 'error', message } };
  if (exception.getResponse().reconnect === true) {
    return { exception, headers, log: { level: 'warn', message } };
  }
  return { exception, headers };
}

function exceptionOf(
  error: unknown,
  options: NangoHttpExceptionOptions,
): NangoHttpException | undefined {
  if (error instanceof NangoInvalidArgumentError) {
    const problem = error.message.startsWith(`${error.operation}(): `)
      ? error.message.slice(error.operation.length + 4)
      : error.message;
    return NangoHttpException.create(400, 'invalid_connection', problem, {}, error);
  }
  if (!(error instanceof NangoRequestError)) return undefined;
  const kind = kindOfError(error);
  const answer = NANGO_HTTP_ANSWERS[kind];
  const fields = (answer.fields ?? []).map((field) => FIELD_OF[field](error));
  return NangoHttpException.create(
    kind === 'reconnect_required' ? (options.reconnectStatus ?? answer.status) : answer.status,
    answer.code,
    MESSAGE_OF[kind]?.(error) ?? answer.message,
    Object.assign({}, ...fields) as NangoHttpExceptionExtra,
    error,
  );
}

/** The fields of a body beyond its status, code and message. */
type NangoHttpExceptionExtra = Omit<
  Partial<NangoHttpExceptionBody>,
  'statusCode' | 'code' | 'message'
>;

/** Each optional field of a body, read from the error (nothing when it has no value). */
const FIELD_OF: Readonly<
  Record<NangoAnswerField, (error: NangoRequestError) => NangoHttpExceptionExtra>
> = {
  ids: ({ providerConfigKey, connectionId }) => ({
    ...(providerConfigKey === undefined ? {} : { providerConfigKey }),
    ...(connectionId === undefined ? {} : { connectionId }),
  }),
  reconnect: () => ({ reconnect: true }),
  nangoCode: ({ code }) => (code === undefined ? {} : { nangoCode: code }),
  retryAfter: (error) => {
    const retryAfter = error instanceof NangoRateLimitError ? error.retryAfter : undefined;
    return retryAfter === undefined ? {} : { retryAfter };
  },
  upstreamStatus: ({ status }) => (status === undefined ? {} : { upstreamStatus: status }),
};

/** The kinds whose message says more than the table's: what Nango refused, the third party's status. */
const MESSAGE_OF: Partial<Record<NangoErrorKind, (error: NangoRequestError) => string>> = {
  invalid_request: (error) => {
    const argument = error instanceof NangoInvalidRequestError ? error.argument : undefined;
    const said = error.nangoMessage === undefined ? '' : `: ${error.nangoMessage}`;
    return `Nango refused the ${argument}${said}`;
  },
  upstream: ({ status }) =>
    `The third-party API answered ${status ?? 'with an error'} through Nango's proxy.`,
};
