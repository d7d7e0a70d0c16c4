import { Inject } from '@nestjs/common';
import { NangoService } from '../nango.service.js';

/** Name of the Nango instance registered by a `forRoot()` / `forRootAsync()` without `name`. */
export const NANGO_DEFAULT_INSTANCE = 'default';

/**
 * The injection token of a Nango instance's `NangoService`: the `NangoService` class itself
 * for the default instance, `NangoService:<name>` for a named one.
 */
export function getNangoServiceToken(name?: string): typeof NangoService | string {
  return name === undefined || name === NANGO_DEFAULT_INSTANCE
    ? NangoService
    : `NangoService:${name}`;
}

/**
 * Injects the `NangoService` of a Nango instance: `@InjectNango()` for the default one,
 * `@InjectNango('prod')` for the instance registered with `name: 'prod'`.
 */
export const InjectNango = (name?: string): PropertyDecorator & ParameterDecorator =>
  Inject(getNangoServiceToken(name));
