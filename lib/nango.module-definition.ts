import { ConfigurableModuleBuilder } from '@nestjs/common';
import type { NangoModuleOptions } from './interfaces/nango-module-options.interface.js';
import type { NangoWebhooksOptions } from './webhooks/nango-webhook.route.js';
import type { NangoConnectOptions } from './connect/nango-connect.options.js';

/**
 * The module definition built by Nest's `ConfigurableModuleBuilder`: `forRoot` / `forRootAsync`,
 * `useFactory` / `useClass` / `useExisting` (a class implementing `createNangoOptions()`), and
 * four extras, which never reach the options: `isGlobal` makes the module global, `name`
 * registers a named instance (`@InjectNango(name)`) next to the default one, and `webhooks`
 * (`{ path }`) mounts one route that verifies Nango's webhooks and dispatches them to
 * `@OnNangoWebhook()` handlers, and `connect` (`{ path, endUser }`) mounts `POST <path>`, which
 * creates a Connect session for the signed-in user. `NangoModule` (nango.module.ts) adds each instance's providers.
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
      connect: undefined as NangoConnectOptions | undefined,
    },
    (definition, { isGlobal }) => ({ ...definition, global: isGlobal }),
  )
  .build();

/** `NangoModule.forRoot()` options: the module options plus `isGlobal`, `name`, `webhooks` and `connect`. */
export type NangoModuleForRootOptions = typeof NANGO_OPTIONS_TYPE;

/** `NangoModule.forRootAsync()` options: `imports`, `inject`, `useFactory` / `useClass` / `useExisting`, `isGlobal`, `name`, `webhooks`, `connect`. */
export type NangoModuleAsyncOptions = typeof NANGO_ASYNC_OPTIONS_TYPE;
