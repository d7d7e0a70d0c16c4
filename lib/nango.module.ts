import { Global, Module, type DynamicModule, type Provider } from '@nestjs/common';
import { DiscoveryModule, DiscoveryService, MetadataScanner } from '@nestjs/core';
import type { HttpService } from '@nestjs/axios';
import {
  ConfigurableNangoModule,
  NANGO_MODULE_OPTIONS,
  type NangoModuleAsyncOptions,
  type NangoModuleForRootOptions,
} from './nango.module-definition.js';
import { NangoService } from './nango.service.js';
import { NangoInstanceRegistry } from './nango-instance.registry.js';
import { NangoTokenInterceptor } from './interceptors/nango-token.interceptor.js';
import { NangoStartupCheck } from './startup/nango-startup.check.js';
import { resolveNangoOptions } from './nango-options.validation.js';
import { createNangoHttpService } from './transport/nango-http.factory.js';
import {
  checkInstanceName,
  getNangoHttpServiceToken,
  getNangoOptionsToken,
  getNangoServiceToken,
} from './nango.tokens.js';
import {
  NANGO_WEBHOOK_ROUTE,
  NangoWebhookDispatcher,
} from './webhooks/nango-webhook.dispatcher.js';
import { nangoWebhookController, nangoWebhookRoute } from './webhooks/nango-webhook.route.js';
import { NangoWebhookRejectionLog } from './webhooks/nango-webhook.rejection-log.js';
import { nangoConnectController } from './connect/nango-connect.controller.js';
import { nangoConnectRoute } from './connect/nango-connect-options.schema.js';
import type { ResolvedNangoOptions } from './interfaces/nango-module-options.interface.js';
import { NangoRecordsService } from './records/nango-records.service.js';
import { getNangoRecordsServiceToken } from './records/nango-records.tokens.js';
import { NANGO_SYNC_WEBHOOK_LISTENER } from './webhooks/nango-sync-webhook.listener.js';

/**
 * Holds the {@link NangoInstanceRegistry} and the app's `NangoWebhookRejectionLog`. Global, so that `@UseNangoConnection()` and
 * `@NangoWebhook()` work in every module of the app, including modules that do not import
 * `NangoModule` themselves (their interceptor and guard are created in the controller's module).
 */
@Global()
@Module({
  providers: [
    NangoInstanceRegistry,
    { provide: NangoWebhookRejectionLog, useFactory: () => new NangoWebhookRejectionLog() },
  ],
  exports: [NangoInstanceRegistry, NangoWebhookRejectionLog],
})
class NangoRegistryModule {}

/**
 * The Nango module. Import it once with `NangoModule.forRoot({ secretKey })` or
 * `NangoModule.forRootAsync({ imports, inject, useFactory })`, then inject {@link NangoService}.
 * Options are validated when the application starts. Register more Nango environments with
 * `forRoot({ name: 'prod', ... })` and inject them with `@InjectNango('prod')`.
 *
 * Every registration shares the interceptor (it holds no instance state: it finds services in
 * the {@link NangoInstanceRegistry}) and the start-up check of the app's routes; each adds its
 * instance's providers ({@link NangoModule.forRoot}).
 */
@Module({
  imports: [DiscoveryModule, NangoRegistryModule],
  providers: [NangoTokenInterceptor, NangoStartupCheck],
  exports: [NangoTokenInterceptor],
})
export class NangoModule extends ConfigurableNangoModule {
  /**
   * Registers a Nango instance with static options. Besides the raw options
   * (`NANGO_MODULE_OPTIONS`), it provides and exports the instance's resolved options and
   * `NangoService` (the `NangoService` class and `NANGO_OPTIONS` for the default instance,
   * `NangoService:<name>` and `NangoOptions:<name>` for a named one), builds its own
   * `HttpService`, and mounts the `webhooks` and `connect` routes when asked.
   */
  static forRoot(options: NangoModuleForRootOptions): DynamicModule {
    return withNangoInstance(super.forRoot(options), options);
  }

  /**
   * Registers a Nango instance whose options come from `useFactory`, `useClass` or
   * `useExisting`; provides what {@link NangoModule.forRoot} does.
   */
  static forRootAsync(options: NangoModuleAsyncOptions): DynamicModule {
    return withNangoInstance(super.forRootAsync(options), options);
  }
}

/** The extras of `forRoot()` / `forRootAsync()` that shape an instance's providers. */
interface InstanceExtras {
  name?: unknown;
  webhooks?: unknown;
  connect?: unknown;
}

/**
 * Completes the dynamic module of one registration: the instance's providers, exported under
 * its tokens (so that several instances, global or not, never collide), and the webhook and
 * connect routes.
 */
function withNangoInstance(
  definition: DynamicModule,
  { name: rawName, webhooks, connect }: InstanceExtras,
): DynamicModule {
  const name = checkInstanceName(rawName);
  const providers = [
    ...(definition.providers ?? []),
    ...instanceProviders(name, webhooks !== undefined),
  ];
  const exports = [
    ...(definition.exports ?? []),
    getNangoServiceToken(name),
    getNangoOptionsToken(name),
    getNangoRecordsServiceToken(name),
  ];
  const controllers = [...(definition.controllers ?? [])];
  if (connect !== undefined) {
    controllers.push(nangoConnectController(nangoConnectRoute(connect, name)));
  }
  if (webhooks === undefined) return { ...definition, controllers, providers, exports };
  const route = nangoWebhookRoute(webhooks, name);
  return {
    ...definition,
    controllers: [...controllers, nangoWebhookController(route)],
    providers: [
      ...providers,
      { provide: NANGO_WEBHOOK_ROUTE, useValue: route },
      { provide: NANGO_SYNC_WEBHOOK_LISTENER, useExisting: getNangoRecordsServiceToken(name) },
      NangoWebhookDispatcher,
    ],
    exports,
  };
}

/**
 * One instance's providers: its options, validated with defaults applied once; the
 * `HttpService` it builds for Nango alone; its `NangoService` (the class itself for the
 * default instance, a factory for a named one); and its `NangoRecordsService`, which delivers
 * synced records to the instance's `@OnNangoRecords()` handlers.
 */
function instanceProviders(name: string | undefined, hasWebhookRoute: boolean): Provider[] {
  const options = getNangoOptionsToken(name);
  const http = getNangoHttpServiceToken(name);
  return [
    {
      provide: options,
      useFactory: (raw: unknown) => resolveNangoOptions(raw, name),
      inject: [NANGO_MODULE_OPTIONS],
    },
    { provide: http, useFactory: createNangoHttpService, inject: [options] },
    name === undefined
      ? NangoService
      : {
          provide: getNangoServiceToken(name),
          useFactory: (httpService: HttpService, resolved: ResolvedNangoOptions) =>
            new NangoService(httpService, resolved),
          inject: [http, options],
        },
    {
      provide: getNangoRecordsServiceToken(name),
      useFactory: (
        discovery: DiscoveryService,
        scanner: MetadataScanner,
        nango: NangoService,
        resolved: ResolvedNangoOptions,
      ) => new NangoRecordsService(discovery, scanner, nango, resolved, hasWebhookRoute),
      inject: [DiscoveryService, MetadataScanner, getNangoServiceToken(name), options],
    },
  ];
}
