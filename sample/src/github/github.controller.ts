import { Body, Controller, Get, Param, Post, UseGuards } from '@nestjs/common';
import { CurrentUser } from '../auth/current-user.decorator.js';
import type { SampleUser } from '../auth/sample-user.js';
import { UserGuard } from '../auth/user.guard.js';
import { GithubService, type NewIssue } from './github.service.js';

/**
 * GitHub as the signed-in user. A user without a GitHub connection gets 404, one whose token
 * can no longer be refreshed gets 424 (reconnect), through `NangoErrorFilter`.
 */
@Controller('github')
@UseGuards(UserGuard)
export class GithubController {
  constructor(private readonly github: GithubService) {}

  @Get('profile')
  profile(@CurrentUser() user: SampleUser): Promise<unknown> {
    return this.github.profile(user.id);
  }

  @Get('status')
  status(@CurrentUser() user: SampleUser): Promise<unknown> {
    return this.github.status(user.id);
  }

  @Post('repos/:owner/:repo/issues')
  createIssue(
    @CurrentUser() user: SampleUser,
    @Param('owner') owner: string,
    @Param('repo') repo: string,
    @Body() issue: NewIssue,
  ): Promise<unknown> {
    return this.github.createIssue(user.id, owner, repo, issue);
  }
}
