/**
 * The defaults and limits of the options, as docs/configuration.md lists them. Tokens live in
 * `nango.internal-constants.ts`; per-instance tokens are built in `nango.tokens.ts`.
 */

/** Nango Cloud's API host, used when `host` is not set. */
export const NANGO_DEFAULT_HOST = 'https://api.nango.dev';

/** Timeout, in milliseconds, of a call to Nango when `timeout` is not set. */
export const NANGO_DEFAULT_TIMEOUT_MS = 30_000;

/** Longest timeout accepted in the options, in milliseconds (10 minutes). */
export const NANGO_MAX_TIMEOUT_MS = 600_000;

/** Longest connection id or integration key that Nango accepts. */
export const NANGO_MAX_ID_LENGTH = 255;

/** Longest credential cache `ttl`, in milliseconds (5 minutes, Nango's own guidance). */
export const NANGO_MAX_CACHE_TTL_MS = 300_000;

/** Default `safetyMarginMs` of the credential cache: a token is dropped a minute before it expires. */
export const NANGO_DEFAULT_CACHE_SAFETY_MARGIN_MS = 60_000;

/** Default `storeTimeout` of the credential cache: the longest wait for one store call, in ms. */
export const NANGO_DEFAULT_CACHE_STORE_TIMEOUT_MS = 100;

/** The retry policy used when `retry` is not set. */
export const NANGO_DEFAULT_RETRY = Object.freeze({
  retries: 2,
  minDelayMs: 100,
  maxDelayMs: 2_000,
  maxTotalDelayMs: 5_000,
});

/**
 * Largest buffered answer (json, text, arraybuffer) accepted from Nango, in bytes, after
 * decompression: 100 MiB. A bigger one fails instead of filling the heap; read such answers
 * with `responseType: 'stream'`, which has no bound.
 */
export const NANGO_MAX_RESPONSE_BYTES = 100 * 1024 * 1024;
