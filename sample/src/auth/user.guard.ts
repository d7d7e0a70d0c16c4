import {
  Injectable,
  UnauthorizedException,
  type CanActivate,
  type ExecutionContext,
} from '@nestjs/common';
import { LinkedConnections } from '../connect/linked-connections.js';
import { GITHUB } from '../github/github.service.js';
import type { SampleRequest } from './sample-user.js';

/** Header carrying the user id. A stand-in for real authentication (a session, a JWT...). */
export const USER_HEADER = 'x-user-id';

/** The user id the request carries in the {@link USER_HEADER} header, if any. */
export function userIdOf(request: Pick<SampleRequest, 'headers'>): string | undefined {
  const value = request.headers[USER_HEADER];
  return (Array.isArray(value) ? value[0] : value)?.trim() || undefined;
}

/**
 * Sets `req.user` from the `x-user-id` header, as an authentication guard would from a session
 * or a JWT; answers 401 without it. Nango connections are then looked up by `req.user.id`.
 */
@Injectable()
export class UserGuard implements CanActivate {
  constructor(private readonly links: LinkedConnections) {}

  canActivate(context: ExecutionContext): boolean {
    const request = context.switchToHttp().getRequest<SampleRequest>();
    const id = userIdOf(request);
    if (id === undefined) {
      throw new UnauthorizedException(`Send the user id in the ${USER_HEADER} header.`);
    }
    request.user = { id, githubConnectionId: this.links.connectionOf(GITHUB, id) ?? id };
    return true;
  }
}
