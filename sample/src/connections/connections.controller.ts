import { Controller, Get, UseGuards } from '@nestjs/common';
import { NangoService } from '../../../lib/index.js';
import { CurrentUser } from '../auth/current-user.decorator.js';
import type { SampleUser } from '../auth/sample-user.js';
import { UserGuard } from '../auth/user.guard.js';

/** One of the user's connections, as the sample lists it (no credentials). */
export interface ConnectionView {
  integration: string;
  connectionId: string;
  provider: string;
  created: string;
  /** Nango recorded errors on it (e.g. a failed refresh): the user may have to reconnect. */
  hasErrors: boolean;
}

/** Lists the signed-in user's connections (Nango's `GET /connections?endUserId=`). */
@Controller('connections')
@UseGuards(UserGuard)
export class ConnectionsController {
  constructor(private readonly nango: NangoService) {}

  @Get()
  async list(@CurrentUser() user: SampleUser): Promise<{ connections: ConnectionView[] }> {
    const { connections } = await this.nango.listConnections({ userId: user.id });
    return {
      connections: connections.map((c) => ({
        integration: c.provider_config_key,
        connectionId: c.connection_id,
        provider: c.provider,
        created: c.created,
        hasErrors: c.errors.length > 0,
      })),
    };
  }
}
