import { Module } from '@nestjs/common';
import { APP_FILTER } from '@nestjs/core';
import { ConfigModule, ConfigService } from '@nestjs/config';
import { NangoExceptionFilter, NangoModule } from '../../lib/index.js';
import { ConnectionsController } from './connections/connections.controller.js';
import { GithubController } from './github/github.controller.js';
import { GithubService } from './github/github.service.js';

/**
 * The sample application. Nango's key and host come from the environment (or a `.env` file)
 * through `@nestjs/config`: `NANGO_SECRET_KEY` (required) and `NANGO_HOST` (default Nango Cloud).
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
    }),
  ],
  controllers: [ConnectionsController, GithubController],
  // A NangoError thrown by GithubService's proxy calls answers as @UseNangoConnection() does.
  providers: [GithubService, { provide: APP_FILTER, useClass: NangoExceptionFilter }],
})
export class AppModule {}
