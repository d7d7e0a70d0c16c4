import type { ExecutionContext } from '@nestjs/common';

/** `Controller.handler` (or `Resolver.field`) of the route being run: how errors name it. */
export function handlerName(context: ExecutionContext): string {
  return `${context.getClass().name}.${context.getHandler().name}`;
}
