import type { NangoWebhookBody } from '../interfaces/nango-webhook.interface.js';

/** The verified webhooks of one `type`. */
type NangoWebhookOfType<T extends string> = Extract<NangoWebhookBody, { type: T }>;

/** The type guard of one webhook `type`. */
function webhookOfType<T extends string>(
  type: T,
): (payload: NangoWebhookBody) => payload is NangoWebhookOfType<T> {
  return (payload): payload is NangoWebhookOfType<T> => payload.type === type;
}

/** Narrows a webhook to `type: 'auth'`. */
export const isNangoAuthWebhook = webhookOfType('auth');

/** Narrows a webhook to `type: 'sync'`. */
export const isNangoSyncWebhook = webhookOfType('sync');

/** Narrows a webhook to `type: 'forward'`. */
export const isNangoForwardWebhook = webhookOfType('forward');

/** Narrows a webhook to `type: 'async_action'`. */
export const isNangoAsyncActionWebhook = webhookOfType('async_action');
