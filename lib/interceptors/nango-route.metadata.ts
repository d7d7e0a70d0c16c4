import type { Reflector } from '@nestjs/core';
import { NangoConnectionMetadata } from '../decorators/nango-connection.metadata.js';
import { nangoParamsOf, type MetadataTarget } from '../decorators/nango-params.metadata.js';
import { definedFields } from '../utils/defined-fields.js';
import type { UseNangoConnectionOptions } from '../interfaces/nango-connection-resolver.interface.js';

/** What a route needs from `NangoTokenInterceptor`, read from the decorators' metadata. */
export interface NangoRoute {
  /** The merged `@UseNangoConnection()` options; `undefined` when the route has none. */
  readonly options: UseNangoConnectionOptions | undefined;
  /** Whether the handler uses `@InjectNangoConnection()` (else it needs the token only). */
  readonly connection: boolean;
}

/**
 * Reads a route's metadata: the controller's `@UseNangoConnection()` options, with each field
 * the handler's sets overriding it, and whether the handler reads the whole connection.
 */
export function readNangoRoute(
  reflector: Reflector,
  controller: MetadataTarget,
  handler: MetadataTarget,
): NangoRoute {
  const onClass = reflector.get(NangoConnectionMetadata, controller);
  const onHandler = reflector.get(NangoConnectionMetadata, handler);
  return {
    options:
      onClass === undefined || onHandler === undefined
        ? (onHandler ?? onClass)
        : { ...onClass, ...definedFields(onHandler) },
    connection: nangoParamsOf(reflector, handler).has('InjectNangoConnection'),
  };
}
