import { Injectable } from '@nestjs/common';
import { OnNangoWebhook, type NangoAuthWebhook } from '../../../lib/index.js';

/**
 * Which GitHub connection each user made through the Connect UI, from Nango's `auth` webhook
 * (its `endUser.endUserId` is the id the connect route sent). In memory here; a real app stores
 * it next to its users.
 */
@Injectable()
export class LinkedConnections {
  private readonly byUser = new Map<string, string>();

  @OnNangoWebhook({ type: 'auth', operation: 'creation', success: true })
  linked(event: NangoAuthWebhook): void {
    if (event.endUser !== undefined) {
      this.byUser.set(`${event.providerConfigKey}:${event.endUser.endUserId}`, event.connectionId);
    }
  }

  /** The connection the user made for the integration, if they made one. */
  connectionOf(providerConfigKey: string, userId: string): string | undefined {
    return this.byUser.get(`${providerConfigKey}:${userId}`);
  }
}
