import { NANGO_CONNECTION_ID_RULE } from '../../api/proxy.requests.js';
import { isWholeNumber } from '../../utils/whole-number.js';

/**
 * Nango's wire bodies, built once: the error bodies (and the messages in them) a real Nango
 * 0.71.4 sends, as recorded in `test/fixtures/real-responses/`, and its timestamp formats. The
 * stand-in's routes and `StandInAnswers` answer with these.
 */

/** An answer of a route: an HTTP status and a JSON body. */
export interface StandInJsonAnswer {
  /** HTTP status. */
  status: number;
  /** The JSON body. */
  body: unknown;
}

/** Whether a value is one of Nango's answers rather than what a check looked for. */
export function isAnswer(value: object): value is StandInJsonAnswer {
  return 'status' in value && typeof value.status === 'number';
}

/** Nango's message for a required field that is missing. */
export const MISSING_INPUT = 'Invalid input: expected string, received undefined';

/** Nango's message for a refresh the provider refused. */
export const REFRESH_FAILED_MESSAGE =
  'The external API returned an error when trying to refresh the access token. Please try again later.';

/** Nango's message while it backs off after a failed refresh. */
export const BACKOFF_MESSAGE = 'A recent refresh attempt failed. Backing off before retrying.';

/** Nango's message for a secret key of no account. */
export const UNKNOWN_ACCOUNT_MESSAGE =
  'Authentication failed. The provided authorization header does not match any account.';

/** Nango's message for a connection it does not have. */
export const CONNECTION_NOT_FOUND_MESSAGE = 'Failed to find connection';

/** Nango's message (sic) for an integration it does not have. */
export const UNKNOWN_INTEGRATION_MESSAGE = 'Provider does not exists';

/** The provider Nango has for APIs without auth and without a base URL. */
export const UNAUTHENTICATED_PROVIDER = 'unauthenticated';

/** The header the stand-in's simulated third-party API sends, as the recordings' echo server did. */
export const UPSTREAM_HEADER = 'x-echo-server';

/** Nango's usual error body: `{ error: { code, message? } }`. */
export function errorBody(code: string, message?: string): unknown {
  return { error: message === undefined ? { code } : { code, message } };
}

/** The body of Nango's error manager: `{ error: { message, code, payload } }`. */
export function managedErrorBody(message: string, code: string, payload: unknown): unknown {
  return { error: { message, code, payload } };
}

/** `generic_error_support`'s message, naming the error's unique id. */
export function genericErrorMessage(id: string): string {
  return `An error occurred. Please contact support with this unique id: "${id}"`;
}

/** The 401 bodies of a missing, malformed and unknown secret key. */
export const AUTH_ERRORS = {
  missing: managedErrorBody(
    'Authentication failed. The request is missing the Authorization header.',
    'missing_auth_header',
    {},
  ),
  badFormat: managedErrorBody(
    'Authentication failed. The provided secret key is not a UUID v4.',
    'invalid_secret_key_format',
    {},
  ),
  unknownAccount: managedErrorBody(UNKNOWN_ACCOUNT_MESSAGE, 'unknown_account', {}),
} as const;

/** A status and an {@link errorBody}. */
export function errorAnswer(status: number, code: string, message?: string): StandInJsonAnswer {
  return { status, body: errorBody(code, message) };
}

/** 404 `not_found` with a message. */
export function notFound(message: string): StandInJsonAnswer {
  return errorAnswer(404, 'not_found', message);
}

/** 400 `unknown_provider_config`: no such integration. */
export function unknownIntegration(): StandInJsonAnswer {
  return errorAnswer(400, 'unknown_provider_config', UNKNOWN_INTEGRATION_MESSAGE);
}

/** `unknown_connection` (400 or 404, depending on the route). */
export function unknownConnection(status = 400): StandInJsonAnswer {
  return errorAnswer(status, 'unknown_connection');
}

/** `records_unknown_connection.json`: `GET /records` for an unknown connection or integration. */
export const RECORDS_UNKNOWN_CONNECTION = errorAnswer(
  400,
  'unknown_connection',
  'Provided ConnectionId and ProviderConfigKey does not match a valid connection',
);

/** `records_bad_cursor.json`: a cursor that does not decode fails inside the records store. */
export const RECORDS_BAD_CURSOR = errorAnswer(500, 'server_error', 'Failed to fetch records');

/** 400 with a list of validation errors: `invalid_query_params`, `invalid_headers`, `invalid_body`. */
export function invalidInput(code: string, errors: unknown[]): StandInJsonAnswer {
  return { status: 400, body: { error: { code, errors } } };
}

/** A validation error: a missing required field. */
export function missingInput(path: string): unknown {
  return { code: 'invalid_type', message: MISSING_INPUT, path: [path] };
}

/** 400 `invalid_body` about one field. */
export function invalidBody(path: string, message = MISSING_INPUT): StandInJsonAnswer {
  return invalidInput('invalid_body', [{ code: 'invalid_type', message, path: [path] }]);
}

/** 400 `invalid_query_params` about one missing field. */
export function missingQueryParam(path: string): StandInJsonAnswer {
  return invalidInput('invalid_query_params', [missingInput(path)]);
}

/** A validation error: query keys the route does not know. */
export function unrecognizedKeys(keys: string[]): unknown {
  const quoted = keys.map((k) => JSON.stringify(k)).join(', ');
  return {
    code: 'unrecognized_keys',
    message: `Unrecognized key${keys.length > 1 ? 's' : ''}: ${quoted}`,
    path: [],
  };
}

/**
 * A whole-number query parameter of at least `min`, or undefined: when absent, or when invalid
 * (then Nango's validation error is added to `errors`).
 */
export function intParam(
  query: Record<string, string>,
  name: string,
  min: number,
  errors: unknown[],
): number | undefined {
  const value = query[name];
  if (value === undefined) return undefined;
  const n = Number(value);
  if (value.trim() === '' || !isWholeNumber(n)) {
    errors.push({
      code: 'invalid_type',
      message: `Invalid input: expected ${Number.isNaN(n) ? 'number, received NaN' : 'int, received number'}`,
      path: [name],
    });
    return undefined;
  }
  if (n < min) {
    errors.push({
      code: 'too_small',
      message: `Too small: expected number to be >=${min}`,
      path: [name],
    });
    return undefined;
  }
  return n;
}

/** A present `Connection-Id` outside Nango's rule (`proxy_invalid_connection_id_format.json`). */
export function invalidConnectionIdFormat(connectionId: string): unknown[] {
  if (NANGO_CONNECTION_ID_RULE.test(connectionId)) return [];
  return [
    {
      code: 'invalid_format',
      message: `Invalid string: must match pattern ${String(NANGO_CONNECTION_ID_RULE)}`,
      path: ['connection-id'],
    },
  ];
}

/** What Nango's `/proxy` answers before (or instead of) calling the third party. */
export const PROXY_REFUSALS = {
  /** `proxy_unknown_provider_config_key.json`: through the proxy an unknown integration is a 404. */
  unknownIntegration: errorAnswer(
    404,
    'unknown_provider_config',
    'Provider config not found for the given provider config key. Please make sure the provider config exists in the Nango dashboard.',
  ),
  /** `proxy_unknown_connection.json`. */
  unknownConnection: errorAnswer(400, 'server_error', 'Failed to get connection'),
  /** `proxy_refresh_failed_first_attempt.json`: the first failed refresh through the proxy. */
  refreshFailed: errorAnswer(
    400,
    'server_error',
    `Failed to get connection credentials: '${REFRESH_FAILED_MESSAGE}'`,
  ),
  /** `proxy_refresh_failed_connection.json`: later, while Nango backs off. */
  refreshBackoff: errorAnswer(424, 'connection_refresh_backoff', BACKOFF_MESSAGE),
  /** `proxy_none_no_base_url_unsupported_provider.json`: no base URL, no `Base-Url-Override`. */
  unsupportedProvider: errorAnswer(400, 'unsupported_provider', 'unsupported_provider'),
} as const;

/** Postgres-style timestamp, as Nango prints `created_at` and friends. */
export function dbTimestamp(ms: number): string {
  return new Date(ms).toISOString().replace('Z', '+00:00');
}

/**
 * Postgres's text form of a timestamp, as `GET /connections` lists `created`: microseconds,
 * trailing zeros cut (`2026-12-01T09:17:13.71762+00:00`, or no fraction at all).
 */
export function postgresTimestamp(ms: number, micros: number): string {
  const iso = new Date(ms).toISOString();
  const fraction = `${iso.slice(20, 23)}${String(micros % 1000).padStart(3, '0')}`.replace(
    /0+$/,
    '',
  );
  return `${iso.slice(0, 19)}${fraction === '' ? '' : `.${fraction}`}+00:00`;
}
