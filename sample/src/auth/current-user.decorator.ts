import { createParamDecorator, type ExecutionContext } from '@nestjs/common';
import type { SampleRequest, SampleUser } from './sample-user.js';

/** The user {@link UserGuard} put on the request. */
export const CurrentUser = createParamDecorator(
  (_data: unknown, context: ExecutionContext): SampleUser | undefined =>
    context.switchToHttp().getRequest<SampleRequest>().user,
);
