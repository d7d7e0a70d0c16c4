/**
 * Injection token of the resolved Nango options: the module options after validation, with
 * defaults applied once (see {@link ResolvedNangoOptions}). Inject it with
 * `@Inject(NANGO_OPTIONS)` when an extension needs the host or the timeout.
 */
export const NANGO_OPTIONS = Symbol('NANGO_OPTIONS');

/** Nango Cloud's API host, used when `host` is not set. */
export const NANGO_DEFAULT_HOST = 'https://api.nango.dev';

/** Timeout, in milliseconds, of a call to Nango when `timeout` is not set. */
export const NANGO_DEFAULT_TIMEOUT_MS = 30_000;

/** Longest timeout accepted in the options, in milliseconds (10 minutes). */
export const NANGO_MAX_TIMEOUT_MS = 600_000;

/** Longest connection id or integration key that Nango accepts. */
export const NANGO_MAX_ID_LENGTH = 255;
