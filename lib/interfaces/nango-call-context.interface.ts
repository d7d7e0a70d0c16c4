/**
 * What a call is about, beyond a connection: a 404 of that call means this resource does not
 * exist, and the error names it.
 */
export type NangoResourceRef =
  | { kind: 'provider'; provider: string }
  | { kind: 'integration'; integration: string }
  | { kind: 'function'; integration: string; name: string }
  | { kind: 'asyncAction'; id: string };

/** A proxy call, as error messages name it: its method and its endpoint. */
export interface NangoProxyCall {
  /** The HTTP method, e.g. `GET`. */
  method: string;
  /** The endpoint on the third party's API, e.g. `/user/repos?page=2`. */
  endpoint: string;
}

/** What the service knows about a failed call when it turns the failure into a `NangoError`. */
export interface NangoCallContext {
  /** The `NangoService` method. */
  operation: string;
  providerConfigKey?: string;
  connectionId?: string;
  /** Set for proxy calls: an error answer not in Nango's own shape is the third party's. */
  proxy?: NangoProxyCall;
  /** Set when the call is about a provider, integration or function: a 404 names it. */
  resource?: NangoResourceRef;
  /** The timeout in force, in milliseconds. */
  timeoutMs: number;
  /** Nango's base URL, named in network errors. */
  host: string;
  /** Strings that must never appear in an error (the secret key); replaced by `[redacted]`. */
  secrets: readonly string[];
  /** The named Nango instance making the call; absent for the default instance. */
  instance?: string;
}
