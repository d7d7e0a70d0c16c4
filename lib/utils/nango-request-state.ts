import type { NangoToken } from '../interfaces/nango-credentials.interface.js';
import type { NangoConnection } from '../interfaces/nango-connection.interface.js';

/**
 * Module-private key under which `NangoTokenInterceptor` stores a request's credentials on the
 * request object itself: never on a shared field, so one request can never see another's.
 */
const NANGO_REQUEST_STATE = Symbol('nestjs-nango:request-state');

/** What the interceptor stores on a request. */
export interface NangoRequestState {
  /** The integration key the credentials belong to. */
  readonly providerConfigKey: string;
  /** The connection id the credentials belong to. */
  readonly connectionId: string;
  /** What `getToken` returns for the connection. */
  readonly token: NangoToken;
  /** The whole connection, when a handler asked for it with `@InjectNangoConnection()`. */
  readonly connection?: NangoConnection;
}

/** Stores a request's credentials (non-enumerable, so logging the request never prints them). */
export function setNangoRequestState(request: object, state: NangoRequestState): void {
  Object.defineProperty(request, NANGO_REQUEST_STATE, {
    value: state,
    enumerable: false,
    configurable: true,
    writable: false,
  });
}

/** The credentials stored on a request, or `undefined` when the interceptor did not run. */
export function getNangoRequestState(request: unknown): NangoRequestState | undefined {
  if (typeof request !== 'object' || request === null) return undefined;
  return (request as { [NANGO_REQUEST_STATE]?: NangoRequestState })[NANGO_REQUEST_STATE];
}
