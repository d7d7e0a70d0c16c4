import { Module } from '@nestjs/common';
import { NANGO_OPTIONS } from './nango.constants.js';
import { NANGO_HTTP_SERVICE, NANGO_INSTANCE_NAME } from './nango.tokens.js';
import { ConfigurableNangoModule, NANGO_MODULE_OPTIONS } from './nango.module-definition.js';
import { resolveNangoOptions } from './nango-options.validation.js';
import { createNangoHttpService } from './nango-http.factory.js';
import { NangoService } from './nango.service.js';

/**
 * The Nango module. Import it once with `NangoModule.forRoot({ secretKey })` or
 * `NangoModule.forRootAsync({ imports, inject, useFactory })`, then inject {@link NangoService}.
 * Options are validated when the application starts. Register more Nango environments with
 * `forRoot({ name: 'prod', ... })` and inject them with `@InjectNango('prod')`.
 */
@Module({
  providers: [
    {
      provide: NANGO_OPTIONS,
      useFactory: resolveNangoOptions,
      inject: [NANGO_MODULE_OPTIONS, { token: NANGO_INSTANCE_NAME, optional: true }],
    },
    { provide: NANGO_HTTP_SERVICE, useFactory: createNangoHttpService, inject: [NANGO_OPTIONS] },
    NangoService,
  ],
  // Exports are set per instance by `withNangoInstance()` (nango-instance.providers.ts).
})
export class NangoModule extends ConfigurableNangoModule {}
