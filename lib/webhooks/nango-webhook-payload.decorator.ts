import { createParamDecorator, type ExecutionContext } from '@nestjs/common';
import { NangoUsageError } from '../errors/nango-misuse.errors.js';
import type { NangoWebhookBody } from '../interfaces/nango-webhook.interface.js';
import { NANGO_WEBHOOK_PAYLOAD } from './nango-webhook.constants.js';
import { recordNangoParam } from '../decorators/nango-params.metadata.js';

/**
 * Hands the handler the webhook body verified by `@NangoWebhook()`, parsed and typed as
 * {@link NangoWebhookBody}.
 */
export const NangoWebhookPayload = createParamDecorator(
  (_data: unknown, context: ExecutionContext): NangoWebhookBody => {
    const request = context
      .switchToHttp()
      .getRequest<{ [NANGO_WEBHOOK_PAYLOAD]?: NangoWebhookBody }>();
    const payload = request[NANGO_WEBHOOK_PAYLOAD];
    if (payload === undefined) {
      throw NangoUsageError.create(
        '@NangoWebhookPayload() found no verified webhook',
        'put @NangoWebhook() on the same handler.',
      );
    }
    return payload;
  },
  [recordNangoParam('NangoWebhookPayload')],
);
