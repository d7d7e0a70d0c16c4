/**
 * What a method decorator such as `@OnNangoWebhook()` or `@OnNangoRecords()` puts on methods:
 * a list of options per method, several when the decorator is written more than once, kept by
 * the method's function (what `providerMethods()` reads from a provider instance).
 */
export class MethodOptions<T> {
  private readonly byMethod = new WeakMap<object, readonly T[]>();

  /** A method decorator that adds `options` to the decorated method's list. */
  decorator(options: T): MethodDecorator {
    return (_target, _key, descriptor) => {
      const method = descriptor.value as unknown;
      if (typeof method !== 'function') return;
      this.byMethod.set(method, [...this.of(method), options]);
    };
  }

  /** The options put on `method`, in the order they were applied (empty when none). */
  of(method: unknown): readonly T[] {
    if (typeof method !== 'function') return [];
    return this.byMethod.get(method) ?? [];
  }
}
