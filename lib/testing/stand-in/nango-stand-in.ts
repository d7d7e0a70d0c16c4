import { randomUUID } from 'node:crypto';
import type { ServerResponse } from 'node:http';
import type {
  NangoStandInOptions,
  RecordedRequest,
  StandInAction,
  StandInConnectionSeed,
  StandInFunctionSeed,
  StandInProviderSeed,
  StandInRecordsSeed,
  StandInResponse,
  StandInRule,
  StandInUpstream,
} from './stand-in.interfaces.js';
import { StandInReplies, type Outgoing } from './stand-in.replies.js';
import { authFailure, route } from './stand-in.router.js';
import { matches, StandInRules } from './stand-in.rules.js';
import { StandInServer } from './stand-in.server.js';
import { StandInStore } from './stand-in.store.js';
import { StandInSyncs, type StandInSyncOptions, type StandInSyncRun } from './stand-in.sync.js';
import {
  completeConnectSession,
  type StandInConnectCompletion,
  type StandInConnectResult,
} from './stand-in.connect.js';

/**
 * A stand-in for a Nango server, for tests and benchmarks: a plain `node:http` server on
 * 127.0.0.1 (random port) answering the routes nestjs-nango uses exactly as a real Nango 0.71
 * does (auth errors, connection fetch with OAuth2 refresh, connection list, proxy), with the
 * proxy acting as an echoing third-party API. Scripted rules override any route. It also
 * answers connection delete/patch, metadata, integrations, connect sessions, actions
 * (`addAction()`), records (`seedRecords()`, or a sync run with `sync()`, which posts the signed
 * `sync` webhook to the app) and syncs (`addSyncs()`), and every other route
 * of the official client: providers (`addProvider()`), integration changes, functions
 * (`addFunction()`), sync start/pause/frequency/variants, record pruning, async action
 * results, environment variables (`setEnvironmentVariables()`) and scripts config. It posts
 * signed webhooks to the app (`setWebhookTarget()`), e.g. the `auth` webhook of a connect
 * session the end user completed (`completeConnect()`).
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

  private readonly store: StandInStore;
  private readonly replies = new StandInReplies();
  private readonly rules = new StandInRules();
  private readonly upstream: StandInUpstream | undefined;
  private readonly syncs: StandInSyncs;

  private constructor(
    private readonly server: StandInServer,
    options: NangoStandInOptions,
  ) {
    this.url = server.url;
    this.secretKey = options.secretKey ?? randomUUID();
    this.upstream = options.upstream;
    this.store = new StandInStore(server.url);
    this.syncs = new StandInSyncs(this.store, this.secretKey);
    if (options.connections !== undefined) this.seed(...options.connections);
    if (options.webhooks !== undefined) {
      this.setWebhookTarget(options.webhooks.url, options.webhooks.signingKey);
    }
    server.handle((req, res) => this.onRequest(req, res));
  }

  /** Starts a stand-in listening on 127.0.0.1, on a random free port. */
  static async start(options: NangoStandInOptions = {}): Promise<NangoStandIn> {
    return new NangoStandIn(await StandInServer.listen(options.latencyMs), options);
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
    this.store.seed(connections);
  }

  /** The connection as stored now (credentials current), or undefined. */
  connection(providerConfigKey: string, connectionId: string): StandInConnectionSeed | undefined {
    const stored = this.store.connection(providerConfigKey, connectionId);
    if (stored === undefined) return undefined;
    return { ...stored.seed, provider: stored.provider, credentials: { ...stored.credentials } };
  }

  /** Adds an integration (integrations are implied by seeded connections too). */
  addIntegration(key: string, provider?: string): void {
    this.store.addIntegration(key, provider);
  }

  /** Seeds the synced records of a model for a connection (replacing earlier ones). */
  seedRecords(seed: StandInRecordsSeed): void {
    this.store.seedRecords(seed);
  }

  /**
   * Where {@link sync} and {@link completeConnect} post webhooks (the app's webhook route, e.g. `${appUrl}/nango/webhooks`)
   * and the key it signs them with; default key: {@link secretKey}, as on a fresh self-hosted
   * Nango whose `dev` signing key equals its secret key.
   */
  setWebhookTarget(url: string, signingKey?: string): void {
    this.syncs.setTarget(url, signingKey);
  }

  /**
   * Plays a sync run as Nango does: stores the records (added and updated ones in one batch,
   * then the deletes in another, each batch one `last_modified_at`, so `GET /records` pages
   * them in Nango's order and a changed record moves to the end), then posts the signed `sync`
   * webhook (keys sorted, `X-Nango-Hmac-Sha256` and `X-Nango-Signature`, `modifiedAfter` the
   * run's start) to the webhook target and resolves with the receiver's answer. The connection
   * must be seeded. Nango's retries are {@link resendWebhook}.
   *
   * @example
   * const run = await standIn.sync({ providerConfigKey: 'github', connectionId: 'c1',
   *   model: 'Issue', added: [{ id: '1', title: 'First' }], deleted: ['0'] });
   * expect(run.webhook?.status).toBe(200);
   */
  sync(run: StandInSyncOptions): Promise<StandInSyncRun> {
    return this.syncs.run(run);
  }

  /**
   * Posts a run's webhook again, the same bytes and signatures, as Nango retries one after a
   * 5xx or a network error; resolves with the receiver's status. `url` sends it to another
   * address (another replica of the app); default: where it went first.
   */
  resendWebhook(run: StandInSyncRun, url?: string): Promise<number> {
    return this.syncs.resend(run, url);
  }

  /** Adds an action to an integration (created when missing). */
  addAction(providerConfigKey: string, actionName: string, run: StandInAction): void {
    this.store.addAction(providerConfigKey, actionName, run);
  }

  /** Adds syncs to an integration (created when missing). */
  addSyncs(providerConfigKey: string, ...syncNames: string[]): void {
    this.store.addSyncs(providerConfigKey, syncNames);
  }

  /** Adds (or replaces) a provider of the catalogue (`github`, `slack`, ... are built in). */
  addProvider(seed: StandInProviderSeed): void {
    this.store.addProvider(seed);
  }

  /** Adds a deployed function to an integration (its syncs and actions are listed too). */
  addFunction(providerConfigKey: string, seed: StandInFunctionSeed): void {
    this.store.addFunction(providerConfigKey, seed);
  }

  /**
   * Does what the end user finishing Nango's Connect UI does with the session `token` (from
   * `createConnectSession()`): creates the connection of `providerConfigKey` (with the session's
   * end user and tags), then posts the signed `auth` webhook (`operation: 'creation'`,
   * `success: true`, `endUser`) to the webhook target, and resolves once the app answered it.
   * A reconnect session (`POST /connect/sessions/reconnect`) instead gives its connection the
   * new credentials (keeping its id, end user and tags) and the webhook says
   * `operation: 'override'`. Throws on an unknown, expired or used token, an integration the
   * session does not allow (or, reconnecting, another connection than the session's), or no
   * webhook target (unless `webhook: false`).
   *
   * @example
   * const { token } = await (await fetch(`${appUrl}/nango/connect-session`, { method: 'POST' })).json();
   * const { connectionId } = await standIn.completeConnect(token, { providerConfigKey: 'github' });
   */
  completeConnect(
    token: string,
    completion: StandInConnectCompletion,
  ): Promise<StandInConnectResult> {
    return completeConnectSession(this.store, this.syncs, token, completion);
  }

  /** Sets what `GET /environment-variables` answers. */
  setEnvironmentVariables(variables: Array<{ name: string; value: string }>): void {
    this.store.environmentVariables = variables.map((v) => ({ ...v }));
  }

  /**
   * Scripted answers; checked before the built-in routes (after auth), newest rule first.
   * Returns a function removing the rule.
   */
  script(rule: StandInRule): () => void {
    return this.rules.add(rule);
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
    return this.server.openConnections();
  }

  /** Stops listening and destroys every open socket (hung ones included). Idempotent. */
  close(): Promise<void> {
    this.rules.clear();
    return this.server.close();
  }

  private onRequest(req: RecordedRequest, res: ServerResponse): void {
    this.requests.push(req);
    const out = this.answer(req);
    if (out instanceof Promise) {
      out.then(
        (o) => this.server.send(res, o),
        () => this.server.send(res, this.replies.genericError()),
      );
    } else {
      this.server.send(res, out);
    }
  }

  /** Nango's 401, a scripted answer, or the built-in one. */
  private answer(req: RecordedRequest): Outgoing | Promise<Outgoing> {
    const failure = authFailure(req.headers.authorization, this.secretKey);
    if (failure !== undefined) return this.replies.json(401, failure, false);
    const rule = this.rules.take(req.method, req.pathname);
    if (rule === undefined) {
      return route(req, { store: this.store, replies: this.replies, upstream: this.upstream });
    }
    const { respond } = rule;
    if (typeof respond !== 'function') return this.replies.scripted(respond);
    let answer: StandInResponse | Promise<StandInResponse>;
    try {
      answer = respond(req);
    } catch {
      return this.replies.genericError();
    }
    return answer instanceof Promise
      ? answer.then((a) => this.replies.scripted(a))
      : this.replies.scripted(answer);
  }
}
