import { ConfigurableModuleBuilder } from '@nestjs/common';
import type { NangoModuleOptions } from './interfaces/nango-module-options.interface.js';
import { checkInstanceName, withNangoInstance } from './nango-instance.providers.js';
import { withNangoWebhooks, type NangoWebhooksOptions } from './webhooks/nango-webhook.route.js';

/**
 * The module definition built by Nest's `ConfigurableModuleBuilder`: `forRoot` / `forRootAsync`,
 * the `webhooks` extra (`{ path }`: one route that verifies Nango's webhooks and dispatches them
 * to `@OnNangoWebhook()` handlers),
 * `useFactory` / `useClass` / `useExisting` (a class implementing `createNangoOptions()`), and the
 * `isGlobal` extra, which makes the module global and never reaches the options, and the `name`
 * extra, which registers a named instance (`@InjectNango(name)`) next to the default one.
 */
export const {
  ConfigurableModuleClass: ConfigurableNangoModule,
  MODULE_OPTIONS_TOKEN: NANGO_MODULE_OPTIONS,
  OPTIONS_TYPE: NANGO_OPTIONS_TYPE,
  ASYNC_OPTIONS_TYPE: NANGO_ASYNC_OPTIONS_TYPE,
} = new ConfigurableModuleBuilder<NangoModuleOptions>({ moduleName: 'Nango' })
  .setClassMethodName('forRoot')
  .setFactoryMethodName('createNangoOptions')
  .setExtras(
    {
      isGlobal: false,
      name: undefined as string | undefined,
      webhooks: undefined as NangoWebhooksOptions | undefined,
    },
    (definition, extras) =>
      withNangoWebhooks(
        withNangoInstance({ ...definition, global: extras.isGlobal }, extras.name),
        extras.webhooks,
        checkInstanceName(extras.name),
      ),
  )
  .build();

/** `NangoModule.forRoot()` options: the module options plus `isGlobal` and `name`. */
export type NangoModuleForRootOptions = typeof NANGO_OPTIONS_TYPE;

/** `NangoModule.forRootAsync()` options: `imports`, `inject`, `useFactory` / `useClass` / `useExisting`, `isGlobal`, `name`. */
export type NangoModuleAsyncOptions = typeof NANGO_ASYNC_OPTIONS_TYPE;
