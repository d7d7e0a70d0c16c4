import type { DynamicModule, Provider } from '@nestjs/common';
import { NANGO_OPTIONS } from './nango.constants.js';
import { NANGO_INSTANCE_NAME } from './nango.tokens.js';
import { NangoService } from './nango.service.js';
import { NangoConfigurationError } from './errors/nango.error.js';
import {
  NANGO_DEFAULT_INSTANCE,
  getNangoServiceToken,
} from './decorators/inject-nango.decorator.js';

/** What an instance name may be: printable ASCII without spaces, at most 100 characters. */
const INSTANCE_NAME = /^[\x21-\x7e]{1,100}$/;

/**
 * The injection token of a Nango instance's resolved options ({@link ResolvedNangoOptions}):
 * `NANGO_OPTIONS` for the default instance, `NangoOptions:<name>` for a named one.
 */
export function getNangoOptionsToken(name?: string): symbol | string {
  return name === undefined || name === NANGO_DEFAULT_INSTANCE
    ? NANGO_OPTIONS
    : `NangoOptions:${name}`;
}

/**
 * Checks the `name` extra of `forRoot()` / `forRootAsync()` and returns it, or `undefined` for
 * the default instance (no name, or `'default'`).
 */
export function checkInstanceName(name: unknown): string | undefined {
  if (name === undefined || name === NANGO_DEFAULT_INSTANCE) return undefined;
  if (typeof name !== 'string' || !INSTANCE_NAME.test(name)) {
    throw NangoConfigurationError.create([
      {
        field: 'name',
        problem: "must be a string of 1 to 100 printable characters without spaces, such as 'prod'",
      },
    ]);
  }
  return name;
}

/**
 * Completes the dynamic module of one `forRoot()` / `forRootAsync()` call. The default
 * instance exports `NangoService` and `NANGO_OPTIONS`; a named one exports only
 * `NangoService:<name>` and `NangoOptions:<name>`, so that several named instances (global or
 * not) never collide with each other or with the default one.
 */
export function withNangoInstance(definition: DynamicModule, rawName: unknown): DynamicModule {
  const name = checkInstanceName(rawName);
  if (name === undefined) {
    return {
      ...definition,
      exports: [...(definition.exports ?? []), NangoService, NANGO_OPTIONS],
    };
  }
  const serviceToken = getNangoServiceToken(name);
  const optionsToken = getNangoOptionsToken(name);
  const providers: Provider[] = [
    { provide: NANGO_INSTANCE_NAME, useValue: name },
    { provide: serviceToken, useExisting: NangoService },
    { provide: optionsToken, useExisting: NANGO_OPTIONS },
  ];
  return {
    ...definition,
    providers: [...(definition.providers ?? []), ...providers],
    exports: [...(definition.exports ?? []), serviceToken, optionsToken],
  };
}
