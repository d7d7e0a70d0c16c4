import type { NangoDefaultConnection } from './nango-connection-resolver.interface.js';

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
}

/** Per-call options, accepted as the last argument of every `NangoService` method. */
export interface NangoCallOptions {
  /** Timeout of this call, in milliseconds; overrides the module's `timeout`. */
  timeout?: number;
  /** Cancels the call; it then rejects with `NangoAbortedError`. */
  signal?: AbortSignal;
}
