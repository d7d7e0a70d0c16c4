import { CanActivate, ExecutionContext, Injectable } from '@nestjs/common';

/** Sets req.user from the x-user-id header (a stand-in for your real auth guard). */
@Injectable()
export class UserGuard implements CanActivate {
  canActivate(ctx: ExecutionContext): boolean {
    const req = ctx.switchToHttp().getRequest();
    const id = req.headers['x-user-id'];
    if (typeof id !== 'string' || id === '') return false;
    req.user = { id };
    return true;
  }
}
