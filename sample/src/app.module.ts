import { Module } from '@nestjs/common';
import { NangoModule } from '../../lib/index.js';
import { ConnectionsController } from './connections.controller.js';
import { MeController } from './me.controller.js';

/** Settings the sample reads from the environment (or from the embedded stand-in). */
export interface SampleSettings {
  secretKey: string;
  host: string;
}

/** The sample application: NangoModule configured from its settings, and one controller. */
@Module({})
export class AppModule {
  static forSettings(settings: SampleSettings) {
    return {
      module: AppModule,
      imports: [
        NangoModule.forRootAsync({
          isGlobal: true,
          useFactory: () => ({
            secretKey: settings.secretKey,
            host: settings.host,
            userAgent: 'nestjs-nango-sample',
          }),
        }),
      ],
      controllers: [ConnectionsController, MeController],
    };
  }
}
