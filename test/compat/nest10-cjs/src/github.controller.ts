import { Controller, Get, Req, UseGuards } from '@nestjs/common';
import { InjectNangoToken, UseNangoConnection } from 'nestjs-nango';
import { ReposService } from './repos.service';
import { UserGuard } from './user.guard';

@Controller('github')
@UseGuards(UserGuard) // sets req.user
export class GithubController {
  constructor(private readonly repos: ReposService) {}

  @Get('token-info')
  @UseNangoConnection({
    providerConfigKey: 'github',
    connectionId: (ctx) => ctx.switchToHttp().getRequest().user.id,
  })
  tokenInfo(@InjectNangoToken() accessToken: string) {
    // hand accessToken to an SDK (Octokit, ...); never send it to the browser
    return { hasToken: accessToken.length > 0 };
  }

  @Get('repos')
  listRepos(@Req() req: { user: { id: string } }) {
    return this.repos.repos(req.user.id);
  }
}
