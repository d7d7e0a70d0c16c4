import type { IncomingHttpHeaders } from 'node:http';

/** Wire shape of credentials as Nango sends them. */
export type StandInCredentials = Record<string, unknown> & { type?: string };

/** A connection stored in the stand-in, as a test seeds it. */
export interface StandInConnectionSeed {
  /** The connection id, as the end user's app knows it. Any characters, including `/`. */
  connectionId: string;
  /** The integration (provider config) key; the integration is created if missing. */
  providerConfigKey: string;
  /** The provider name; default: the integration's provider, else `providerConfigKey`. */
  provider?: string;
  /**
   * Credentials as Nango sends them, e.g. `{ type: 'OAUTH2', access_token, refresh_token,
   * expires_at }` (ISO string), `{ type: 'API_KEY', apiKey }`, `{ type: 'OAUTH1', oauth_token,
   * oauth_token_secret }`, `{ type: 'BASIC', username, password }`, `{}` for unauthenticated.
   */
  credentials: StandInCredentials;
  /** Connection metadata; default `{}`. */
  metadata?: Record<string, unknown> | null;
  /** Connection tags; the end user's id and email are added as Nango does. */
  tags?: Record<string, string>;
  /** The end user the connection belongs to; default `null`. */
  endUser?: { id: string; email?: string | null; display_name?: string | null } | null;
  /** Connection config; default `{}`. */
  connectionConfig?: Record<string, unknown>;
  /** OAUTH2 only: what happens when a refresh is needed (expired token or force_refresh). Default 'ok'. */
  refresh?: 'ok' | 'fail';
  /** OAUTH2 only: lifetime in seconds of tokens issued by a refresh. Default 3600. */
  tokenLifetimeSeconds?: number;
}

/** A scripted answer of the stand-in. */
export interface StandInResponse {
  /** HTTP status. */
  status: number;
  /** Extra response headers; they override the stand-in's own (names are case-insensitive). */
  headers?: Record<string, string>;
  /** Response body: JSON-serialised unless a string or a Buffer. No body when undefined. */
  body?: unknown;
  /** Answer after this delay, in milliseconds. */
  delayMs?: number;
  /** Never answer: the socket stays open until `close()` or until the client aborts. */
  hang?: boolean;
  /** Destroy the socket without answering (connection reset). */
  reset?: boolean;
}

/** A scripted rule: requests it matches get its answer instead of the built-in one. */
export interface StandInRule {
  /** HTTP method to match (case-insensitive); default any. */
  method?: string;
  /** Matched against the raw pathname (no query string), e.g. '/connections/abc' or /^\/proxy\//. */
  path: string | RegExp;
  /** How many matching requests it answers; default unlimited. */
  times?: number;
  /** The answer, or a function computing it from the recorded request. */
  respond: StandInResponse | ((req: RecordedRequest) => StandInResponse | Promise<StandInResponse>);
}

/** A request as the stand-in received it. */
export interface RecordedRequest {
  /** HTTP method, upper case as sent. */
  method: string;
  /** Raw request URL: path + query exactly as received. */
  url: string;
  /** Raw pathname, still percent-encoded. */
  pathname: string;
  /** Decoded query parameters (last value wins). */
  query: Record<string, string>;
  /** Request headers (names lower case). */
  headers: IncomingHttpHeaders;
  /** Raw body text ('' if none). */
  body: string;
}

/** A call Nango's proxy makes to the third-party API, as the stand-in's `upstream` gets it. */
export interface StandInUpstreamRequest {
  /** HTTP method. */
  method: string;
  /** Path and query on the third-party API (after `Base-Url-Override`'s path, if any). */
  url: string;
  /**
   * Headers Nango sends upstream: `authorization` built from the connection's credentials, and
   * the caller's `Nango-Proxy-*` headers unprefixed (names lower case).
   */
  headers: Record<string, string>;
  /** Raw request body ('' if none). */
  body: string;
  /** The integration key of the call. */
  providerConfigKey: string;
  /** The connection id of the call. */
  connectionId: string;
}

/**
 * The third-party API behind the stand-in's proxy: called once Nango's own checks passed (auth,
 * headers, integration, connection, refresh), it answers instead of the built-in echo (return
 * `undefined` to fall back to it). The stand-in passes its answer on as Nango does: a 2xx keeps
 * only the third party's `content-type`, an error keeps its headers with Nango's `content-type`.
 *
 * @example
 * const standIn = await NangoStandIn.start({
 *   connections,
 *   upstream: (req) => (req.url === '/user' ? { status: 200, body: { login: req.connectionId } } : undefined),
 * });
 */
export type StandInUpstream = (
  request: StandInUpstreamRequest,
) => StandInResponse | undefined | Promise<StandInResponse | undefined>;

/** Options of {@link NangoStandIn.start}. */
export interface NangoStandInOptions {
  /** The secret key clients must send as `Bearer <key>`; default: a random UUID v4. */
  secretKey?: string;
  /** Connections seeded at start. */
  connections?: StandInConnectionSeed[];
  /** Random extra delay per answer, in ms: [min, max]. Default none. */
  latencyMs?: [number, number];
  /** The third-party API behind the proxy; default: the echo (see {@link StandInUpstream}). */
  upstream?: StandInUpstream;
  /**
   * Where `sync()` posts webhooks, and the signing key (default: the secret key); also settable
   * later with `setWebhookTarget()`.
   */
  webhooks?: { url: string; signingKey?: string };
}

/** A synced record seeded in the stand-in: any object with a string `id`. */
export type StandInRecordSeed = Record<string, unknown> & { id: string };

/** Records of a model for one connection, as `listRecords()` will page through them. */
export interface StandInRecordsSeed {
  providerConfigKey: string;
  connectionId: string;
  model: string;
  /** The sync variant; default `base`. */
  variant?: string;
  records: StandInRecordSeed[];
}

/**
 * An action of the stand-in: computes the action's output from its input. Throwing makes the
 * stand-in answer as Nango does when an action fails (500 `action_script_failure`).
 */
export type StandInAction = (input: unknown, connectionId: string) => unknown;

/** A provider of the stand-in's catalogue (`addProvider()`). */
export interface StandInProviderSeed {
  name: string;
  display_name?: string;
  auth_mode?: string;
  /** Function templates `getProviderTemplates()` lists. */
  templates?: Array<Record<string, unknown> & { name: string; type: string }>;
  /** Any other field of the provider. */
  [field: string]: unknown;
}

/** A function deployed to an integration (`addFunction()`); syncs and actions are listed too. */
export interface StandInFunctionSeed {
  name: string;
  type: 'action' | 'sync' | 'on-event';
  /** Its source, for `getFunctionCode()`. */
  code?: string;
  /** Any other field Nango lists. */
  [field: string]: unknown;
}
