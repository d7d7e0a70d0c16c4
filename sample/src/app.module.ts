import { Module } from '@nestjs/common';
import { APP_FILTER } from '@nestjs/core';
import { ConfigModule, ConfigService } from '@nestjs/config';
import { NangoExceptionFilter, NangoModule } from '../../lib/index.js';
import { userIdOf } from './auth/user.guard.js';
import { LinkedConnections } from './connect/linked-connections.js';
import { ConnectionsController } from './connections/connections.controller.js';
import { GithubController } from './github/github.controller.js';
import { GITHUB, GithubService } from './github/github.service.js';
import { SyncedIssues } from './issues/synced-issues.js';
import { SyncedIssuesController } from './issues/synced-issues.controller.js';

/**
 * The sample application. Nango's key and host come from the environment (or a `.env` file)
 * through `@nestjs/config`: `NANGO_SECRET_KEY` (required) and `NANGO_HOST` (default Nango Cloud).
 * Nango's webhooks arrive at `POST /nango/webhooks`, so the app needs `rawBody: true`; a user
 * connects GitHub through `POST /nango/connect-session` and the Connect UI; the issues Nango
 * syncs reach `SyncedIssues` (`@OnNangoRecords()`) and show at `GET /synced/issues`.
 */
@Module({
  imports: [
    ConfigModule.forRoot({ isGlobal: true }),
    NangoModule.forRootAsync({
      isGlobal: true,
      inject: [ConfigService],
      useFactory: (config: ConfigService) => ({
        secretKey: config.getOrThrow<string>('NANGO_SECRET_KEY'),
        host: config.get<string>('NANGO_HOST'),
        userAgent: 'nestjs-nango-sample',
      }),
      // Nango's webhooks (signed with the secret key unless webhookSigningKey is set), and
      // POST /nango/connect-session: a Connect session for the user of the x-user-id header
      // (401 without one), which the browser opens with @nangohq/frontend.
      webhooks: { path: 'nango/webhooks' },
      connect: {
        path: 'nango/connect-session',
        endUser: (req) => {
          const id = userIdOf(req);
          return id === undefined ? undefined : { id };
        },
        allowedIntegrations: [GITHUB],
      },
    }),
  ],
  controllers: [ConnectionsController, GithubController, SyncedIssuesController],
  // A NangoError thrown by GithubService's proxy calls answers as @UseNangoConnection() does.
  providers: [
    GithubService,
    LinkedConnections,
    // Nango's synced GitHub issues, delivered page by page after each sync webhook.
    SyncedIssues,
    { provide: APP_FILTER, useClass: NangoExceptionFilter },
  ],
})
export class AppModule {}
