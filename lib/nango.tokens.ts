/**
 * Internal injection tokens. They are not part of the public API: their providers may change
 * between minor versions.
 */

/** The `HttpService` that `NangoModule` builds for Nango alone (its own axios instance). */
export const NANGO_HTTP_SERVICE = Symbol('NANGO_HTTP_SERVICE');
