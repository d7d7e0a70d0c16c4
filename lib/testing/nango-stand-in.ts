import { randomUUID } from 'node:crypto';
import {
  createServer,
  type IncomingHttpHeaders,
  type IncomingMessage,
  type Server,
  type ServerResponse,
} from 'node:http';
import type { AddressInfo } from 'node:net';
import { isRecord } from '../utils/is-record.js';
import {
  BACKOFF_MESSAGE,
  PROXY_REFRESH_BACKOFF,
  PROXY_REFRESH_FAILED,
  PROXY_UNKNOWN_CONNECTION,
  PROXY_UNKNOWN_INTEGRATION,
  PROXY_UNSUPPORTED_PROVIDER,
  REFRESH_FAILED_MESSAGE,
  UNAUTHENTICATED_PROVIDER,
  UPSTREAM_HEADER,
  invalidConnectionIdFormat,
  postgresTimestamp,
  type StandInProxyRefusal,
} from './stand-in-proxy-answers.js';
import {
  passedOnHeaders,
  type StandInUpstream,
  type StandInUpstreamRequest,
} from './stand-in-upstream.js';
import {
  StandInCatalogueRoutes,
  type StandInFunctionSeed,
  type StandInProviderSeed,
} from './stand-in-catalogue.routes.js';
import { StandInSyncRoutes } from './stand-in-sync.routes.js';
import type { StandInHost, StandInJsonAnswer } from './stand-in-routes.shared.js';

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
}

interface WireEndUser {
  id: string;
  display_name: string | null;
  email: string | null;
  tags: null;
  organization: null;
}

interface ConnectionError {
  type: string;
  log_id: string;
}

interface StoredConnection {
  id: number;
  seed: StandInConnectionSeed;
  provider: string;
  credentials: StandInCredentials;
  raw: Record<string, unknown> | undefined;
  endUser: WireEndUser | null;
  tags: Record<string, string>;
  createdAt: string;
  /** `createdAt` as Postgres prints it (microseconds), for `GET /connections`. */
  created: string;
  updatedAt: string;
  lastFetchedAt: string;
  refreshCount: number;
  refreshFailed: boolean;
  errors: ConnectionError[];
}

interface StoredRule {
  rule: StandInRule;
  remaining: number | undefined;
}

interface Outgoing {
  status: number;
  headers: Record<string, string>;
  body?: string | Buffer;
  bytes?: number;
  delayMs?: number;
  hang?: boolean;
  reset?: boolean;
}

type RefreshOutcome = 'ok' | 'failed' | 'backoff';

const JSON_TYPE = 'application/json; charset=utf-8';
const RATE_LIMIT = 200;
const RATE_WINDOW_MS = 60_000;
const CHUNK_SIZE = 64 * 1024;
const CHUNK = Buffer.alloc(CHUNK_SIZE, 0);
for (let i = 0; i < CHUNK_SIZE; i++) CHUNK[i] = i & 0xff;

const UUID_V4 = /^[0-9a-f]{8}-[0-9a-f]{4}-4[0-9a-f]{3}-[89ab][0-9a-f]{3}-[0-9a-f]{12}$/i;

const SECURITY_HEADERS: Readonly<Record<string, string>> = {
  'x-xss-protection': '0',
  'x-content-type-options': 'nosniff',
  'x-download-options': 'noopen',
  'x-frame-options': 'SAMEORIGIN',
  'x-dns-prefetch-control': 'off',
};

const MISSING_INPUT = 'Invalid input: expected string, received undefined';

const GET_CONNECTION_KEYS: ReadonlySet<string> = new Set([
  'provider_config_key',
  'force_refresh',
  'refresh_token',
  'refresh_github_app_jwt_token',
]);

const LIST_CONNECTIONS_KEYS: ReadonlySet<string> = new Set([
  'connectionId',
  'search',
  'endUserId',
  'endUserOrganizationId',
  'integrationId',
  'limit',
  'page',
  'tags',
]);

/** A deep-object tag filter of `GET /connections`: `tags[name]`. */
const TAG_FILTER = /^tags\[([^\]]+)\]$/;

function authError(code: string, message: string): unknown {
  return { error: { message, code, payload: {} } };
}

const MISSING_AUTH = authError(
  'missing_auth_header',
  'Authentication failed. The request is missing the Authorization header.',
);
const BAD_KEY_FORMAT = authError(
  'invalid_secret_key_format',
  'Authentication failed. The provided secret key is not a UUID v4.',
);
const UNKNOWN_ACCOUNT = authError(
  'unknown_account',
  'Authentication failed. The provided authorization header does not match any account.',
);

function connectionKey(providerConfigKey: string, connectionId: string): string {
  return `${providerConfigKey}\u0000${connectionId}`;
}

/** Postgres-style timestamp, as Nango prints `created_at` and friends. */
function dbTimestamp(ms: number): string {
  return new Date(ms).toISOString().replace('Z', '+00:00');
}

function headerValue(value: string | string[] | undefined): string | undefined {
  if (value === undefined) return undefined;
  return Array.isArray(value) ? value.join(', ') : value;
}

function expiryMs(value: unknown): number | undefined {
  if (typeof value === 'string') {
    const ms = Date.parse(value);
    return Number.isNaN(ms) ? undefined : ms;
  }
  if (typeof value === 'number') return value;
  if (value instanceof Date) return value.getTime();
  return undefined;
}

function normaliseCredentials(credentials: StandInCredentials): StandInCredentials {
  const out: StandInCredentials = { ...credentials };
  delete out['raw'];
  const expires = out['expires_at'];
  if (expires instanceof Date) out['expires_at'] = expires.toISOString();
  return out;
}

function parseQuery(search: string): Record<string, string> {
  const query: Record<string, string> = {};
  if (search === '') return query;
  for (const [key, value] of new URLSearchParams(search)) {
    if (key === '__proto__') {
      Object.defineProperty(query, key, {
        value,
        enumerable: true,
        writable: true,
        configurable: true,
      });
    } else {
      query[key] = value;
    }
  }
  return query;
}

function unrecognizedKeys(keys: string[]): unknown {
  const quoted = keys.map((k) => JSON.stringify(k)).join(', ');
  return {
    code: 'unrecognized_keys',
    message: `Unrecognized key${keys.length > 1 ? 's' : ''}: ${quoted}`,
    path: [],
  };
}

function noop(): void {}

// ---------------------------------------------------------------- more of Nango's API: types

/** A synced record seeded in the stand-in: any object with a string `id`. */
export type StandInRecordSeed = Record<string, unknown> & { id: string };

/** Records of a model for one connection, as `listRecords()` will page through them. */
export interface StandInRecordsSeed {
  providerConfigKey: string;
  connectionId: string;
  model: string;
  records: StandInRecordSeed[];
}

/**
 * An action of the stand-in: computes the action's output from its input. Throwing makes the
 * stand-in answer as Nango does when an action fails (500 `action_script_failure`).
 */
export type StandInAction = (input: unknown, connectionId: string) => unknown;

interface StandInRecord {
  data: StandInRecordSeed;
  metadata: Record<string, unknown>;
}

// ---------------------------------------------------------------- end of more of Nango's API: types

/**
 * A stand-in for a Nango server, for tests and benchmarks: a plain `node:http` server on
 * 127.0.0.1 (random port) answering the routes nestjs-nango uses exactly as a real Nango 0.71
 * does (auth errors, connection fetch with OAuth2 refresh, connection list, proxy), with the
 * proxy acting as an echoing third-party API. Scripted rules override any route. It also
 * answers connection delete/patch, metadata, integrations, connect sessions, actions
 * (`addAction()`), records (`seedRecords()`) and syncs (`addSyncs()`), and every other route
 * of the official client: providers (`addProvider()`), integration changes, functions
 * (`addFunction()`), sync start/pause/frequency/variants, record pruning, async action
 * results, environment variables (`setEnvironmentVariables()`) and scripts config.
 *
 * What it does:
 * - checks `Authorization: Bearer <secretKey>` and answers Nango's 401 bodies otherwise;
 * - `GET /connections/{id}?provider_config_key=` with the seeded credentials of any type; an
 *   expired OAUTH2 token (or `force_refresh=true`) is refreshed, unless the seed says
 *   `refresh: 'fail'`: then 400 `invalid_credentials`, then 424 while Nango backs off;
 *   404 `not_found` / 400 `unknown_provider_config` / 400 `invalid_query_params` as Nango does;
 * - `GET /connections` with `connectionId`, `search`, `endUserId`, `integrationId`, `tags[k]`,
 *   `limit`, `page`;
 * - `/proxy/*`: Nango's own refusals as a real Nango answers them (`invalid_headers`, 404
 *   `unknown_provider_config`, 400 `server_error` for an unknown connection and for the first
 *   failed refresh, then 424 `connection_refresh_backoff`, `unsupported_provider` for an
 *   integration of provider `unauthenticated` without `Base-Url-Override`); otherwise it echoes
 *   `{ echo: { method, url, headers, body } }`, where `headers` holds the `Authorization` Nango
 *   would send upstream and the `Nango-Proxy-*` headers unprefixed; `/proxy/status/<code>`
 *   answers that status (an error keeps the third party's `x-echo-server` header, as Nango
 *   does), `/proxy/bytes/<n>` streams n bytes;
 * - {@link NangoStandIn.script} replaces any answer (error bodies, 429 with `Retry-After`,
 *   `delayMs`, `hang`, `reset`; `StandInAnswers` has them ready), and
 *   {@link NangoStandIn.requests} records every request it got.
 *
 * @example
 * const nango = await NangoStandIn.start({ connections: [{ connectionId: 'c1',
 *   providerConfigKey: 'github', credentials: { type: 'API_KEY', apiKey: 'k' } }] });
 * // ... point the client at nango.url with nango.secretKey ...
 * await nango.close();
 */
export class NangoStandIn {
  /** Base URL of the server: `http://127.0.0.1:<port>`. */
  readonly url: string;
  /** The secret key clients must send as `Authorization: Bearer <secretKey>`. */
  readonly secretKey: string;
  /** Every request received, in order. */
  readonly requests: RecordedRequest[] = [];

  private readonly server: Server;
  private readonly latency: [number, number] | undefined;
  private readonly upstream: StandInUpstream | undefined;
  private readonly connections = new Map<string, StoredConnection>();
  private readonly integrations = new Map<string, string>();
  private readonly rules: StoredRule[] = [];
  private readonly timers = new Set<NodeJS.Timeout>();
  private nextId = 0;
  private rateWindowEnd = 0;
  private rateUsed = 0;
  private closing: Promise<void> | undefined;
  // State of the routes in the "more of Nango's API" section.
  private readonly integrationCreatedAt = new Map<string, string>();
  private readonly records = new Map<string, StandInRecord[]>();
  private readonly actions = new Map<string, StandInAction>();
  private readonly syncs = new Map<string, Set<string>>();
  // The routes of the rest of the official client (stand-in-*.routes.ts).
  private readonly catalogueRoutes: StandInCatalogueRoutes;
  private readonly syncRoutes: StandInSyncRoutes;

  private constructor(server: Server, url: string, options: NangoStandInOptions) {
    this.server = server;
    this.url = url;
    this.secretKey = options.secretKey ?? randomUUID();
    this.latency = options.latencyMs;
    this.upstream = options.upstream;
    if (options.connections !== undefined) this.seed(...options.connections);
    const host = this.host();
    this.catalogueRoutes = new StandInCatalogueRoutes(host);
    this.syncRoutes = new StandInSyncRoutes(host);
    server.on('request', (req: IncomingMessage, res: ServerResponse) => this.onRequest(req, res));
  }

  /** Starts a stand-in listening on 127.0.0.1, on a random free port. */
  static async start(options: NangoStandInOptions = {}): Promise<NangoStandIn> {
    const server = createServer();
    await new Promise<void>((resolve, reject) => {
      server.once('error', reject);
      server.listen(0, '127.0.0.1', () => {
        server.off('error', reject);
        resolve();
      });
    });
    const { port } = server.address() as AddressInfo;
    return new NangoStandIn(server, `http://127.0.0.1:${port}`, options);
  }

  /** Forgets the recorded requests. */
  clearRequests(): void {
    this.requests.length = 0;
  }

  /**
   * Adds connections, or replaces those with the same integration key and connection id (a
   * replaced connection keeps its numeric id but loses its refresh history). Their integrations
   * are created when missing.
   */
  seed(...connections: StandInConnectionSeed[]): void {
    const now = Date.now();
    for (const seed of connections) {
      const key = connectionKey(seed.providerConfigKey, seed.connectionId);
      const existing = this.connections.get(key);
      if (!this.integrations.has(seed.providerConfigKey)) {
        this.integrations.set(seed.providerConfigKey, seed.provider ?? seed.providerConfigKey);
      }
      const provider =
        seed.provider ?? this.integrations.get(seed.providerConfigKey) ?? seed.providerConfigKey;
      const endUser: WireEndUser | null =
        seed.endUser === undefined || seed.endUser === null
          ? null
          : {
              id: seed.endUser.id,
              display_name: seed.endUser.display_name ?? null,
              email: seed.endUser.email ?? null,
              tags: null,
              organization: null,
            };
      const tags: Record<string, string> = { ...seed.tags };
      if (endUser !== null) {
        tags['end_user_id'] = endUser.id;
        if (endUser.email !== null) tags['end_user_email'] = endUser.email;
      }
      const createdAt = existing?.createdAt ?? dbTimestamp(now);
      const created =
        existing?.created ?? postgresTimestamp(now, Number(process.hrtime.bigint() % 1000n));
      const rawSeed = seed.credentials['raw'];
      this.connections.set(key, {
        id: existing?.id ?? ++this.nextId,
        seed: { ...seed },
        provider,
        credentials: normaliseCredentials(seed.credentials),
        raw: isRecord(rawSeed) ? { ...rawSeed } : undefined,
        endUser,
        tags,
        createdAt,
        created,
        updatedAt: dbTimestamp(now),
        lastFetchedAt: dbTimestamp(now),
        refreshCount: 0,
        refreshFailed: false,
        errors: [],
      });
    }
  }

  /** The connection as stored now (credentials current), or undefined. */
  connection(providerConfigKey: string, connectionId: string): StandInConnectionSeed | undefined {
    const stored = this.connections.get(connectionKey(providerConfigKey, connectionId));
    if (stored === undefined) return undefined;
    return { ...stored.seed, provider: stored.provider, credentials: { ...stored.credentials } };
  }

  /** Adds an integration (integrations are implied by seeded connections too). */
  addIntegration(key: string, provider?: string): void {
    this.integrations.set(key, provider ?? key);
  }

  // ---------------------------------------------------------------- more of Nango's API: seeding

  /** Seeds the synced records of a model for a connection (replacing earlier ones). */
  seedRecords(seed: StandInRecordsSeed): void {
    const at = dbTimestamp(Date.now());
    this.records.set(
      `${connectionKey(seed.providerConfigKey, seed.connectionId)}\u0000${seed.model}`,
      seed.records.map((data, i) => ({
        data: { ...data },
        metadata: {
          deleted_at: null,
          last_action: 'ADDED',
          first_seen_at: at,
          last_modified_at: at,
          cursor: Buffer.from(`${at}||${i}`).toString('base64'),
          pruned_at: null,
        },
      })),
    );
  }

  /** Adds an action to an integration (created when missing). */
  addAction(providerConfigKey: string, actionName: string, run: StandInAction): void {
    if (!this.integrations.has(providerConfigKey)) this.addIntegration(providerConfigKey);
    this.actions.set(`${providerConfigKey}\u0000${actionName}`, run);
  }

  /** Adds syncs to an integration (created when missing). */
  addSyncs(providerConfigKey: string, ...syncNames: string[]): void {
    if (!this.integrations.has(providerConfigKey)) this.addIntegration(providerConfigKey);
    const set = this.syncs.get(providerConfigKey) ?? new Set<string>();
    for (const name of syncNames) set.add(name);
    this.syncs.set(providerConfigKey, set);
  }

  /** Adds (or replaces) a provider of the catalogue (`github`, `slack`, ... are built in). */
  addProvider(seed: StandInProviderSeed): void {
    this.catalogueRoutes.addProvider(seed);
  }

  /** Adds a deployed function to an integration (its syncs and actions are listed too). */
  addFunction(providerConfigKey: string, seed: StandInFunctionSeed): void {
    this.catalogueRoutes.addFunction(providerConfigKey, seed);
  }

  /** Sets what `GET /environment-variables` answers. */
  setEnvironmentVariables(variables: Array<{ name: string; value: string }>): void {
    this.syncRoutes.setEnvironmentVariables(variables);
  }

  // ---------------------------------------------------------------- end of more of Nango's API: seeding

  /**
   * Scripted answers; checked before the built-in routes (after auth), newest rule first.
   * Returns a function removing the rule.
   */
  script(rule: StandInRule): () => void {
    const stored: StoredRule = { rule, remaining: rule.times };
    if (stored.remaining !== undefined && stored.remaining <= 0) return noop;
    this.rules.push(stored);
    return () => this.removeRule(stored);
  }

  /** Number of requests matching method/path (path string = exact raw pathname, or RegExp). */
  count(match: { method?: string; path: string | RegExp }): number {
    let n = 0;
    for (const req of this.requests) {
      if (matches(match.method, match.path, req.method, req.pathname)) n++;
    }
    return n;
  }

  /** Number of client connections open now (to check that a client left no socket behind). */
  openConnections(): Promise<number> {
    return new Promise((resolve, reject) =>
      this.server.getConnections((error, count) => (error ? reject(error) : resolve(count))),
    );
  }

  /** Stops listening and destroys every open socket (hung ones included). Idempotent. */
  close(): Promise<void> {
    if (this.closing !== undefined) return this.closing;
    this.closing = new Promise<void>((resolve) => {
      this.server.close(() => resolve());
      this.server.closeAllConnections();
    });
    for (const timer of this.timers) clearTimeout(timer);
    this.timers.clear();
    this.rules.length = 0;
    return this.closing;
  }

  // ---------------------------------------------------------------- request pipeline

  private onRequest(req: IncomingMessage, res: ServerResponse): void {
    req.on('error', noop);
    res.on('error', noop);
    const chunks: Buffer[] = [];
    req.on('data', (chunk: Buffer) => chunks.push(chunk));
    req.on('end', () => {
      const body =
        chunks.length === 0
          ? ''
          : chunks.length === 1
            ? (chunks[0] as Buffer).toString('utf8')
            : Buffer.concat(chunks).toString('utf8');
      this.dispatch(req, res, body);
    });
  }

  private dispatch(req: IncomingMessage, res: ServerResponse, body: string): void {
    const url = req.url ?? '/';
    const q = url.indexOf('?');
    const pathname = q === -1 ? url : url.slice(0, q);
    const recorded: RecordedRequest = {
      method: req.method ?? 'GET',
      url,
      pathname,
      query: parseQuery(q === -1 ? '' : url.slice(q + 1)),
      headers: req.headers,
      body,
    };
    this.requests.push(recorded);

    const authFailure = this.checkAuth(req.headers.authorization);
    if (authFailure !== undefined) {
      this.send(res, this.json(401, authFailure, false));
      return;
    }

    const rule = this.takeRule(recorded.method, pathname);
    if (rule !== undefined) {
      const { respond } = rule;
      if (typeof respond !== 'function') {
        this.send(res, this.scripted(respond));
        return;
      }
      let answer: StandInResponse | Promise<StandInResponse>;
      try {
        answer = respond(recorded);
      } catch {
        this.send(res, this.genericError());
        return;
      }
      if (answer instanceof Promise) {
        answer.then(
          (a) => this.send(res, this.scripted(a)),
          () => this.send(res, this.genericError()),
        );
      } else {
        this.send(res, this.scripted(answer));
      }
      return;
    }

    const out = this.route(recorded);
    if (out instanceof Promise) {
      out.then(
        (o) => this.send(res, o),
        () => this.send(res, this.genericError()),
      );
    } else {
      this.send(res, out);
    }
  }

  private checkAuth(header: string | undefined): unknown {
    if (header === undefined || header === '') return MISSING_AUTH;
    if (!header.startsWith('Bearer ')) return BAD_KEY_FORMAT;
    const token = header.slice(7).trim();
    if (token === this.secretKey) return undefined;
    return UUID_V4.test(token) ? UNKNOWN_ACCOUNT : BAD_KEY_FORMAT;
  }

  private takeRule(method: string, pathname: string): StandInRule | undefined {
    for (let i = this.rules.length - 1; i >= 0; i--) {
      const stored = this.rules[i] as StoredRule;
      if (!matches(stored.rule.method, stored.rule.path, method, pathname)) continue;
      if (stored.remaining !== undefined) {
        stored.remaining--;
        if (stored.remaining <= 0) this.rules.splice(i, 1);
      }
      return stored.rule;
    }
    return undefined;
  }

  private removeRule(stored: StoredRule): void {
    const i = this.rules.indexOf(stored);
    if (i !== -1) this.rules.splice(i, 1);
  }

  private route(req: RecordedRequest): Outgoing | Promise<Outgoing> {
    const { pathname } = req;
    if (pathname === '/proxy' || pathname.startsWith('/proxy/')) return this.proxy(req);
    if (req.method === 'GET') {
      const segments = pathname.split('/');
      const resource = segments[1];
      if (resource === 'connections' || resource === 'connection') {
        const rawId = segments[2];
        if (rawId === undefined || (rawId === '' && segments.length === 3)) {
          return this.listConnections(req);
        }
        if (segments.length === 3) {
          let id: string;
          try {
            id = decodeURIComponent(rawId);
          } catch {
            return this.genericError();
          }
          return this.getConnection(id, req);
        }
      }
    }
    const more = this.routeMore(req);
    if (more !== undefined) return more;
    const extra = this.catalogueRoutes.route(req) ?? this.syncRoutes.route(req);
    if (extra !== undefined) return this.json(extra.status, extra.body);
    return this.genericError();
  }

  /** The view of this stand-in's state the stand-in-*.routes.ts modules work on. */
  private host(): StandInHost {
    return {
      url: this.url,
      integrations: this.integrations,
      integrationWire: (key) => this.integrationWire(key),
      hasConnection: (key, id) => this.connections.has(connectionKey(key, id)),
      dropConnections: (key) => {
        for (const [k, c] of this.connections) {
          if (c.seed.providerConfigKey === key) this.connections.delete(k);
        }
      },
      syncNames: (key) => [...(this.syncs.get(key) ?? [])],
      actionNames: (key) =>
        [...this.actions.keys()]
          .filter((k) => k.startsWith(`${key}\u0000`))
          .map((k) => k.slice(key.length + 1)),
      records: (key, id, model) => this.records.get(`${connectionKey(key, id)}\u0000${model}`),
    };
  }

  // ---------------------------------------------------------------- routes

  private getConnection(connectionId: string, req: RecordedRequest): Outgoing {
    const { query } = req;
    const errors: unknown[] = [];
    const providerConfigKey = query['provider_config_key'];
    if (providerConfigKey === undefined) {
      errors.push({ code: 'invalid_type', message: MISSING_INPUT, path: ['provider_config_key'] });
    }
    const unknown = Object.keys(query).filter((k) => !GET_CONNECTION_KEYS.has(k));
    if (unknown.length > 0) errors.push(unrecognizedKeys(unknown));
    if (providerConfigKey === undefined || errors.length > 0) {
      return this.json(400, { error: { code: 'invalid_query_params', errors } });
    }
    if (!this.integrations.has(providerConfigKey)) {
      return this.json(400, {
        error: { code: 'unknown_provider_config', message: 'Provider does not exists' },
      });
    }
    const stored = this.connections.get(connectionKey(providerConfigKey, connectionId));
    if (stored === undefined) {
      return this.json(404, { error: { code: 'not_found', message: 'Failed to find connection' } });
    }
    const now = Date.now();
    stored.lastFetchedAt = dbTimestamp(now);
    const outcome = this.ensureFresh(stored, query['force_refresh'] === 'true', now);
    if (outcome !== 'ok') {
      const connection = { ...this.wireConnection(stored), credentials: {} };
      return outcome === 'failed'
        ? this.json(400, {
            error: {
              code: 'invalid_credentials',
              message: REFRESH_FAILED_MESSAGE,
              payload: { connection },
            },
          })
        : this.json(424, {
            error: {
              code: 'invalid_credentials',
              message: BACKOFF_MESSAGE,
              payload: { connection },
            },
          });
    }
    return this.json(200, {
      ...this.wireConnection(stored),
      credentials: this.wireCredentials(stored, query['refresh_token'] === 'true'),
    });
  }

  private listConnections(req: RecordedRequest): Outgoing {
    const { query } = req;
    const unknown = Object.keys(query).filter(
      (k) => !LIST_CONNECTIONS_KEYS.has(k) && !TAG_FILTER.test(k),
    );
    // Tag filters arrive as a deep object: tags[name]=value; all must match.
    const tagFilters = Object.entries(query).flatMap(([k, v]) => {
      const name = TAG_FILTER.exec(k)?.[1];
      return name === undefined ? [] : [[name, v] as const];
    });
    const errors: unknown[] = [];
    const limit = this.intParam(query, 'limit', 1, errors);
    const page = this.intParam(query, 'page', 0, errors);
    if (unknown.length > 0) errors.push(unrecognizedKeys(unknown));
    if (errors.length > 0)
      return this.json(400, { error: { code: 'invalid_query_params', errors } });

    const connectionId = query['connectionId'];
    const search = query['search']?.toLowerCase();
    const endUserId = query['endUserId'];
    const orgId = query['endUserOrganizationId'];
    const integrationId = query['integrationId'];
    const all = [...this.connections.values()].reverse();
    const selected = all.filter(
      (c) =>
        (connectionId === undefined || c.seed.connectionId === connectionId) &&
        (search === undefined || c.seed.connectionId.toLowerCase().includes(search)) &&
        (endUserId === undefined || c.endUser?.id === endUserId) &&
        orgId === undefined &&
        (integrationId === undefined ||
          integrationId.split(',').includes(c.seed.providerConfigKey)) &&
        tagFilters.every(([name, value]) => c.tags[name] === value),
    );
    const paged =
      limit === undefined
        ? selected
        : selected.slice((page ?? 0) * limit, ((page ?? 0) + 1) * limit);
    return this.json(200, {
      connections: paged.map((c) => ({
        id: c.id,
        connection_id: c.seed.connectionId,
        provider_config_key: c.seed.providerConfigKey,
        provider: c.provider,
        errors: c.errors,
        end_user: c.endUser,
        tags: c.tags,
        metadata: c.seed.metadata === undefined ? {} : c.seed.metadata,
        created: c.created,
      })),
    });
  }

  private intParam(
    query: Record<string, string>,
    name: string,
    min: number,
    errors: unknown[],
  ): number | undefined {
    const value = query[name];
    if (value === undefined) return undefined;
    const n = Number(value);
    if (value.trim() === '' || !Number.isInteger(n)) {
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

  private proxy(req: RecordedRequest): Outgoing | Promise<Outgoing> {
    const { headers } = req;
    const connectionId = headerValue(headers['connection-id']);
    const providerConfigKey = headerValue(headers['provider-config-key']);
    const errors: unknown[] = [];
    if (connectionId === undefined) {
      errors.push({ code: 'invalid_type', message: MISSING_INPUT, path: ['connection-id'] });
    } else {
      errors.push(...invalidConnectionIdFormat(connectionId));
    }
    if (providerConfigKey === undefined) {
      errors.push({ code: 'invalid_type', message: MISSING_INPUT, path: ['provider-config-key'] });
    }
    if (connectionId === undefined || providerConfigKey === undefined || errors.length > 0) {
      return this.json(400, { error: { code: 'invalid_headers', errors } });
    }
    const provider = this.integrations.get(providerConfigKey);
    if (provider === undefined) return this.refusal(PROXY_UNKNOWN_INTEGRATION);
    const stored = this.connections.get(connectionKey(providerConfigKey, connectionId));
    if (stored === undefined) return this.refusal(PROXY_UNKNOWN_CONNECTION);
    const outcome = this.ensureFresh(stored, false, Date.now());
    if (outcome !== 'ok') {
      return this.refusal(outcome === 'failed' ? PROXY_REFRESH_FAILED : PROXY_REFRESH_BACKOFF);
    }
    const override = headerValue(headers['base-url-override']);
    if (stored.provider === UNAUTHENTICATED_PROVIDER && override === undefined) {
      return this.refusal(PROXY_UNSUPPORTED_PROVIDER);
    }

    let endpoint = req.url.slice('/proxy'.length);
    if (!endpoint.startsWith('/')) endpoint = `/${endpoint}`;
    if (override !== undefined) {
      try {
        const prefix = new URL(override).pathname.replace(/\/+$/, '');
        endpoint = `${prefix}${endpoint}`;
      } catch {
        // Not a URL: no path to prefix.
      }
    }

    const echoHeaders: Record<string, string> = {};
    const authorization = proxyAuthorization(stored.credentials);
    if (authorization !== undefined) echoHeaders['authorization'] = authorization;
    for (const name of Object.keys(headers)) {
      if (name.startsWith('nango-proxy-') && name.length > 'nango-proxy-'.length) {
        const value = headerValue(headers[name]);
        if (value !== undefined) echoHeaders[name.slice('nango-proxy-'.length)] = value;
      }
    }
    if (this.upstream !== undefined) {
      const call: StandInUpstreamRequest = {
        method: req.method,
        url: endpoint,
        headers: echoHeaders,
        body: req.body,
        providerConfigKey,
        connectionId,
      };
      return this.fromUpstream(this.upstream, call, () =>
        this.builtInUpstream(req, endpoint, echoHeaders),
      );
    }
    return this.builtInUpstream(req, endpoint, echoHeaders);
  }

  /** What the default third-party API answers: `/status/<code>`, `/bytes/<n>`, or the echo. */
  private builtInUpstream(
    req: RecordedRequest,
    endpoint: string,
    echoHeaders: Record<string, string>,
  ): Outgoing {
    const endpointPath = req.pathname.slice('/proxy'.length) || '/';
    const status = /^\/status\/(\d{3})$/.exec(endpointPath);
    if (status !== null) {
      const code = Number(status[1]);
      if (code >= 200 && code <= 599) {
        // The third party's answer: on an error Nango keeps its headers (and sets its own
        // content-type); on a 2xx it keeps only the content-type.
        const out = this.json(code, { echo_error: true, status: code });
        if (code >= 400) out.headers[UPSTREAM_HEADER] = 'nango-stand-in';
        return out;
      }
    }
    const bytes = /^\/bytes\/(\d{1,15})$/.exec(endpointPath);
    if (bytes !== null) {
      return {
        status: 200,
        headers: this.baseHeaders(true, 'application/octet-stream'),
        bytes: Number(bytes[1]),
      };
    }

    const out = this.json(200, {
      echo: { method: req.method, url: endpoint, headers: echoHeaders, body: req.body },
    });
    out.headers['content-type'] = 'application/json'; // the third party's, kept by Nango
    return out;
  }

  /** The `upstream` option's answer, passed on as Nango does; the built-in one when it has none. */
  private async fromUpstream(
    upstream: StandInUpstream,
    call: StandInUpstreamRequest,
    fallback: () => Outgoing,
  ): Promise<Outgoing> {
    let answer: StandInResponse | undefined;
    try {
      answer = await upstream(call);
    } catch {
      return this.genericError();
    }
    if (answer === undefined) return fallback();
    const out = this.scripted({
      ...answer,
      headers: passedOnHeaders(answer.status, answer.headers),
    });
    if (answer.status >= 400) out.headers['content-type'] = JSON_TYPE;
    return out;
  }

  private refusal(answer: StandInProxyRefusal): Outgoing {
    return this.json(answer.status, answer.body);
  }

  // ---------------------------------------------------------------- more of Nango's API: routes
  // DELETE/PATCH /connections/{id}, /connections/metadata, /integrations, /connect/sessions,
  // /action/trigger, /records, /sync/trigger, /sync/status; answers shaped as Nango 0.71's.

  private routeMore(req: RecordedRequest): Outgoing | undefined {
    const { method, pathname } = req;
    const segments = pathname.split('/');
    if (pathname === '/connections/metadata' && (method === 'POST' || method === 'PATCH')) {
      return this.metadataRoute(req);
    }
    if (segments[1] === 'connections' && segments.length === 3 && segments[2] !== '') {
      let id: string;
      try {
        id = decodeURIComponent(segments[2] as string);
      } catch {
        return this.genericError();
      }
      if (method === 'DELETE') return this.deleteConnectionRoute(id, req);
      if (method === 'PATCH') return this.patchConnectionRoute(id, req);
    }
    if (method === 'GET' && pathname === '/integrations') return this.listIntegrationsRoute();
    if (method === 'GET' && segments[1] === 'integrations' && segments.length === 3) {
      let key: string;
      try {
        key = decodeURIComponent(segments[2] as string);
      } catch {
        return this.genericError();
      }
      return this.getIntegrationRoute(key, req);
    }
    if (method === 'POST' && pathname === '/connect/sessions') return this.sessionRoute(req, false);
    if (method === 'POST' && pathname === '/connect/sessions/reconnect') {
      return this.sessionRoute(req, true);
    }
    if (method === 'POST' && pathname === '/action/trigger') return this.actionRoute(req);
    if (method === 'GET' && pathname === '/records') return this.recordsRoute(req);
    if (method === 'POST' && pathname === '/sync/trigger') return this.triggerSyncRoute(req);
    if (method === 'GET' && pathname === '/sync/status') return this.syncStatusRoute(req);
    return undefined;
  }

  private jsonBody(req: RecordedRequest): Record<string, unknown> | undefined {
    try {
      const body: unknown = JSON.parse(req.body === '' ? '{}' : req.body);
      return isRecord(body) ? body : undefined;
    } catch {
      return undefined;
    }
  }

  private invalidBody(path: string, message = MISSING_INPUT): Outgoing {
    return this.json(400, {
      error: { code: 'invalid_body', errors: [{ code: 'invalid_type', message, path: [path] }] },
    });
  }

  private unknownConnection(status = 400): Outgoing {
    return this.json(status, { error: { code: 'unknown_connection' } });
  }

  private deleteConnectionRoute(connectionId: string, req: RecordedRequest): Outgoing {
    const key = req.query['provider_config_key'];
    if (key === undefined) {
      return this.json(400, {
        error: {
          code: 'invalid_query_params',
          errors: [{ code: 'invalid_type', message: MISSING_INPUT, path: ['provider_config_key'] }],
        },
      });
    }
    if (!this.connections.delete(connectionKey(key, connectionId))) return this.unknownConnection();
    return this.json(200, { success: true });
  }

  private patchConnectionRoute(connectionId: string, req: RecordedRequest): Outgoing {
    const key = req.query['provider_config_key'];
    const stored =
      key === undefined ? undefined : this.connections.get(connectionKey(key, connectionId));
    if (stored === undefined) return this.unknownConnection(404);
    const body = this.jsonBody(req);
    if (body === undefined) return this.invalidBody('body', 'Invalid input: expected object');
    const tags = body['tags'];
    if (tags !== undefined) {
      if (!isRecord(tags) || Object.values(tags).some((v) => typeof v !== 'string')) {
        return this.invalidBody('tags', 'Invalid input: expected record');
      }
      stored.tags = Object.fromEntries(
        Object.entries(tags).map(([k, v]) => [k.toLowerCase(), v as string]),
      );
    }
    const endUser = body['end_user'];
    if (isRecord(endUser) && typeof endUser['id'] === 'string') {
      stored.endUser = {
        id: endUser['id'],
        display_name: typeof endUser['display_name'] === 'string' ? endUser['display_name'] : null,
        email: typeof endUser['email'] === 'string' ? endUser['email'] : null,
        tags: null,
        organization: null,
      };
    }
    stored.updatedAt = dbTimestamp(Date.now());
    return this.json(200, { success: true });
  }

  private metadataRoute(req: RecordedRequest): Outgoing {
    const body = this.jsonBody(req);
    if (body === undefined) return this.invalidBody('body', 'Invalid input: expected object');
    const key = body['provider_config_key'];
    const ids = body['connection_id'];
    const metadata = body['metadata'];
    if (typeof key !== 'string') return this.invalidBody('provider_config_key');
    if (typeof ids !== 'string' && !Array.isArray(ids)) return this.invalidBody('connection_id');
    if (!isRecord(metadata)) return this.invalidBody('metadata', 'Invalid input: expected record');
    const list = typeof ids === 'string' ? [ids] : ids;
    const stored = list.map((id) =>
      typeof id === 'string' ? this.connections.get(connectionKey(key, id)) : undefined,
    );
    if (stored.some((c) => c === undefined)) return this.unknownConnection(404);
    for (const connection of stored as StoredConnection[]) {
      const current = connection.seed.metadata ?? {};
      connection.seed.metadata =
        req.method === 'POST' ? { ...metadata } : { ...current, ...metadata };
    }
    return this.json(req.method === 'POST' ? 201 : 200, {
      connection_id: ids,
      provider_config_key: key,
      metadata,
    });
  }

  private integrationWire(key: string): Record<string, unknown> {
    let at = this.integrationCreatedAt.get(key);
    if (at === undefined) {
      at = new Date().toISOString();
      this.integrationCreatedAt.set(key, at);
    }
    const provider = this.integrations.get(key) ?? key;
    return {
      unique_key: key,
      provider,
      display_name: provider,
      logo: `${this.url}/images/template-logos/${provider}.svg`,
      forward_webhooks: true,
      created_at: at,
      updated_at: at,
    };
  }

  private listIntegrationsRoute(): Outgoing {
    const keys = [...this.integrations.keys()].sort();
    return this.json(200, { data: keys.map((key) => this.integrationWire(key)) });
  }

  private getIntegrationRoute(key: string, req: RecordedRequest): Outgoing {
    if (!this.integrations.has(key)) {
      return this.json(404, {
        error: { code: 'not_found', message: `Integration "${key}" does not exist` },
      });
    }
    const include = new URLSearchParams(req.url.split('?')[1] ?? '').getAll('include');
    const data = this.integrationWire(key);
    if (include.includes('webhook')) data['webhook_url'] = null;
    if (include.includes('credentials')) {
      data['credentials'] = {
        type: 'OAUTH2',
        client_id: `${key}-client-id`,
        client_secret: `${key}-client-secret`,
        scopes: null,
        webhook_secret: null,
      };
    }
    return this.json(200, { data });
  }

  private sessionRoute(req: RecordedRequest, reconnect: boolean): Outgoing {
    const body = this.jsonBody(req);
    if (body === undefined) return this.invalidBody('body', 'Invalid input: expected object');
    if (reconnect) {
      const id = body['connection_id'];
      const key = body['integration_id'];
      if (typeof id !== 'string') return this.invalidBody('connection_id');
      if (typeof key !== 'string') return this.invalidBody('integration_id');
      if (!this.connections.has(connectionKey(key, id))) return this.unknownConnection();
    } else {
      const allowed = body['allowed_integrations'];
      if (Array.isArray(allowed)) {
        const unknown = allowed.find((k) => typeof k !== 'string' || !this.integrations.has(k));
        if (unknown !== undefined) {
          return this.json(400, {
            error: {
              code: 'invalid_body',
              errors: [
                {
                  code: 'custom',
                  message: `Integration does not exist: ${String(unknown)}`,
                  path: ['allowed_integrations'],
                },
              ],
            },
          });
        }
      }
    }
    const token = `nango_connect_session_${randomUUID().replace(/-/g, '')}${randomUUID().replace(/-/g, '')}`;
    return this.json(201, {
      data: {
        token,
        connect_link: `${this.url}/connect?session_token=${token}`,
        expires_at: new Date(Date.now() + 30 * 60_000).toISOString(),
      },
    });
  }

  private connectionFromHeaders(req: RecordedRequest): StoredConnection | Outgoing {
    const connectionId = headerValue(req.headers['connection-id']);
    const key = headerValue(req.headers['provider-config-key']);
    const errors: unknown[] = [];
    if (connectionId === undefined) {
      errors.push({ code: 'invalid_type', message: MISSING_INPUT, path: ['connection-id'] });
    }
    if (key === undefined) {
      errors.push({ code: 'invalid_type', message: MISSING_INPUT, path: ['provider-config-key'] });
    }
    if (connectionId === undefined || key === undefined) {
      return this.json(400, { error: { code: 'invalid_headers', errors } });
    }
    if (!this.integrations.has(key)) {
      return this.json(400, {
        error: { code: 'unknown_provider_config', message: 'Provider does not exists' },
      });
    }
    return this.connections.get(connectionKey(key, connectionId)) ?? this.unknownConnection(404);
  }

  private actionRoute(req: RecordedRequest): Outgoing {
    const connection = this.connectionFromHeaders(req);
    if (!('seed' in connection)) return connection;
    const body = this.jsonBody(req);
    const name = body?.['action_name'];
    if (typeof name !== 'string') return this.invalidBody('action_name');
    const action = this.actions.get(`${connection.seed.providerConfigKey}\u0000${name}`);
    if (action === undefined) {
      return this.json(400, {
        error: { code: 'unknown_action', message: `Action "${name}" does not exist` },
      });
    }
    let outcome: StandInJsonAnswer;
    try {
      outcome = {
        status: 200,
        body: action(body?.['input'], connection.seed.connectionId) ?? null,
      };
    } catch (error) {
      outcome = {
        status: 500,
        body: {
          error: {
            message: 'Failed to run action',
            code: 'action_script_failure',
            payload: { message: error instanceof Error ? error.message : String(error) },
          },
        },
      };
    }
    if (headerValue(req.headers['x-async']) === 'true') {
      // Run now; `GET /action/{id}` answers its outcome.
      const id = randomUUID();
      this.syncRoutes.rememberAsyncResult(id, outcome);
      return this.json(200, { id, statusUrl: `/action/${id}` });
    }
    return this.json(outcome.status, outcome.body);
  }

  private recordsRoute(req: RecordedRequest): Outgoing {
    const connection = this.connectionFromHeaders(req);
    if (!('seed' in connection)) return connection;
    const { query } = req;
    const errors: unknown[] = [];
    const limit = this.intParam(query, 'limit', 1, errors) ?? 100;
    if (query['model'] === undefined) {
      errors.push({ code: 'invalid_type', message: MISSING_INPUT, path: ['model'] });
    }
    if (errors.length > 0) {
      return this.json(400, { error: { code: 'invalid_query_params', errors } });
    }
    const all =
      this.records.get(
        `${connectionKey(connection.seed.providerConfigKey, connection.seed.connectionId)}\u0000${query['model']}`,
      ) ?? [];
    const ids = new URLSearchParams(req.url.split('?')[1] ?? '').getAll('ids');
    const selected = ids.length === 0 ? all : all.filter((r) => ids.includes(r.data.id));
    const after = query['cursor'];
    const start =
      after === undefined ? 0 : selected.findIndex((r) => r.metadata['cursor'] === after) + 1;
    const page = selected.slice(start, start + limit);
    const last = page[page.length - 1];
    return this.json(200, {
      records: page.map((r) => ({ ...r.data, _nango_metadata: r.metadata })),
      next_cursor:
        last !== undefined && start + limit < selected.length ? last.metadata['cursor'] : null,
    });
  }

  private triggerSyncRoute(req: RecordedRequest): Outgoing {
    const body = this.jsonBody(req);
    if (body === undefined) return this.invalidBody('body', 'Invalid input: expected object');
    const key = body['provider_config_key'];
    if (typeof key !== 'string') return this.invalidBody('provider_config_key');
    if (!this.integrations.has(key)) {
      return this.json(400, {
        error: { code: 'unknown_provider_config', message: 'Provider does not exists' },
      });
    }
    const syncs = body['syncs'];
    if (!Array.isArray(syncs)) return this.invalidBody('syncs', 'Invalid input: expected array');
    const known = this.syncs.get(key) ?? new Set<string>();
    for (const sync of syncs) {
      const name = isRecord(sync) ? sync['name'] : sync;
      if (typeof name !== 'string' || !known.has(name)) {
        return this.json(400, {
          error: { code: 'invalid_body', message: `Sync "${String(name)}" does not exist` },
        });
      }
    }
    const id = body['connection_id'];
    if (typeof id === 'string' && !this.connections.has(connectionKey(key, id))) {
      return this.unknownConnection();
    }
    return this.json(200, { success: true });
  }

  private syncStatusRoute(req: RecordedRequest): Outgoing {
    const { query } = req;
    const key = query['provider_config_key'];
    const names = query['syncs'];
    if (key === undefined || names === undefined) {
      const path = key === undefined ? 'provider_config_key' : 'syncs';
      return this.json(400, {
        error: {
          code: 'invalid_query_params',
          errors: [{ code: 'invalid_type', message: MISSING_INPUT, path: [path] }],
        },
      });
    }
    const known = [...(this.syncs.get(key) ?? [])];
    const wanted = names === '*' ? known : names.split(',').filter((n) => known.includes(n));
    const id = query['connection_id'];
    const connections = [...this.connections.values()].filter(
      (c) => c.seed.providerConfigKey === key && (id === undefined || c.seed.connectionId === id),
    );
    return this.json(200, {
      syncs: connections.flatMap((c) =>
        wanted.map((name) => ({
          id: `${c.id}-${name}`,
          connection_id: c.seed.connectionId,
          name,
          variant: 'base',
          status: 'SUCCESS',
          finishedAt: c.updatedAt,
          nextScheduledSyncAt: null,
          frequency: 'every hour',
          latestResult: {},
          recordCount: {},
          checkpoint: null,
        })),
      ),
    });
  }

  // ---------------------------------------------------------------- end of more of Nango's API: routes

  // ---------------------------------------------------------------- connection state

  private ensureFresh(stored: StoredConnection, force: boolean, now: number): RefreshOutcome {
    const credentials = stored.credentials;
    if (credentials.type !== 'OAUTH2') return 'ok';
    const expires = expiryMs(credentials['expires_at']);
    if (!force && (expires === undefined || expires > now)) return 'ok';
    if (stored.seed.refresh === 'fail') {
      stored.updatedAt = dbTimestamp(now);
      if (stored.refreshFailed && !force) return 'backoff'; // force_refresh skips the backoff
      stored.refreshFailed = true;
      stored.errors = [{ type: 'auth', log_id: `${now}_${randomUUID().slice(0, 8)}` }];
      return 'failed';
    }
    const n = ++stored.refreshCount;
    const lifetime = stored.seed.tokenLifetimeSeconds ?? 3600;
    const accessToken = `${stored.seed.connectionId}-access-${n}`;
    const refreshToken = `${stored.seed.connectionId}-refresh-${n}`;
    stored.credentials = {
      ...credentials,
      access_token: accessToken,
      refresh_token: refreshToken,
      expires_at: new Date(now + lifetime * 1000).toISOString(),
    };
    stored.raw = {
      access_token: accessToken,
      refresh_token: refreshToken,
      token_type: 'Bearer',
      expires_in: lifetime,
    };
    stored.updatedAt = dbTimestamp(now);
    stored.refreshFailed = false;
    stored.errors = [];
    return 'ok';
  }

  private wireConnection(stored: StoredConnection): Record<string, unknown> {
    const { seed } = stored;
    return {
      id: stored.id,
      connection_id: seed.connectionId,
      provider_config_key: seed.providerConfigKey,
      provider: stored.provider,
      errors: stored.errors,
      end_user: stored.endUser,
      tags: stored.tags,
      metadata: seed.metadata === undefined ? {} : seed.metadata,
      connection_config: seed.connectionConfig ?? {},
      webhook_url_override: null,
      created_at: stored.createdAt,
      updated_at: stored.updatedAt,
      last_fetched_at: stored.lastFetchedAt,
    };
  }

  private wireCredentials(stored: StoredConnection, withRefreshToken: boolean): StandInCredentials {
    const credentials: StandInCredentials = { ...stored.credentials };
    if (credentials.type !== 'OAUTH2') return credentials;
    const raw: Record<string, unknown> = { ...(stored.raw ?? stored.credentials) };
    if (!withRefreshToken) {
      delete credentials['refresh_token'];
      delete raw['refresh_token'];
    }
    credentials['raw'] = raw;
    return credentials;
  }

  // ---------------------------------------------------------------- answers

  private baseHeaders(rateLimited: boolean, contentType?: string): Record<string, string> {
    const headers: Record<string, string> = { ...SECURITY_HEADERS };
    if (rateLimited) {
      const now = Date.now();
      if (now >= this.rateWindowEnd) {
        this.rateWindowEnd = now + RATE_WINDOW_MS;
        this.rateUsed = 0;
      }
      this.rateUsed++;
      headers['x-ratelimit-limit'] = String(RATE_LIMIT);
      headers['x-ratelimit-remaining'] = String(Math.max(0, RATE_LIMIT - this.rateUsed));
      headers['x-ratelimit-reset'] = String(Math.ceil(this.rateWindowEnd / 1000));
    }
    if (contentType !== undefined) headers['content-type'] = contentType;
    return headers;
  }

  private json(status: number, body: unknown, rateLimited = true): Outgoing {
    return {
      status,
      headers: this.baseHeaders(rateLimited, JSON_TYPE),
      body: JSON.stringify(body),
    };
  }

  private genericError(): Outgoing {
    const id = randomUUID();
    return this.json(
      500,
      {
        error: {
          message: `An error occurred. Please contact support with this unique id: "${id}"`,
          code: 'generic_error_support',
          payload: id,
        },
      },
      false,
    );
  }

  private scripted(response: StandInResponse): Outgoing {
    let body: string | Buffer | undefined;
    let contentType: string | undefined;
    const value = response.body;
    if (value === undefined) {
      body = undefined;
    } else if (typeof value === 'string') {
      body = value;
      contentType = 'text/plain; charset=utf-8';
    } else if (Buffer.isBuffer(value)) {
      body = value;
      contentType = 'application/octet-stream';
    } else if (value instanceof Uint8Array) {
      body = Buffer.from(value.buffer, value.byteOffset, value.byteLength);
      contentType = 'application/octet-stream';
    } else {
      body = JSON.stringify(value);
      contentType = JSON_TYPE;
    }
    const headers = this.baseHeaders(true, contentType);
    if (response.headers !== undefined) {
      for (const [name, v] of Object.entries(response.headers)) headers[name.toLowerCase()] = v;
    }
    const out: Outgoing = { status: response.status, headers };
    if (body !== undefined) out.body = body;
    if (response.delayMs !== undefined) out.delayMs = response.delayMs;
    if (response.hang === true) out.hang = true;
    if (response.reset === true) out.reset = true;
    return out;
  }

  private send(res: ServerResponse, out: Outgoing): void {
    if (out.hang === true) return; // closeAllConnections() in close() ends it.
    let delay = out.delayMs ?? 0;
    if (this.latency !== undefined) {
      const [min, max] = this.latency;
      delay += min + Math.random() * Math.max(0, max - min);
    }
    if (delay <= 0) {
      this.write(res, out);
      return;
    }
    const timer = setTimeout(() => {
      this.timers.delete(timer);
      res.off('close', cancel);
      this.write(res, out);
    }, delay);
    const cancel = (): void => {
      clearTimeout(timer);
      this.timers.delete(timer);
    };
    this.timers.add(timer);
    res.once('close', cancel);
  }

  private write(res: ServerResponse, out: Outgoing): void {
    if (res.destroyed || res.writableEnded) return;
    if (out.reset === true) {
      const socket = res.socket;
      if (socket !== null && !socket.destroyed) socket.resetAndDestroy();
      return;
    }
    if (out.bytes !== undefined) {
      streamBytes(res, out.status, out.headers, out.bytes);
      return;
    }
    const { headers } = out;
    let body = out.body;
    if (out.status === 204 || out.status === 304 || (out.status >= 100 && out.status < 200)) {
      body = undefined;
    }
    if (body !== undefined && headers['content-length'] === undefined) {
      headers['content-length'] = String(
        typeof body === 'string' ? Buffer.byteLength(body) : body.length,
      );
    }
    res.writeHead(out.status, headers);
    res.end(body);
  }
}

function matches(
  ruleMethod: string | undefined,
  rulePath: string | RegExp,
  method: string,
  pathname: string,
): boolean {
  if (ruleMethod !== undefined && ruleMethod.toUpperCase() !== method.toUpperCase()) return false;
  if (typeof rulePath === 'string') return rulePath === pathname;
  rulePath.lastIndex = 0;
  return rulePath.test(pathname);
}

function proxyAuthorization(credentials: StandInCredentials): string | undefined {
  switch (credentials.type) {
    case 'OAUTH2': {
      const token = credentials['access_token'];
      return typeof token === 'string' ? `Bearer ${token}` : undefined;
    }
    case 'API_KEY': {
      const key = credentials['apiKey'];
      return typeof key === 'string' ? `Bearer ${key}` : undefined;
    }
    case 'BASIC': {
      const username = credentials['username'];
      const password = credentials['password'];
      const user = typeof username === 'string' ? username : '';
      const pass = typeof password === 'string' ? password : '';
      return `Basic ${Buffer.from(`${user}:${pass}`).toString('base64')}`;
    }
    default:
      return undefined;
  }
}

/** Streams `n` bytes (pattern `i & 0xff`) in 64 KiB chunks, honouring backpressure. */
function streamBytes(
  res: ServerResponse,
  status: number,
  headers: Record<string, string>,
  n: number,
): void {
  headers['content-length'] = String(n);
  res.writeHead(status, headers);
  let remaining = n;
  const pump = (): void => {
    while (remaining > 0) {
      if (res.destroyed) return;
      const size = Math.min(CHUNK_SIZE, remaining);
      remaining -= size;
      if (!res.write(size === CHUNK_SIZE ? CHUNK : CHUNK.subarray(0, size))) {
        res.once('drain', pump);
        return;
      }
    }
    res.end();
  };
  pump();
}
