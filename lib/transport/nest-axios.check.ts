import { NangoUsageError } from '../errors/nango-misuse.errors.js';

/**
 * Loads `@nestjs/axios` once, before any file of this package imports it, so that a CommonJS
 * loader that cannot load the installed line fails with an error naming the cause and the fix
 * rather than with the loader's own message. `@nestjs/axios` 12 is an ES module only; Node
 * 20.19+ `require()`s it (then this is a plain cached `require`, nothing changes), but jest's
 * CommonJS loader (Nest 10/11 apps) and older Node cannot. Nothing here runs on a call: only
 * when the package is first loaded.
 */

/** The fix named by {@link nestAxiosLoadError}. */
const FIX = 'npm install @nestjs/axios@^4';

/**
 * Whether `error` is a CommonJS loader refusing to `require()` an ES module: Node's
 * `ERR_REQUIRE_ESM`, or jest's `Must use import to load ES Module: <path>`. Read by shape,
 * not `instanceof`: jest's errors come from another realm.
 *
 * @param error what the `require()` threw
 */
export function isRequireOfEsmError(error: unknown): boolean {
  if (typeof error !== 'object' || error === null) return false;
  const { code, message } = error as { code?: unknown; message?: unknown };
  return (
    code === 'ERR_REQUIRE_ESM' ||
    (typeof message === 'string' && message.startsWith('Must use import to load ES Module'))
  );
}

/**
 * The error to throw when loading `@nestjs/axios` failed with `cause`: a {@link NangoUsageError}
 * naming the cause (an ES-module-only `@nestjs/axios` under a CommonJS loader) and the fix
 * (`npm install @nestjs/axios@^4`), or `undefined` when `cause` is anything else (then the
 * original error is the better one).
 *
 * @param cause what `require('@nestjs/axios')` threw
 */
export function nestAxiosLoadError(cause: unknown): NangoUsageError | undefined {
  if (!isRequireOfEsmError(cause)) return undefined;
  return new NangoUsageError(
    'nestjs-nango cannot load @nestjs/axios: the installed @nestjs/axios (the 12.x line) is an ' +
      "ES module only, and this app loads nestjs-nango's CommonJS build with a loader that " +
      'cannot require() ES modules (jest without ESM support, as in a Nest 10/11 app, or Node ' +
      `older than 20.19). On Nest 10 or 11, install the CommonJS line: ${FIX} ` +
      '(see docs/compatibility.md of nestjs-nango).',
    FIX,
    cause,
  );
}

// Only under a CommonJS loader (the package's build): an ES module has no `require`.
if (typeof require === 'function') {
  try {
    // eslint-disable-next-line @typescript-eslint/no-require-imports -- to catch what the loader throws
    require('@nestjs/axios');
  } catch (error) {
    throw nestAxiosLoadError(error) ?? error;
  }
}
