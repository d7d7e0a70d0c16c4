import { Module } from '@nestjs/common';
import { ConfigurableNangoModule } from './nango.module-definition.js';
import { NangoTokenInterceptor } from './interceptors/nango-token.interceptor.js';

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
// The interceptor holds no instance state (it looks services up by instance name), so it is
// the one provider every registration can share.
@Module({ providers: [NangoTokenInterceptor], exports: [NangoTokenInterceptor] })
export class NangoModule extends ConfigurableNangoModule {}
