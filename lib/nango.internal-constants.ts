/**
 * Internal tokens and metadata keys. They are not part of the public API: their providers and
 * values may change between minor versions.
 */

/**
 * Injection token of the resolved Nango options: the module options after validation, with
 * defaults applied once (see `ResolvedNangoOptions`). Code outside the module reads an
 * instance's options through `NangoInstanceRegistry`.
 */
export const NANGO_OPTIONS = Symbol('NANGO_OPTIONS');

/** Name of the Nango instance registered by a `forRoot()` / `forRootAsync()` without `name`. */
export const NANGO_DEFAULT_INSTANCE = 'default';

/** The `HttpService` that `NangoModule` builds for the default Nango instance alone. */
export const NANGO_HTTP_SERVICE = Symbol('NANGO_HTTP_SERVICE');

/** Prefix of a named instance's `NangoService` token: `NangoService:<name>`. */
export const NANGO_SERVICE_TOKEN_PREFIX = 'NangoService:';

/** Prefix of a named instance's resolved-options token: `NangoOptions:<name>`. */
export const NANGO_OPTIONS_TOKEN_PREFIX = 'NangoOptions:';

/** Prefix of a named instance's `HttpService` token: `NangoHttpService:<name>`. */
export const NANGO_HTTP_SERVICE_TOKEN_PREFIX = 'NangoHttpService:';

/** Metadata key of `@UseNangoConnection()` on a handler or controller. */
export const NANGO_CONNECTION_METADATA_KEY = 'nango:connection';

/** Metadata key, on a handler, of the parameter decorators of this package it uses. */
export const NANGO_PARAMS_METADATA_KEY = 'nango:params';
