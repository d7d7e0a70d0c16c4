import { Module } from '@nestjs/common';
import { ConfigurableNangoModule } from './nango.module-definition.js';

/**
 * The Nango module. Import it once with `NangoModule.forRoot({ secretKey })` or
 * `NangoModule.forRootAsync({ imports, inject, useFactory })`, then inject {@link NangoService}.
 * Options are validated when the application starts. Register more Nango environments with
 * `forRoot({ name: 'prod', ... })` and inject them with `@InjectNango('prod')`.
 *
 * Each `forRoot()` gets its providers from `withNangoInstance()` (nango-instance.providers.ts):
 * the resolved options (`NANGO_OPTIONS`), the module's own `HttpService` and `NangoService`,
 * under per-instance tokens for a named instance.
 */
@Module({})
export class NangoModule extends ConfigurableNangoModule {}
