import type { NangoSyncSuccessWebhook } from '../interfaces/nango-webhook.interface.js';

/** Token of what the webhook route tells of each successful `sync` webhook (the records service). */
export const NANGO_SYNC_WEBHOOK_LISTENER = Symbol('NANGO_SYNC_WEBHOOK_LISTENER');

/** Told of each verified `sync` webhook with `success: true`, after the route verified it. */
export interface NangoSyncWebhookListener {
  /** Queues what the webhook calls for; resolves (quickly) once queued, with how many drains were. */
  onSyncWebhook(payload: NangoSyncSuccessWebhook): Promise<number>;
}
