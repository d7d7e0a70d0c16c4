import type { DynamicModule, Provider } from '@nestjs/common';
import { NANGO_OPTIONS } from './nango.constants.js';
import { NANGO_HTTP_SERVICE } from './nango.tokens.js';
import { NangoService } from './nango.service.js';
import { NANGO_MODULE_OPTIONS } from './nango.module-definition.js';
import { resolveNangoOptions } from './nango-options.validation.js';
import { createNangoHttpService } from './nango-http.factory.js';
import type { ResolvedNangoOptions } from './interfaces/nango-module-options.interface.js';
import type { HttpService } from '@nestjs/axios';
import { NangoConfigurationError } from './errors/nango-misuse.errors.js';
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
 * Completes the dynamic module of one `forRoot()` / `forRootAsync()` call with the instance's
 * providers. The default instance provides and exports `NangoService` and `NANGO_OPTIONS`; a
 * named one provides and exports only `NangoService:<name>` and `NangoOptions:<name>` (its
 * service built by a factory), so that several instances, global or not, never collide, and
 * `moduleRef.get(token, { strict: false })` finds exactly one provider per token.
 */
export function withNangoInstance(definition: DynamicModule, rawName: unknown): DynamicModule {
  const name = checkInstanceName(rawName);
  let providers: Provider[];
  let exported: Array<string | symbol | typeof NangoService>;
  if (name === undefined) {
    providers = [
      {
        provide: NANGO_OPTIONS,
        useFactory: (raw: unknown) => resolveNangoOptions(raw),
        inject: [NANGO_MODULE_OPTIONS],
      },
      { provide: NANGO_HTTP_SERVICE, useFactory: createNangoHttpService, inject: [NANGO_OPTIONS] },
      NangoService,
    ];
    exported = [NangoService, NANGO_OPTIONS];
  } else {
    const serviceToken = getNangoServiceToken(name);
    const optionsToken = getNangoOptionsToken(name);
    const httpToken = `NangoHttpService:${name}`;
    providers = [
      {
        provide: optionsToken,
        useFactory: (raw: unknown) => resolveNangoOptions(raw, name),
        inject: [NANGO_MODULE_OPTIONS],
      },
      { provide: httpToken, useFactory: createNangoHttpService, inject: [optionsToken] },
      {
        provide: serviceToken,
        useFactory: (http: HttpService, options: ResolvedNangoOptions) =>
          new NangoService(http, options),
        inject: [httpToken, optionsToken],
      },
    ];
    exported = [serviceToken, optionsToken];
  }
  return {
    ...definition,
    providers: [...(definition.providers ?? []), ...providers],
    exports: [...(definition.exports ?? []), ...exported],
  };
}
