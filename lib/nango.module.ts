import { Module } from '@nestjs/common';
import { DiscoveryModule } from '@nestjs/core';
import { ConfigurableNangoModule } from './nango.module-definition.js';
import { NangoTokenInterceptor } from './interceptors/nango-token.interceptor.js';
import { NangoStartupCheck } from './startup/nango-startup.check.js';

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
// a provider every registration can share; so is the start-up check of the app's routes.
@Module({
  imports: [DiscoveryModule],
  providers: [NangoTokenInterceptor, NangoStartupCheck],
  exports: [NangoTokenInterceptor],
})
export class NangoModule extends ConfigurableNangoModule {}
