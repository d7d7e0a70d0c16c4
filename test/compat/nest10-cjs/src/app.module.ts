import { Module } from '@nestjs/common';
import { ConfigModule, ConfigService } from '@nestjs/config';
import { NangoModule } from 'nestjs-nango';
import { AppController } from './app.controller';
import { AppService } from './app.service';
import { GithubController } from './github.controller';
import { ReposService } from './repos.service';

@Module({
  imports: [
    ConfigModule.forRoot(),
    NangoModule.forRootAsync({
      imports: [ConfigModule],
      inject: [ConfigService],
      useFactory: (config: ConfigService) => ({
        secretKey: config.getOrThrow('NANGO_SECRET_KEY'),
        host: config.get('NANGO_HOST'),
      }),
    }),
  ],
  controllers: [AppController, GithubController],
  providers: [AppService, ReposService],
})
export class AppModule {}
