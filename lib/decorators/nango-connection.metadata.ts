import { Reflector } from '@nestjs/core';
import type { UseNangoConnectionOptions } from '../interfaces/nango-connection-resolver.interface.js';

/**
 * The route metadata `@UseNangoConnection()` sets, read by `NangoTokenInterceptor` with
 * `reflector.getAllAndOverride(NangoConnectionMetadata, [handler, controller])`.
 */
export const NangoConnectionMetadata = Reflector.createDecorator<UseNangoConnectionOptions>({
  key: 'nango:connection',
});
