/** A literal path: `/`-separated segments of unreserved URL characters (no `:param`, no `*`). */
const PATH = /^[A-Za-z0-9._~-]+(\/[A-Za-z0-9._~-]+)*$/;

/**
 * The route path an option gives, without leading and trailing `/`, or `undefined` when it is
 * not a literal route path (not a string, a parameter, a wildcard, a `.` or `..` segment).
 */
export function literalRoutePath(path: unknown): string | undefined {
  const trimmed = typeof path === 'string' ? path.replace(/^\/+|\/+$/g, '') : '';
  if (!PATH.test(trimmed) || trimmed.split('/').some((s) => s === '.' || s === '..')) {
    return undefined;
  }
  return trimmed;
}
