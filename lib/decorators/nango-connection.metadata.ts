import { Reflector } from '@nestjs/core';
import { NANGO_CONNECTION_METADATA_KEY } from '../nango.internal-constants.js';
import type { UseNangoConnectionOptions } from '../interfaces/nango-connection-resolver.interface.js';

/**
 * The route metadata `@UseNangoConnection()` sets, read by `NangoTokenInterceptor` with
 * `reflector.getAllAndOverride(NangoConnectionMetadata, [handler, controller])`.
 */
export const NangoConnectionMetadata = Reflector.createDecorator<UseNangoConnectionOptions>({
  key: NANGO_CONNECTION_METADATA_KEY,
});
