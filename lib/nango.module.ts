import { Module } from '@nestjs/common';
import { NANGO_OPTIONS } from './nango.constants.js';
import { NANGO_HTTP_SERVICE } from './nango.tokens.js';
import { ConfigurableNangoModule, NANGO_MODULE_OPTIONS } from './nango.module-definition.js';
import { resolveNangoOptions } from './nango-options.validation.js';
import { createNangoHttpService } from './nango-http.factory.js';
import { NangoService } from './nango.service.js';
import { NangoTokenInterceptor } from './interceptors/nango-token.interceptor.js';

/**
 * The Nango module. Import it once with `NangoModule.forRoot({ secretKey })` or
 * `NangoModule.forRootAsync({ imports, inject, useFactory })`, then inject {@link NangoService}.
 * Options are validated when the application starts.
 */
@Module({
  providers: [
    { provide: NANGO_OPTIONS, useFactory: resolveNangoOptions, inject: [NANGO_MODULE_OPTIONS] },
    { provide: NANGO_HTTP_SERVICE, useFactory: createNangoHttpService, inject: [NANGO_OPTIONS] },
    NangoService,
    NangoTokenInterceptor,
  ],
  exports: [NangoService, NANGO_OPTIONS, NangoTokenInterceptor],
})
export class NangoModule extends ConfigurableNangoModule {}
