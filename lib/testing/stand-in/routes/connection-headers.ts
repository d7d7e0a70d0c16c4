import type { RecordedRequest } from '../stand-in.interfaces.js';
import { headerValue } from '../stand-in.request.js';
import type { StandInStore, StoredConnection } from '../stand-in.store.js';
import {
  invalidConnectionIdFormat,
  invalidInput,
  missingInput,
  unknownConnection,
  unknownIntegration,
  type StandInJsonAnswer,
} from '../stand-in.wire.js';

/** The `Connection-Id` and `Provider-Config-Key` headers of the proxy, actions and records. */

/** The two headers naming a connection. */
export interface ConnectionHeaders {
  connectionId: string;
  providerConfigKey: string;
}

/**
 * The headers, or Nango's 400 `invalid_headers` when one is missing (or, with `checkFormat`,
 * when the connection id breaks Nango's rule).
 */
export function connectionHeaders(
  req: RecordedRequest,
  checkFormat: boolean,
): ConnectionHeaders | StandInJsonAnswer {
  const connectionId = headerValue(req.headers['connection-id']);
  const providerConfigKey = headerValue(req.headers['provider-config-key']);
  const errors: unknown[] = [];
  if (connectionId === undefined) errors.push(missingInput('connection-id'));
  else if (checkFormat) errors.push(...invalidConnectionIdFormat(connectionId));
  if (providerConfigKey === undefined) errors.push(missingInput('provider-config-key'));
  if (connectionId === undefined || providerConfigKey === undefined || errors.length > 0) {
    return invalidInput('invalid_headers', errors);
  }
  return { connectionId, providerConfigKey };
}

/** The connection the headers name, or Nango's answer when it cannot be found. */
export function connectionFromHeaders(
  req: RecordedRequest,
  store: StandInStore,
): StoredConnection | StandInJsonAnswer {
  const headers = connectionHeaders(req, false);
  if (!('connectionId' in headers)) return headers;
  if (!store.integrations.has(headers.providerConfigKey)) return unknownIntegration();
  return (
    store.connection(headers.providerConfigKey, headers.connectionId) ?? unknownConnection(404)
  );
}
