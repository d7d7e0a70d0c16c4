import {
  Controller,
  Get,
  Injectable,
  UnauthorizedException,
  UseGuards,
  type CanActivate,
  type ExecutionContext,
} from '@nestjs/common';
import { InjectNangoToken, UseNangoConnection, type NangoToken } from '../../lib/index.js';

/** A demo guard: trusts an `x-user` header. A real app verifies a session or a JWT here. */
@Injectable()
class DemoAuthGuard implements CanActivate {
  canActivate(ctx: ExecutionContext): boolean {
    const req = ctx
      .switchToHttp()
      .getRequest<{ headers: Record<string, unknown>; user?: object }>();
    const id = req.headers['x-user'];
    if (typeof id !== 'string' || id === '') throw new UnauthorizedException();
    req.user = { id };
    return true;
  }
}

/** The signed-in user's GitHub credentials, fetched fresh by the interceptor. */
@Controller('me')
@UseGuards(DemoAuthGuard)
export class MeController {
  @Get('github')
  @UseNangoConnection({
    providerConfigKey: 'github',
    connectionId: (ctx) => ctx.switchToHttp().getRequest<{ user: { id: string } }>().user.id,
    missingStatus: 401,
  })
  github(@InjectNangoToken() token: NangoToken): { tokenPreview: string } {
    // Never send a real token back to a browser: this shows only its first characters.
    return { tokenPreview: `${String(token).slice(0, 4)}…` };
  }
}
