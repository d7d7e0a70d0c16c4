import type { StandInResponse } from './stand-in/stand-in.interfaces.js';
import {
  BACKOFF_MESSAGE,
  CONNECTION_NOT_FOUND_MESSAGE,
  REFRESH_FAILED_MESSAGE,
  UNKNOWN_ACCOUNT_MESSAGE,
  UNKNOWN_INTEGRATION_MESSAGE,
  errorAnswer,
  genericErrorMessage,
} from './stand-in/stand-in.wire.js';

/**
 * Ready-made answers for {@link NangoStandIn.script}, in the shapes a real Nango sends, so a
 * test can say what happens without writing Nango's error bodies by hand. Each returns a new
 * object; spread it to add `delayMs` or headers.
 *
 * @example
 * standIn.script({ path: '/connections/u1', times: 1, respond: StandInAnswers.rateLimited(5) });
 * standIn.script({ path: '/proxy/user', respond: StandInAnswers.upstream(404, { message: 'Not Found' }) });
 * standIn.script({ path: /^\/proxy\//, respond: StandInAnswers.slow(2000, StandInAnswers.json({ ok: true })) });
 */
export const StandInAnswers = {
  /** Nango's rate limit: 429 with `Retry-After` in seconds (-> `NangoRateLimitError.retryAfter`). */
  rateLimited(retryAfterSeconds = 1): StandInResponse {
    return {
      ...errorAnswer(429, 'too_many_request', 'Too many requests'),
      headers: { 'retry-after': String(retryAfterSeconds) },
    };
  },

  /** 404 `not_found`: Nango has no such connection (-> `NangoConnectionNotFoundError`). */
  connectionNotFound(): StandInResponse {
    return errorAnswer(404, 'not_found', CONNECTION_NOT_FOUND_MESSAGE);
  },

  /** 400 `unknown_provider_config`: no such integration (-> `NangoIntegrationNotFoundError`). */
  integrationNotFound(): StandInResponse {
    return errorAnswer(400, 'unknown_provider_config', UNKNOWN_INTEGRATION_MESSAGE);
  },

  /**
   * 400 `invalid_credentials`: Nango tried to refresh the token and the provider refused
   * (-> `NangoReconnectRequiredError`). Seeding `refresh: 'fail'` with an expired token does
   * the same through the built-in routes.
   */
  refreshFailed(): StandInResponse {
    return errorAnswer(400, 'invalid_credentials', REFRESH_FAILED_MESSAGE);
  },

  /** 424 while Nango backs off after a failed refresh: the user must reconnect (-> `NangoReconnectRequiredError`). */
  reconnectRequired(): StandInResponse {
    return errorAnswer(424, 'connection_refresh_backoff', BACKOFF_MESSAGE);
  },

  /** 401: the secret key is not this environment's (-> `NangoAuthenticationError`). */
  unauthorized(): StandInResponse {
    return errorAnswer(401, 'unknown_account', UNKNOWN_ACCOUNT_MESSAGE);
  },

  /** 500 `generic_error_support`: Nango failed (-> `NangoUnavailableError`). */
  serverError(): StandInResponse {
    return errorAnswer(
      500,
      'generic_error_support',
      genericErrorMessage('00000000-0000-4000-8000-000000000000'),
    );
  },

  /**
   * An answer of the third-party API through the proxy, passed on as is: a success, or an error
   * status (-> `NangoUpstreamError` with this `status`, `data` and `headers`).
   */
  upstream(status: number, body?: unknown, headers?: Record<string, string>): StandInResponse {
    const answer: StandInResponse = { status };
    if (body !== undefined) answer.body = body;
    if (headers !== undefined) answer.headers = headers;
    return answer;
  },

  /** A 200 JSON answer, e.g. of a proxied endpoint. */
  json(body: unknown, status = 200): StandInResponse {
    return { status, body };
  },

  /** `answer`, sent after `delayMs` milliseconds (a slow Nango or third party; -> `NangoTimeoutError` past the timeout). */
  slow(delayMs: number, answer: StandInResponse): StandInResponse {
    return { ...answer, delayMs };
  },

  /** No answer at all, until the client gives up (timeout or `AbortSignal`) or the stand-in closes. */
  hang(): StandInResponse {
    return { status: 200, hang: true };
  },

  /** The connection is reset without an answer (-> `NangoUnavailableError`). */
  reset(): StandInResponse {
    return { status: 200, reset: true };
  },
} as const;
