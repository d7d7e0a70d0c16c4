import { applyDecorators, UseInterceptors } from '@nestjs/common';
import { NangoTokenInterceptor } from '../interceptors/nango-token.interceptor.js';
import { NangoConnectionOptionsError } from '../errors/nango-misuse.errors.js';
import { describeOptionsProblems } from '../utils/nango-value-source.js';
import { NangoConnectionMetadata } from './nango-connection.metadata.js';
import type { UseNangoConnectionOptions } from '../interfaces/nango-connection-resolver.interface.js';

/**
 * Says which Nango connection a route works on, and fetches its fresh credentials before the
 * handler runs (it applies {@link NangoTokenInterceptor}). Put it on a handler or a controller;
 * the handler's wins. Read the credentials with `@InjectNangoToken()` or
 * `@InjectNangoConnection()`.
 *
 * ```ts
 * @UseNangoConnection({ providerConfigKey: 'github', connectionId: { param: 'userId' } })
 * @Get('users/:userId/repos')
 * repos(@InjectNangoToken() token: string) { ... }
 * ```
 *
 * Options are checked when the decorator is applied: an unknown resolver form throws a
 * {@link NangoConnectionOptionsError} as the controller's file loads.
 */
export function UseNangoConnection(
  options: UseNangoConnectionOptions = {},
): MethodDecorator & ClassDecorator {
  const problems = describeOptionsProblems(options);
  if (problems.length > 0) throw NangoConnectionOptionsError.create(problems);
  return applyDecorators(
    NangoConnectionMetadata({ ...options }),
    UseInterceptors(NangoTokenInterceptor),
  );
}
