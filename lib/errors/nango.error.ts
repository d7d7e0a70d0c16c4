/**
 * Marks the prototype of every {@link NangoError}, including those whose chain does not pass
 * through `NangoError.prototype` (see `intrinsicForNest()`). Internal: not exported by the package.
 */
export const NANGO_ERROR_BRAND: unique symbol = Symbol('nestjs-nango NangoError');

/**
 * Base class of every error this package throws. Catch `NangoError` to handle them all.
 *
 * No error carries the secret key or a token: not in its message, its stack, `toJSON()` or
 * `util.inspect` output. Data that could hold secrets of a third party (a proxied response
 * body or its headers) sits on non-enumerable properties, readable but never printed.
 */
export class NangoError extends Error {
  /**
   * `instanceof NangoError` also holds for an error of this package whose prototype chain goes
   * through Nest's `IntrinsicException` rather than through `NangoError.prototype` (a
   * `NangoGraphqlError`, see `intrinsicForNest()`); subclasses test as usual.
   */
  static override [Symbol.hasInstance]<T>(
    this: abstract new (...args: never[]) => T,
    value: unknown,
  ): value is T {
    if (Function.prototype[Symbol.hasInstance].call(this, value)) return true;
    return (
      (this as unknown) === NangoError &&
      typeof value === 'object' &&
      value !== null &&
      NANGO_ERROR_BRAND in value
    );
  }

  constructor(message: string, options?: { cause?: unknown }) {
    super(message, options);
    Object.defineProperty(this, 'name', {
      value: new.target.name,
      enumerable: false,
      configurable: true,
      writable: true,
    });
  }

  /** Sets fields that are readable but non-enumerable: never printed by a log, JSON or inspect. */
  protected hide(fields: Record<string, unknown>): void {
    for (const [key, value] of Object.entries(fields)) {
      Object.defineProperty(this, key, { value, enumerable: false });
    }
  }

  /** The error's name, message and enumerable fields: what `JSON.stringify(error)` shows. */
  toJSON(): Record<string, unknown> {
    return { name: this.name, message: this.message, ...Object.fromEntries(Object.entries(this)) };
  }
}

Object.defineProperty(NangoError.prototype, NANGO_ERROR_BRAND, { value: true });
