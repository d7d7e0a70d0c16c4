import type { NangoDefaultConnection } from './nango-connection-resolver.interface.js';
import type { Agent as HttpAgent } from 'node:http';
import type { Agent as HttpsAgent } from 'node:https';
import type {
  NangoCacheManagerStore,
  NangoCredentialStore,
} from '../cache/nango-credential-store.interface.js';
import type { NangoRetryPolicy } from '../utils/retry-policy.js';
import type {
  NangoTelemetryOptions,
  ResolvedNangoTelemetryOptions,
} from '../telemetry/nango-telemetry-options.interface.js';
import type {
  NangoRecordsOptions,
  ResolvedNangoRecordsOptions,
} from '../records/nango-records.options.js';

/**
 * Options of `NangoModule.forRoot()` / `forRootAsync()`.
 *
 * Give the environment's secret key as `secretKey` or, under Nango's newer name, `apiKey`.
 */
export interface NangoModuleOptions {
  /** The Nango environment's secret key, sent as `Authorization: Bearer <secretKey>`. */
  secretKey?: string;
  /** Nango's newer name for {@link NangoModuleOptions.secretKey}; set one of the two. */
  apiKey?: string;
  /**
   * Base URL of the Nango API: `https://api.nango.dev` (default), `http://localhost:3003`, or any
   * self-hosted http(s) URL. One trailing `/` is dropped.
   */
  host?: string;
  /** Timeout of each call to Nango, in milliseconds. Default 30 000; at most 600 000. */
  timeout?: number;
  /** Appended to the `User-Agent` (`nestjs-nango/<version> <userAgent>`), e.g. `my-app/1.2.0`. */
  userAgent?: string;
  /**
   * Where `@UseNangoConnection()` routes get the integration key and connection id they leave
   * out, e.g. `{ connectionId: (ctx) => ctx.switchToHttp().getRequest().user.id }`.
   */
  defaultConnection?: NangoDefaultConnection;
  /**
   * The environment's webhook signing key, which `@NangoWebhook()` verifies
   * `X-Nango-Hmac-Sha256` against; a list while a key is being rotated (any of them is
   * accepted). When not set, webhooks are verified with the secret key.
   */
  webhookSigningKey?: string | string[];
  /**
   * Credential cache, off by default: keep each connection (and so its token) at most `ttl` ms,
   * never past its `expires_at` minus a safety margin. `false` or absent: every call asks Nango.
   */
  cache?: NangoCacheOptions | false;
  /**
   * Retry policy for GET calls to Nango's own API (never proxy calls: Nango retries those with
   * `retries`). Default `{ retries: 2, minDelayMs: 100, maxDelayMs: 2000, maxTotalDelayMs: 5000 }`;
   * `false` turns retrying off.
   */
  retry?: NangoRetryOptions | false;
  /**
   * OpenTelemetry traces and metrics of the instance's calls (a no-op unless
   * `@opentelemetry/api` is installed and an SDK registered): default
   * `{ enabled: true, connectionId: 'hash', propagate: false }`. See `docs/observability.md`.
   */
  telemetry?: NangoTelemetryOptions;
  /**
   * How `@OnNangoRecords()` streams drain: the cursor store, the queue (in process by default,
   * BullMQ for several replicas), page size, tries of a failing page, periodic reconcile.
   */
  records?: NangoRecordsOptions;
  /** Your own `http.Agent` for Nango; the module then leaves it open on shutdown. */
  httpAgent?: HttpAgent;
  /** Your own `https.Agent` for Nango; the module then leaves it open on shutdown. */
  httpsAgent?: HttpsAgent;
}

/** Options of the credential cache (`cache` of {@link NangoModuleOptions}). */
export interface NangoCacheOptions {
  /** Longest time to keep a connection, in ms: 1 to 300 000 (5 minutes, Nango's own guidance). */
  ttl: number;
  /**
   * Where to keep connections; default an `InMemoryCredentialStore` of this module. A Keyv
   * instance (e.g. with `@keyv/redis`) or a `cache-manager` v6+ cache fits as is.
   */
  store?: NangoCredentialStore | NangoCacheManagerStore;
  /**
   * Longest wait for any one store read or write, in ms: 1 to 10 000, default 100. Past it
   * the call asks Nango and the late answer is ignored; writes never delay a call.
   */
  storeTimeout?: number;
  /**
   * Encrypts every stored value (AES-256-GCM) and hashes the ids in store keys (HMAC-SHA256):
   * the base64 of 32 random bytes (`openssl rand -base64 32`), or a list of 1 to 10 of them
   * while rotating: the first encrypts, any of them decrypts.
   */
  encryptionKey?: string | string[];
  /** Stop using a token this many ms before its `expires_at`; default 60 000 (0 to 3 600 000). */
  safetyMarginMs?: number;
  /** Prefix of the store keys, to keep apps or environments apart in a shared store; default `nango`. */
  keyPrefix?: string;
}

/** Options of the retry policy (`retry` of {@link NangoModuleOptions}); unset fields take the defaults. */
export type NangoRetryOptions = Partial<NangoRetryPolicy>;

/** The credential cache settings after validation, with defaults applied. */
export interface ResolvedNangoCacheOptions {
  readonly ttl: number;
  readonly store: NangoCredentialStore | NangoCacheManagerStore;
  readonly safetyMarginMs: number;
  readonly keyPrefix: string;
  /** Longest wait for one store call, in ms. */
  readonly storeTimeout: number;
  /** The `encryptionKey` values (the first encrypts), when set. */
  readonly encryptionKeys?: readonly string[];
}

/** The options after validation, with defaults applied: what `NANGO_OPTIONS` resolves to. */
export interface ResolvedNangoOptions {
  /** The secret key (from `secretKey` or `apiKey`). */
  readonly secretKey: string;
  /** The API base URL, without a trailing `/`. */
  readonly host: string;
  /** Timeout of each call to Nango, in milliseconds. */
  readonly timeout: number;
  /** The full `User-Agent` header sent to Nango. */
  readonly userAgent: string;
  /** The module's `defaultConnection`, when set. */
  readonly defaultConnection?: NangoDefaultConnection;
  /** The webhook signing keys, when `webhookSigningKey` is set (else the secret key is used). */
  readonly webhookSigningKeys?: readonly string[];
  /** The instance name given to `forRoot({ name })`; absent for the default instance. */
  readonly name?: string;
  /** The credential cache, or `false` (absent: off). */
  readonly cache?: ResolvedNangoCacheOptions | false;
  /** The retry policy for GETs to Nango's API, or `false` (absent: off). */
  readonly retry?: NangoRetryPolicy | false;
  /** The telemetry settings (absent: the defaults, `NANGO_DEFAULT_TELEMETRY`). */
  readonly telemetry?: ResolvedNangoTelemetryOptions;
  /** The records settings, when `records` is set (absent: the defaults). */
  readonly records?: ResolvedNangoRecordsOptions;
  /** The caller's own agents, if given: never destroyed by the module. */
  readonly httpAgent?: HttpAgent;
  readonly httpsAgent?: HttpsAgent;
}

/** Per-call options, accepted as the last argument of every `NangoService` method. */
export interface NangoCallOptions {
  /** Timeout of this call, in milliseconds; overrides the module's `timeout`. */
  timeout?: number;
  /** Cancels the call; it then rejects with `NangoAbortedError`. */
  signal?: AbortSignal;
  /** `false`: no retry for this call, whatever the module's `retry` policy (e.g. for a probe). */
  retry?: boolean;
}

/**
 * A class for `NangoModule.forRootAsync({ useClass })` or `forRootAsync({ useExisting })`: Nest
 * builds it (or reuses the provider an imported module exports) and calls
 * `createNangoOptions()`, like `JwtOptionsFactory` for `@nestjs/jwt`.
 *
 * @example
 * \@Injectable()
 * class NangoConfig implements NangoOptionsFactory {
 *   constructor(private readonly config: ConfigService) {}
 *   createNangoOptions(): NangoModuleOptions {
 *     return { secretKey: this.config.getOrThrow('NANGO_SECRET_KEY') };
 *   }
 * }
 */
export interface NangoOptionsFactory {
  /** Returns the module options (or a Promise of them); called once when the app starts. */
  createNangoOptions(): NangoModuleOptions | Promise<NangoModuleOptions>;
}
