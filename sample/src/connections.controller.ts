import { Controller, Get, Param } from '@nestjs/common';
import { NangoService, type NangoConnectionList } from '../../lib/index.js';

/** Lists connections and calls a third-party API through Nango's proxy. */
@Controller()
export class ConnectionsController {
  constructor(private readonly nango: NangoService) {}

  @Get('connections')
  list(): Promise<NangoConnectionList> {
    return this.nango.listConnections();
  }

  @Get('integrations/:integration/connections/:connectionId/user')
  async user(
    @Param('integration') integration: string,
    @Param('connectionId') connectionId: string,
  ): Promise<unknown> {
    const response = await this.nango.get({
      endpoint: '/user',
      providerConfigKey: integration,
      connectionId,
    });
    return response.data;
  }
}
