import { NANGO_CONNECTION_ID_RULE } from '../api/proxy.requests.js';

/**
 * What a real Nango 0.71.4 answers on `/proxy` before (or instead of) calling the third party,
 * as recorded in `test/fixtures/real-responses/proxy_*.json`: the stand-in's proxy sends these.
 */

/** Nango's message for a refresh the provider refused. */
export const REFRESH_FAILED_MESSAGE =
  'The external API returned an error when trying to refresh the access token. Please try again later.';

/** Nango's message while it backs off after a failed refresh. */
export const BACKOFF_MESSAGE = 'A recent refresh attempt failed. Backing off before retrying.';

/** The provider Nango has for APIs without auth and without a base URL. */
export const UNAUTHENTICATED_PROVIDER = 'unauthenticated';

/** A status and a JSON body. */
export interface StandInProxyRefusal {
  /** HTTP status. */
  status: number;
  /** Nango's error body. */
  body: unknown;
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

/** `proxy_unknown_provider_config_key.json`: through the proxy an unknown integration is a 404. */
export const PROXY_UNKNOWN_INTEGRATION: StandInProxyRefusal = {
  status: 404,
  body: {
    error: {
      code: 'unknown_provider_config',
      message:
        'Provider config not found for the given provider config key. Please make sure the provider config exists in the Nango dashboard.',
    },
  },
};

/** `proxy_unknown_connection.json`. */
export const PROXY_UNKNOWN_CONNECTION: StandInProxyRefusal = {
  status: 400,
  body: { error: { code: 'server_error', message: 'Failed to get connection' } },
};

/** `proxy_refresh_failed_first_attempt.json`: the first failed refresh through the proxy. */
export const PROXY_REFRESH_FAILED: StandInProxyRefusal = {
  status: 400,
  body: {
    error: {
      code: 'server_error',
      message: `Failed to get connection credentials: '${REFRESH_FAILED_MESSAGE}'`,
    },
  },
};

/** `proxy_refresh_failed_connection.json`: later, while Nango backs off. */
export const PROXY_REFRESH_BACKOFF: StandInProxyRefusal = {
  status: 424,
  body: { error: { code: 'connection_refresh_backoff', message: BACKOFF_MESSAGE } },
};

/** `proxy_none_no_base_url_unsupported_provider.json`: no base URL, no `Base-Url-Override`. */
export const PROXY_UNSUPPORTED_PROVIDER: StandInProxyRefusal = {
  status: 400,
  body: { error: { code: 'unsupported_provider', message: 'unsupported_provider' } },
};

/** The header the stand-in's simulated third-party API sends, as the recordings' echo server did. */
export const UPSTREAM_HEADER = 'x-echo-server';

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
