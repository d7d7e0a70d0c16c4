import * as nestCommon from '@nestjs/common';
import { NangoError } from './nango.error.js';

/** A class whose instances are errors. */
type ErrorClass = abstract new (...args: never[]) => Error;

/** Nest's `IntrinsicException` (Nest 11 and later), which Nest's exception handlers never log. */
function intrinsicException(): ErrorClass | undefined {
  const found: unknown = (nestCommon as Record<string, unknown>)['IntrinsicException'];
  return typeof found === 'function' ? (found as ErrorClass) : undefined;
}

/**
 * Makes the errors of `errorClass` (a subclass of {@link NangoError}) instances of Nest's
 * `IntrinsicException` too, so that Nest's exception handlers (`ExternalExceptionFilter` for
 * GraphQL resolvers, `BaseExceptionFilter` for HTTP) never log them: they are answers, logged
 * once by this package, not crashes. They stay `instanceof NangoError` (through its brand) and
 * keep its methods; the constructor chain is unchanged. On Nest 10 (no `IntrinsicException`)
 * nothing changes.
 */
export function intrinsicForNest(errorClass: ErrorClass): void {
  const Intrinsic = intrinsicException();
  if (Intrinsic === undefined || errorClass.prototype instanceof Intrinsic) return;
  const base = Object.create(Intrinsic.prototype) as object;
  for (const key of Reflect.ownKeys(NangoError.prototype)) {
    const descriptor = Reflect.getOwnPropertyDescriptor(NangoError.prototype, key);
    if (key !== 'constructor' && descriptor !== undefined) {
      Object.defineProperty(base, key, descriptor);
    }
  }
  Object.setPrototypeOf(errorClass.prototype, base);
}
