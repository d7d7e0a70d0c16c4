import { ConfigurableModuleBuilder } from '@nestjs/common';
import type { NangoModuleOptions } from './interfaces/nango-module-options.interface.js';

/**
 * The module definition built by Nest's `ConfigurableModuleBuilder`: `forRoot` / `forRootAsync`,
 * `useFactory` / `useClass` / `useExisting` (a class implementing `createNangoOptions()`), and the
 * `isGlobal` extra, which makes the module global and never reaches the options.
 */
export const {
  ConfigurableModuleClass: ConfigurableNangoModule,
  MODULE_OPTIONS_TOKEN: NANGO_MODULE_OPTIONS,
  OPTIONS_TYPE: NANGO_OPTIONS_TYPE,
  ASYNC_OPTIONS_TYPE: NANGO_ASYNC_OPTIONS_TYPE,
} = new ConfigurableModuleBuilder<NangoModuleOptions>({ moduleName: 'Nango' })
  .setClassMethodName('forRoot')
  .setFactoryMethodName('createNangoOptions')
  .setExtras({ isGlobal: false }, (definition, extras) => ({
    ...definition,
    global: extras.isGlobal,
  }))
  .build();

/** `NangoModule.forRoot()` options: the module options plus `isGlobal`. */
export type NangoModuleForRootOptions = typeof NANGO_OPTIONS_TYPE;

/** `NangoModule.forRootAsync()` options: `imports`, `inject`, `useFactory` / `useClass` / `useExisting`, `isGlobal`. */
export type NangoModuleAsyncOptions = typeof NANGO_ASYNC_OPTIONS_TYPE;
