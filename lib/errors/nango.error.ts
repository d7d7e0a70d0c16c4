/**
 * Base class of every error this package throws. Catch `NangoError` to handle them all.
 *
 * No error carries the secret key or a token: not in its message, its stack, `toJSON()` or
 * `util.inspect` output. Data that could hold secrets of a third party (a proxied response
 * body or its headers) sits on non-enumerable properties, readable but never printed.
 */
export class NangoError extends Error {
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
