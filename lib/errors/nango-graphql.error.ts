import { NangoError } from './nango.error.js';
import { intrinsicForNest } from './nest-intrinsic.js';
import type { NangoHttpException, NangoHttpExceptionBody } from './nango-http.exception.js';

/** The `extensions` of a {@link NangoGraphqlError}: the HTTP answer's fields, plus `status`. */
export type NangoGraphqlErrorExtensions = Omit<NangoHttpExceptionBody, 'statusCode' | 'message'> & {
  /** The HTTP status a controller route would answer with. */
  status: number;
};

/**
 * Why a GraphQL resolver's Nango credentials could not be had: the {@link NangoHttpException}
 * a controller route would answer with, as a GraphQL error. GraphQL (`graphql-js`, under Apollo
 * and Mercurius alike) copies `extensions` into the error of the response, so the client sees
 * `{ message, extensions: { code, status, ... } }` with the same `code` and status as on HTTP.
 * It never holds the secret key or a token.
 *
 * It is also an instance of Nest's `IntrinsicException` (Nest 11+), so Nest does not log it
 * (with its stack and cause chain) for each failed field: the module logs a failure once, as it
 * does on a controller route (5xx: one ERROR line, 424: one warning, other 4xx: nothing).
 */
export class NangoGraphqlError extends NangoError {
  /** `code`, `status` and the other fields of the HTTP answer. */
  readonly extensions: NangoGraphqlErrorExtensions;

  constructor(message: string, extensions: NangoGraphqlErrorExtensions, cause?: unknown) {
    super(message, cause === undefined ? undefined : { cause });
    this.extensions = extensions;
  }

  /** The GraphQL form of an HTTP answer. */
  static fromHttpException(exception: NangoHttpException): NangoGraphqlError {
    const { statusCode, message, ...fields } = exception.getResponse();
    return new NangoGraphqlError(message, { ...fields, status: statusCode }, exception);
  }
}

intrinsicForNest(NangoGraphqlError);
