/**
 * The one place that names a Nango instance's providers. The default instance uses the
 * `NangoService` class, `NANGO_OPTIONS` and `NANGO_HTTP_SERVICE`; a named one uses
 * `NangoService:<name>`, `NangoOptions:<name>` and `NangoHttpService:<name>`, so that several
 * instances, global or not, never collide.
 */
import { NangoService } from './nango.service.js';
import { NANGO_DEFAULT_INSTANCE, NANGO_OPTIONS } from './nango.internal-constants.js';
import {
  NANGO_HTTP_SERVICE,
  NANGO_HTTP_SERVICE_TOKEN_PREFIX,
  NANGO_OPTIONS_TOKEN_PREFIX,
  NANGO_SERVICE_TOKEN_PREFIX,
} from './nango.internal-constants.js';
import { NangoConfigurationError } from './errors/nango-misuse.errors.js';

/** The default instance's `HttpService` token (from `nango.internal-constants.ts`). */
export { NANGO_HTTP_SERVICE };

/** What an instance name may be: printable ASCII without spaces, at most 100 characters. */
const INSTANCE_NAME = /^[\x21-\x7e]{1,100}$/;

/**
 * Checks an instance name (the `name` extra of `forRoot()`, the `instance` option of a
 * decorator) and returns it, or `undefined` for the default instance (no name, or `'default'`).
 */
export function checkInstanceName(name: unknown): string | undefined {
  if (name === undefined || name === NANGO_DEFAULT_INSTANCE) return undefined;
  if (typeof name !== 'string' || !INSTANCE_NAME.test(name)) {
    throw NangoConfigurationError.create([
      {
        field: 'name',
        problem: "must be a string of 1 to 100 printable characters without spaces, such as 'prod'",
      },
    ]);
  }
  return name;
}

/** The name of a named instance, or `undefined` for the default one (`'default'` included). */
export function namedInstance(name: string | undefined): string | undefined {
  return name === NANGO_DEFAULT_INSTANCE ? undefined : name;
}

/**
 * The injection token of a Nango instance's `NangoService`: the `NangoService` class itself
 * for the default instance, `NangoService:<name>` for a named one.
 */
export function getNangoServiceToken(name?: string): typeof NangoService | string {
  const named = namedInstance(name);
  return named === undefined ? NangoService : `${NANGO_SERVICE_TOKEN_PREFIX}${named}`;
}

/**
 * The injection token of a Nango instance's resolved options (`ResolvedNangoOptions`):
 * `NANGO_OPTIONS` for the default instance, `NangoOptions:<name>` for a named one.
 */
export function getNangoOptionsToken(name?: string): symbol | string {
  const named = namedInstance(name);
  return named === undefined ? NANGO_OPTIONS : `${NANGO_OPTIONS_TOKEN_PREFIX}${named}`;
}

/**
 * The injection token of the `HttpService` a Nango instance builds for itself:
 * `NANGO_HTTP_SERVICE` for the default instance, `NangoHttpService:<name>` for a named one.
 * Internal: not part of the public API.
 */
export function getNangoHttpServiceToken(name?: string): symbol | string {
  const named = namedInstance(name);
  return named === undefined ? NANGO_HTTP_SERVICE : `${NANGO_HTTP_SERVICE_TOKEN_PREFIX}${named}`;
}
