import { Inject } from '@nestjs/common';
import { getNangoServiceToken } from '../nango.tokens.js';

/**
 * Injects the `NangoService` of a Nango instance: `@InjectNango()` for the default one,
 * `@InjectNango('prod')` for the instance registered with `name: 'prod'`.
 */
export const InjectNango = (name?: string): PropertyDecorator & ParameterDecorator =>
  Inject(getNangoServiceToken(name));
