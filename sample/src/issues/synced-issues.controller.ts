import { Controller, Get, UseGuards } from '@nestjs/common';
import { CurrentUser } from '../auth/current-user.decorator.js';
import type { SampleUser } from '../auth/sample-user.js';
import { UserGuard } from '../auth/user.guard.js';
import { SyncedIssues, type SyncedIssue } from './synced-issues.js';

/** `GET /synced/issues`: what the records handler stored for the signed-in user's connection. */
@Controller('synced')
@UseGuards(UserGuard)
export class SyncedIssuesController {
  constructor(private readonly issues: SyncedIssues) {}

  @Get('issues')
  list(@CurrentUser() user: SampleUser): { issues: SyncedIssue[] } {
    return { issues: this.issues.of(user.githubConnectionId) };
  }
}
