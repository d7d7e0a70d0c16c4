import {
  Injectable,
  UnauthorizedException,
  type CanActivate,
  type ExecutionContext,
} from '@nestjs/common';
import type { SampleRequest } from './sample-user.js';

/** Header carrying the user id. A stand-in for real authentication (a session, a JWT...). */
export const USER_HEADER = 'x-user-id';

/**
 * Sets `req.user` from the `x-user-id` header, as an authentication guard would from a session
 * or a JWT; answers 401 without it. Nango connections are then looked up by `req.user.id`.
 */
@Injectable()
export class UserGuard implements CanActivate {
  canActivate(context: ExecutionContext): boolean {
    const request = context.switchToHttp().getRequest<SampleRequest>();
    const value = request.headers[USER_HEADER];
    const id = (Array.isArray(value) ? value[0] : value)?.trim();
    if (!id) {
      throw new UnauthorizedException(`Send the user id in the ${USER_HEADER} header.`);
    }
    request.user = { id };
    return true;
  }
}
