import type { DiscoveryService, MetadataScanner } from '@nestjs/core';

/** One method of a provider instance, as {@link providerMethods} finds it. */
export interface ProviderMethod {
  /** The provider instance. */
  readonly instance: object;
  /** `Class.method`, for logs and start-up errors. */
  readonly name: string;
  /** The method's function (read from the instance: its decorator metadata is keyed by it). */
  readonly fn: unknown;
}

/**
 * Every method of every provider instance of the application, found with Nest's
 * `DiscoveryService` and `MetadataScanner`: what the `@OnNangoWebhook()` and `@OnNangoRecords()`
 * handler lookups walk at start-up.
 */
export function* providerMethods(
  discovery: DiscoveryService,
  scanner: MetadataScanner,
): Generator<ProviderMethod> {
  for (const wrapper of discovery.getProviders()) {
    const instance: unknown = wrapper.instance;
    if (typeof instance !== 'object' || instance === null) continue;
    const proto = Object.getPrototypeOf(instance) as object | null;
    if (proto === null) continue;
    for (const method of scanner.getAllMethodNames(proto)) {
      yield {
        instance,
        name: `${instance.constructor.name}.${method}`,
        fn: (instance as Record<string, unknown>)[method],
      };
    }
  }
}
