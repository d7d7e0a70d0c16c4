import {
  Body,
  Controller,
  Get,
  Param,
  Post,
  UseGuards,
  type ExecutionContext,
} from '@nestjs/common';
import {
  InjectNangoConnection,
  InjectNangoToken,
  UseNangoConnection,
  type NangoConnection,
  type NangoToken,
} from '../../../lib/index.js';
import { CurrentUser } from '../auth/current-user.decorator.js';
import type { SampleRequest, SampleUser } from '../auth/sample-user.js';
import { UserGuard } from '../auth/user.guard.js';
import { GITHUB, GithubService, type NewIssue } from './github.service.js';

/** The signed-in user's GitHub connection id, set on the request by `UserGuard`. */
const currentUserId = (ctx: ExecutionContext): string =>
  ctx.switchToHttp().getRequest<SampleRequest>().user?.githubConnectionId ?? '';

/**
 * GitHub as the signed-in user. Handlers either take fresh credentials from
 * `@UseNangoConnection()` (status, token-info) or call GitHub through Nango's proxy
 * (profile, issues). No connection: 404; a token that can't be refreshed: 424 (reconnect).
 */
@Controller('github')
@UseGuards(UserGuard)
export class GithubController {
  constructor(private readonly github: GithubService) {}

  @Get('profile')
  profile(@CurrentUser() user: SampleUser): Promise<unknown> {
    return this.github.profile(user.githubConnectionId);
  }

  /** The connection, fetched by the interceptor after the guard set `req.user`. */
  @Get('status')
  @UseNangoConnection({ providerConfigKey: GITHUB, connectionId: currentUserId })
  status(@InjectNangoConnection() connection: NangoConnection): {
    connected: true;
    expiresAt: string | null;
  } {
    const expires =
      'expires_at' in connection.credentials ? connection.credentials.expires_at : undefined;
    return { connected: true, expiresAt: typeof expires === 'string' ? expires : null };
  }

  /**
   * The fresh access token, as you would hand it to an SDK such as Octokit. Never send a token
   * to a browser: this answers only what kind of credential it is and its length.
   */
  @Get('token-info')
  @UseNangoConnection({ providerConfigKey: GITHUB, connectionId: currentUserId })
  tokenInfo(@InjectNangoToken() token: NangoToken): { kind: string; length: number } {
    return typeof token === 'string'
      ? { kind: 'access_token', length: token.length }
      : { kind: 'credentials', length: JSON.stringify(token).length };
  }

  @Post('repos/:owner/:repo/issues')
  createIssue(
    @CurrentUser() user: SampleUser,
    @Param('owner') owner: string,
    @Param('repo') repo: string,
    @Body() issue: NewIssue,
  ): Promise<unknown> {
    return this.github.createIssue(user.githubConnectionId, owner, repo, issue);
  }
}
