import type { StandInResponse } from './nango-stand-in.js';

/** Nango's error body: `{ error: { code, message } }`. */
function nangoError(code: string, message: string): unknown {
  return { error: { code, message } };
}

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
      status: 429,
      headers: { 'retry-after': String(retryAfterSeconds) },
      body: nangoError('too_many_request', 'Too many requests'),
    };
  },

  /** 404 `not_found`: Nango has no such connection (-> `NangoConnectionNotFoundError`). */
  connectionNotFound(): StandInResponse {
    return { status: 404, body: nangoError('not_found', 'Failed to find connection') };
  },

  /** 400 `unknown_provider_config`: no such integration (-> `NangoIntegrationNotFoundError`). */
  integrationNotFound(): StandInResponse {
    return { status: 400, body: nangoError('unknown_provider_config', 'Provider does not exists') };
  },

  /**
   * 400 `invalid_credentials`: Nango tried to refresh the token and the provider refused
   * (-> `NangoReconnectRequiredError`). Seeding `refresh: 'fail'` with an expired token does
   * the same through the built-in routes.
   */
  refreshFailed(): StandInResponse {
    return {
      status: 400,
      body: nangoError(
        'invalid_credentials',
        'The external API returned an error when trying to refresh the access token. Please try again later.',
      ),
    };
  },

  /** 424 while Nango backs off after a failed refresh: the user must reconnect (-> `NangoReconnectRequiredError`). */
  reconnectRequired(): StandInResponse {
    return {
      status: 424,
      body: nangoError(
        'connection_refresh_backoff',
        'A recent refresh attempt failed. Backing off before retrying.',
      ),
    };
  },

  /** 401: the secret key is not this environment's (-> `NangoAuthenticationError`). */
  unauthorized(): StandInResponse {
    return {
      status: 401,
      body: nangoError(
        'unknown_account',
        'Authentication failed. The provided authorization header does not match any account.',
      ),
    };
  },

  /** 500 `generic_error_support`: Nango failed (-> `NangoUnavailableError`). */
  serverError(): StandInResponse {
    return {
      status: 500,
      body: nangoError(
        'generic_error_support',
        'An error occurred. Please contact support with this unique id: "00000000-0000-4000-8000-000000000000"',
      ),
    };
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
