export { NangoWebhookGuard } from './nango-webhook.guard.js';
export { NangoWebhook } from './nango-webhook.decorator.js';
export { NangoWebhookPayload } from './nango-webhook-payload.decorator.js';
export { NangoWebhookMetadata, NANGO_WEBHOOK_PAYLOAD } from './nango-webhook.constants.js';
export {
  NANGO_WEBHOOK_SIGNATURE_HEADER,
  verifyNangoWebhookSignature,
  signNangoWebhook,
} from './nango-webhook.signature.js';
export {
  isNangoAuthWebhook,
  isNangoSyncWebhook,
  isNangoForwardWebhook,
  isNangoAsyncActionWebhook,
} from './nango-webhook.type-guards.js';
export {
  OnNangoWebhook,
  onNangoWebhookFilters,
  matchesNangoWebhook,
  type OnNangoWebhookFilter,
} from './on-nango-webhook.decorator.js';
export { NangoWebhookDispatcher } from './nango-webhook.dispatcher.js';
export type { NangoWebhooksOptions } from './nango-webhook.route.js';
