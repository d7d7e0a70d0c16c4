import { Reflector } from '@nestjs/core';
import type { NangoWebhookOptions } from '../interfaces/nango-webhook.interface.js';

/** Route metadata set by `@NangoWebhook()`: which instance's keys verify the webhook. */
export const NangoWebhookMetadata = Reflector.createDecorator<NangoWebhookOptions>({
  key: 'nango:webhook',
});

/** Where `NangoWebhookGuard` leaves the verified payload on the request. */
export const NANGO_WEBHOOK_PAYLOAD = Symbol('nango:webhook-payload');
